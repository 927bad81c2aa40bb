import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import { RequestValidationError } from './request-errors.js';
import { OptionalField, QueryInt } from './input/field-rules.js';
import { textProblem } from './input/text-rules.js';
import { parsePostgresTimestamp } from './input/timestamp.js';

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 200;

/** `?limit=&cursor=` of every list endpoint. */
export class PageQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: MAX_PAGE_LIMIT, default: DEFAULT_PAGE_LIMIT })
  @OptionalField()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_LIMIT)
  limit: number = DEFAULT_PAGE_LIMIT;

  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page\'s `nextCursor`.' })
  @OptionalField()
  @IsString()
  @MaxLength(1024)
  cursor?: string;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/**
 * Keyset cursors: the sort key values of the last row, base64url-encoded JSON. Opaque to
 * clients; a cursor that does not decode to the expected shape is a 400 naming `cursor`.
 */
export function encodeCursor(values: ReadonlyArray<string | number>): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/**
 * What each value of a cursor must be, by the type of the column it is compared with: checked
 * before it reaches SQL, so a forged cursor that decodes is a 400, never a failed cast (500).
 */
export type CursorPart = 'timestamp' | 'uuid' | 'smallint' | 'integer' | 'bigint' | 'string';

const intWithin = (min: number, max: number) => (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

const PART_CHECKS: Record<CursorPart, (v: unknown) => boolean> = {
  timestamp: (v) => parsePostgresTimestamp(v) !== null,
  uuid: (v) => typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
  smallint: intWithin(-32768, 32767),
  integer: intWithin(-2147483648, 2147483647),
  bigint: (v) => (typeof v === 'number' && Number.isSafeInteger(v)) || (typeof v === 'string' && /^-?\d{1,18}$/.test(v)),
  string: (v) => typeof v === 'string' && v.length <= 512 && textProblem(v) === null,
};

export function decodeCursor(cursor: string, parts: readonly CursorPart[]): Array<string | number> {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(values) && values.length === parts.length && values.every((v, i) => PART_CHECKS[parts[i]!](v))) {
      return values as Array<string | number>;
    }
  } catch {
    /* fall through */
  }
  throw new RequestValidationError([{ field: 'cursor', message: 'cursor is not a cursor this endpoint issued' }]);
}

/**
 * Builds a page from rows fetched with `limit + 1`: the extra row only tells whether there is
 * a next page, and the cursor points after the last row returned.
 */
export function toPage<R, T>(rows: R[], limit: number, cursorOf: (row: R) => Array<string | number>, map: (row: R) => T): Page<T> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return {
    data: pageRows.map(map),
    nextCursor: hasMore && last !== undefined ? encodeCursor(cursorOf(last)) : null,
  };
}

/** Base of page response schemas in OpenAPI; subclasses declare `data`'s item type. */
export abstract class PageDto {
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page.' })
  nextCursor!: string | null;
}
