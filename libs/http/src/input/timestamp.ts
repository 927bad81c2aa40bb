/**
 * The one timestamp rule of the API. Every date-time a client sends (bodies, queries) is an
 * RFC 3339 date-time with a time zone: `2026-11-20T08:15:00Z`, `2026-11-20T08:15:00.123+07:00`.
 * What `Date.parse` or class-validator's ISO-8601 check also let through (bare years, week
 * dates, expanded years, commas, basic format) is refused, and so are values Postgres or
 * `new Date` would refuse or change: impossible calendar days, offsets beyond ±14:00, and
 * instants outside the years 1900–9999 (a year-10000 instant once froze a shipment).
 */
export const TIMESTAMP_RULE = 'an RFC 3339 date-time with a time zone (e.g. 2026-11-20T08:15:00Z) in the years 1900-9999';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;
/** How Postgres prints a timestamptz as text (`created_at::text`), as cursors carry it. */
const POSTGRES_TEXT = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(?:([+-])(\d{2})(?::(\d{2}))?)$/;

const MIN_MS = Date.UTC(1900, 0, 1);
const MAX_MS = Date.UTC(10000, 0, 1) - 1;

/** The instant of an RFC 3339 date-time within the rule above, or null. */
export function parseTimestamp(text: unknown): Date | null {
  return typeof text === 'string' ? fromParts(RFC3339.exec(text)) : null;
}

/** The instant of a timestamptz in Postgres' text form within the same bounds, or null. */
export function parsePostgresTimestamp(text: unknown): Date | null {
  return typeof text === 'string' ? fromParts(POSTGRES_TEXT.exec(text)) : null;
}

function fromParts(match: RegExpExecArray | null): Date | null {
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const fraction = match[7] ? Number(`0${match[7]}`) : 0;
  const sign = match[8] === '-' ? -1 : 1;
  const offsetHours = Number(match[9] ?? 0);
  const offsetMinutes = Number(match[10] ?? 0);
  if (year < 1900 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  if (offsetMinutes > 59 || offsetHours * 60 + offsetMinutes > 14 * 60) return null;
  const local = Date.UTC(year, month - 1, day, hour, minute, second) + Math.floor(fraction * 1000);
  const ms = local - sign * (offsetHours * 60 + offsetMinutes) * 60_000;
  return ms < MIN_MS || ms > MAX_MS ? null : new Date(ms);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
