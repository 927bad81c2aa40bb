/**
 * Text already percent-encoded as it goes on the wire: for what no encoder produces (`%FF`,
 * `%C0%80`, a stray `%`, `%zz`).
 */
export class EncodedUrlText {
  constructor(readonly text: string) {}

  toString(): string {
    return this.text;
  }
}

export type UrlText = string | EncodedUrlText;

/**
 * Percent-encodes like `encodeURIComponent`, except that a lone surrogate (which makes
 * `encodeURIComponent` throw) becomes its three WTF-8 bytes: what a careless client sends.
 */
export function percentEncode(value: UrlText): string {
  if (value instanceof EncodedUrlText) return value.text;
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) {
      out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else out += encodeURIComponent(ch);
  }
  return out;
}

/**
 * The longest path or query value sent, encoded. Node refuses request heads over 16 KB with
 * a 431 and closes the connection at once: a client still writing megabytes of URL then
 * sees a reset, not the answer. Up to this size the whole request is written before that.
 */
export const MAX_URL_PART = 30_000;

/** Percent-encoded byte sequences no text encodes to: invalid UTF-8, an encoded NUL, broken escapes. */
export const RAW_URL_PIECES = ['%00', '%FF', '%FF%FE', '%C0%80', '%ED%A0%80', '%F4%90%80%80', '%E2%82', '%', '%zz', '%2', '%2F', '%2e%2e', '%252F', '%u0000'].map(
  (t) => new EncodedUrlText(t),
);
