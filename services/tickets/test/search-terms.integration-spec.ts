import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { searchQuery, searchWords, ticketSearchVector } from '../src/modules/tickets/search-terms.js';

const URL = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const db = new pg.Client({ connectionString: URL });
beforeAll(async () => {
  await db.connect();
});
afterAll(async () => {
  await db.end();
});

const matches = async (vector: string, query: string): Promise<boolean> =>
  (await db.query<{ m: boolean }>('SELECT $1::tsvector @@ $2::tsquery AS m', [vector, query])).rows[0]!.m;

/**
 * What the service writes, Postgres reads: any text's vector and any search's query are valid
 * input, and a ticket is found by each of its words and by a phrase of its words, whatever the
 * script, punctuation or garbage around them.
 */
it('writes vectors and queries Postgres accepts, and finds a text by its own words and phrases', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(fc.string({ unit: 'binary', maxLength: 120 }), fc.string({ unit: 'grapheme', maxLength: 120 }), fc.constantFrom('Đơn hàng 17 chưa tới', 'lan@example.com ORD-2024-17', '東京タワー、届きません')),
      fc.string({ unit: 'binary', maxLength: 40 }),
      async (description, search) => {
        const vector = ticketSearchVector('Subject', description);
        const query = searchQuery(search);
        if (query !== null) await matches(vector, query); // any search parses, against any vector
        const words = searchWords(description);
        if (words.length === 0) return;
        const word = words[Math.floor(words.length / 2)]!;
        if (word === 'or') return; // alone, the operator
        expect(await matches(vector, searchQuery(word)!)).toBe(true);
        expect(await matches(vector, searchQuery(`"${words.slice(0, 3).join(' ')}"`)!)).toBe(true);
        expect(await matches(vector, searchQuery(`-${word}`)!)).toBe(false);
      },
    ),
    { numRuns: 300 },
  );
});

it('finds accented text by its plain spelling and an address as written', async () => {
  const vector = ticketSearchVector('Đơn hàng chưa tới', 'Nguyễn Thị Lan <lan.nguyen@example.com> hỏi về ORD-2024-17.');
  expect(await matches(vector, searchQuery('don hang')!)).toBe(true);
  expect(await matches(vector, searchQuery('NGUYEN lan.nguyen@example.com')!)).toBe(true);
  expect(await matches(vector, searchQuery('ord-2024-17')!)).toBe(true);
  expect(await matches(vector, searchQuery('"hang don"')!)).toBe(false);
  expect(await matches(vector, searchQuery('ord-2024-18')!)).toBe(false);
});
