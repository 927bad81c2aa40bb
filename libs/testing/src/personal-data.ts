import type pg from 'pg';

/** A place where a looked-for text still appears: a column of a table, in so many rows. */
export interface TextOccurrence {
  table: string;
  column: string;
  needle: string;
  rows: number;
}

/** Column types that can hold a person's text: strings, JSON, arrays of them, search vectors. */
const TEXT_TYPES = ['text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY', 'tsvector'];

/**
 * A text as it may be stored: lower-cased, and also without accents, as full-text search
 * vectors keep it (Postgres `unaccent` also turns đ into d, which Unicode does not decompose).
 */
function variants(needle: string): string[] {
  const lower = needle.toLowerCase();
  const plain = lower.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd');
  return [...new Set([lower, plain])];
}

/**
 * Where any of `needles` still appears in a schema: every column of a text kind of every table
 * (found through information_schema, so a column added later is searched too), matched as a
 * substring, case- and accent-insensitively. For erasure tests: empty when nothing is left.
 */
export async function textOccurrences(pool: pg.Pool, schema: string, needles: readonly string[]): Promise<TextOccurrence[]> {
  const { rows: columns } = await pool.query<{ table: string; column: string }>(
    `SELECT c.table_name AS "table", c.column_name AS "column" FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
      WHERE c.table_schema = $1 AND c.data_type = ANY($2::text[]) ORDER BY 1, 2`,
    [schema, TEXT_TYPES],
  );
  const searched = needles.flatMap((needle) => variants(needle).map((variant) => ({ needle, variant })));
  const found: TextOccurrence[] = [];
  for (const { table, column } of columns) {
    const { rows } = await pool.query<{ n: number; rows: number }>(
      `SELECT s.n, count(*)::int AS rows FROM unnest($1::text[]) WITH ORDINALITY AS s(variant, n)
         JOIN "${schema}"."${table}" x ON strpos(lower(x."${column}"::text), s.variant) > 0 GROUP BY s.n ORDER BY s.n`,
      [searched.map((s) => s.variant)],
    );
    for (const r of rows) found.push({ table, column, needle: searched[Number(r.n) - 1]!.needle, rows: r.rows });
  }
  return found;
}
