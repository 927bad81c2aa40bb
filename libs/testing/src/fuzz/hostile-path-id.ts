import fc from 'fast-check';
import { hostileString, NUMERIC_STRINGS } from './hostile-values.js';
import type { ApiParameter } from './openapi-operations.js';
import { plausibleValue } from './plausible-value.js';
import { EncodedUrlText, MAX_URL_PART, percentEncode, RAW_URL_PIECES, type UrlText } from './url-text.js';

const FORGED_UUIDS = [
  '00000000-0000-0000-0000-000000000000', 'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF', '0b6f3c9e3f7e4a4e9a556f0a3b5d2c11', '{0b6f3c9e-3f7e-4a4e-9a55-6f0a3b5d2c11}',
  '0b6f3c9e-3f7e-4a4e-9a55-6f0a3b5d2c1', '0b6f3c9e-3f7e-4a4e-9a55-6f0a3b5d2c111', 'zb6f3c9e-3f7e-4a4e-9a55-6f0a3b5d2c11',
];

/** A real id made slightly wrong: leading zeros, padding, NUL, case, other spellings of the same number. */
function nearMisses(id: string): string[] {
  const spellings = [`0${id}`, `00${id}`, `${id}\u0000`, `\u0000${id}`, ` ${id}`, `${id} `, id.toUpperCase(), `${id}\u200b`, `${id}.`, `${id}/`, `${id}.json`];
  if (/^\d+$/.test(id)) spellings.push(`+${id}`, `-${id}`, `${id}.0`, `${id}e0`, `0x${Number(id).toString(16)}`, `${id}${'0'.repeat(20)}`);
  return spellings;
}

/** A path segment for `{param}` that names a row: a real id (so the request reaches the handler that loads it), else a plausible one. */
export function plausiblePathId(param: ApiParameter, realIds: readonly string[] = []): fc.Arbitrary<UrlText> {
  const plausible = plausibleValue(param.schema).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  return realIds.length > 0 ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...realIds) }, { weight: 1, arbitrary: plausible }) : plausible;
}

/** A hostile path segment for `{param}`: a near miss of a real id, or something hostile. */
export function hostilePathId(param: ApiParameter, realIds: readonly string[] = []): fc.Arbitrary<UrlText> {
  const example = param.schema.example === undefined ? undefined : String(param.schema.example);
  return fc.oneof(
    ...(realIds.length > 0 ? [{ weight: 3, arbitrary: fc.constantFrom(...realIds).chain((id) => fc.constantFrom(...nearMisses(id))) }] : []),
    { weight: 3, arbitrary: hostileString(example, 3_000).filter((s) => percentEncode(s).length <= MAX_URL_PART) },
    { weight: 2, arbitrary: fc.constantFrom<UrlText>(...NUMERIC_STRINGS, ...FORGED_UUIDS, ...RAW_URL_PIECES, 'x'.repeat(129), 'x'.repeat(5_000), '..', '.', '~') },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_URL_PIECES).map((p) => new EncodedUrlText(`${encodeURIComponent(example ?? 'x')}${p.text}`)) },
  );
}
