/**
 * The words ticket search matches: of subjects, descriptions and comments when they are
 * written (a `tsvector`, `searchVector`) and of searches (a `tsquery`, `searchQuery`), found
 * by this one tokenizer, so both sides always agree.
 *
 * Postgres could find them itself (`to_tsvector('simple', unaccent(text))`, which it did in
 * generated columns), but its text-search parser spends about 0.1 µs per character: most of
 * the cost of inserting a ticket with a long description, on the one server every replica
 * shares. Here it is a loop over char codes in the service that writes the row (a third of
 * the CPU), and Postgres only reads the result.
 *
 * A word is a run of letters and digits of any script, folded to lower case and without
 * diacritics (`Nguyễn` → `nguyen`, `Straße` → `strasse`), so search is case- and
 * accent-insensitive. Punctuation, symbols and emoji separate words: an e-mail address, a URL
 * or an order number such as `ORD-2024-17` is a sequence of words, found as a phrase. CJK
 * text without spaces is one word per run, as with Postgres' `simple` configuration.
 */

/** Longer runs (encoded blobs, hashes) are not words anybody searches for. */
const MAX_WORD_CHARS = 100;
/** Postgres keeps positions up to 16383 and at most 256 of them per word. */
const MAX_POSITION = 16_383;
const MAX_POSITIONS_PER_WORD = 256;
/** A tsvector holds at most 1 MB of words; far more than any ticket needs. */
const MAX_VECTOR_CHARS = 250_000;

/** Letters NFD does not decompose, written as Postgres' unaccent writes them. */
const SPECIAL_LETTERS: Readonly<Record<string, string>> = {
  'đ': 'd', 'ð': 'd', 'ø': 'o', 'ł': 'l', 'ß': 'ss', 'æ': 'ae', 'œ': 'oe', 'þ': 'th', 'ı': 'i', 'ħ': 'h', 'ŧ': 't', 'ŀ': 'l', 'ĸ': 'k', 'ŋ': 'n',
};
const SPECIAL_LETTER = /[đðøłßæœþıħŧŀĸŋ]/g;
const COMBINING_MARKS = /[\u0300-\u036f]/g;
const NON_ASCII = /[^\u0000-\u007f]/;

/** Whether a UTF-16 unit belongs to a word. */
function isWordUnit(c: number): boolean {
  if (c < 0x80) return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
  if (c < 0xc0) return false; // Latin-1 punctuation and symbols
  if (c === 0xd7 || c === 0xf7) return false; // × ÷
  if (c === 0x1680 || c === 0xfeff) return false; // the spaces outside the ranges below (what `\s` matches)
  if (c >= 0x2000 && c <= 0x2bff) return false; // general punctuation, symbols, arrows, maths, shapes
  if (c >= 0x3000 && c <= 0x303f) return false; // CJK punctuation
  if (c >= 0xd800 && c <= 0xf8ff) return false; // surrogates (emoji and other astral symbols), private use
  if (c >= 0xfe10 && c <= 0xfe6f) return false; // vertical and small forms
  if (c >= 0xff00 && c <= 0xff0f) return false; // fullwidth punctuation
  if ((c >= 0xff1a && c <= 0xff20) || (c >= 0xff3b && c <= 0xff40) || (c >= 0xff5b && c <= 0xff65)) return false;
  return c < 0xfff0;
}

/** Whether a UTF-16 unit is a lower-case ASCII letter or a digit: a run of those is its own folded word. */
function isPlainUnit(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39);
}

function fold(run: string): string {
  const lower = run.toLowerCase();
  if (!NON_ASCII.test(lower)) return lower;
  return lower.normalize('NFD').replace(COMBINING_MARKS, '').replace(SPECIAL_LETTER, (c) => SPECIAL_LETTERS[c] ?? c).normalize('NFC');
}

/**
 * Calls `each` with every run of word characters in `text`, in order, and whether it is plain
 * (lower-case ASCII letters and digits only).
 */
function forEachRun(text: string, each: (run: string, plain: boolean) => void): void {
  let start = -1;
  let plain = true;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x20;
    const plainUnit = isPlainUnit(c);
    if (plainUnit || isWordUnit(c)) {
      if (start < 0) {
        start = i;
        plain = true;
      }
      if (!plainUnit) plain = false;
      continue;
    }
    if (start >= 0) each(text.slice(start, i), plain);
    start = -1;
  }
}

/**
 * The words of a run of word characters, folded. Folding may leave a character that is no
 * part of a word (`῭` is a diaeresis and a grave accent: without the accent, a bare `¨`),
 * which then separates words as it would have in the text: so a word found here is found
 * again, unchanged, when it is searched for.
 */
function foldedWords(run: string): readonly string[] {
  const words: string[] = [];
  forEachRun(fold(run), (word) => words.push(word));
  return words;
}

/**
 * The folded words of the runs met before, shared by every text this process reads: support
 * mail repeats its words from one ticket to the next, and Unicode normalization is most of
 * the cost of folding. Emptied when full, so it stays small whatever it is fed.
 */
const FOLDED = new Map<string, readonly string[]>();
const FOLDED_MAX = 20_000;

/** Calls `each` with every word of `text`, in order, folded. */
function forEachWord(text: string, each: (word: string) => void): void {
  forEachRun(text, (run, plain) => {
    if (run.length > MAX_WORD_CHARS) return;
    if (plain) return each(run);
    let words = FOLDED.get(run);
    if (words === undefined) {
      words = foldedWords(run);
      if (FOLDED.size >= FOLDED_MAX) FOLDED.clear();
      FOLDED.set(run, words);
    }
    for (const word of words) each(word);
  });
}

/** The words of `text`, in order, folded. */
export function searchWords(text: string): string[] {
  const words: string[] = [];
  forEachWord(text, (word) => words.push(word));
  return words;
}

/** A word as a quoted lexeme of the tsvector and tsquery input syntax. */
function lexeme(word: string): string {
  return `'${word.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

export type SearchWeight = 'A' | 'B' | 'D';

/**
 * The `tsvector` (input syntax, for a `::tsvector` parameter) of the texts of a ticket (its
 * subject weighted A, its description B) or of a comment (its body, D): what
 * `setweight(to_tsvector(a), 'A') || setweight(to_tsvector(b), 'B')` gave, positions running on
 * from one text to the next.
 */
export function searchVector(parts: ReadonlyArray<{ text: string; weight: SearchWeight }>): string {
  /** Each word's positions as the tsvector lists them (`1A,4B`), how many, and the last. */
  const entries = new Map<string, { list: string; count: number; last: number }>();
  let position = 0;
  let size = 0;
  for (const { text, weight } of parts) {
    const suffix = weight === 'D' ? '' : weight;
    forEachWord(text, (word) => {
      position = Math.min(position + 1, MAX_POSITION);
      const seen = entries.get(word);
      if (seen) {
        if (seen.count < MAX_POSITIONS_PER_WORD && seen.last !== position) {
          seen.list += `,${position}${suffix}`;
          seen.count++;
          seen.last = position;
        }
      } else if (size + word.length <= MAX_VECTOR_CHARS) {
        entries.set(word, { list: `${position}${suffix}`, count: 1, last: position });
        size += word.length;
      }
    });
  }
  let vector = '';
  for (const [word, { list }] of entries) vector += `${vector ? ' ' : ''}${lexeme(word)}:${list}`;
  return vector;
}

/**
 * A search as a `tsquery` (input syntax, for a `::tsquery` parameter), read as web search
 * engines read one (and Postgres' `websearch_to_tsquery`): every term must match; `"quoted
 * words"` must appear together and in that order; `or` between two terms lets either match;
 * `-term` excludes. A term of several words (`lan@example.com`, `ORD-17`) is a phrase. Null
 * when the search holds no word at all: nothing matches it.
 */
export function searchQuery(search: string): string | null {
  const clauses: string[] = [];
  let or = false;
  for (const m of search.matchAll(/(-?)"([^"]*)"?|(\S+)/g)) {
    const [, quotedNot, quoted, bare] = m;
    let negated = quotedNot === '-';
    let text = quoted ?? '';
    if (bare !== undefined) {
      if (bare.toLowerCase() === 'or') {
        or = clauses.length > 0;
        continue;
      }
      negated = bare.startsWith('-');
      text = negated ? bare.slice(1) : bare;
    }
    const words = searchWords(text);
    if (words.length === 0) continue;
    const term = words.length === 1 ? lexeme(words[0]!) : `(${words.map(lexeme).join(' <-> ')})`;
    if (clauses.length > 0) clauses.push(or ? '|' : '&');
    clauses.push(negated ? `!${term}` : term);
    or = false;
  }
  return clauses.length > 0 ? clauses.join(' ') : null;
}

/** What ticket search matches of a ticket's own text: its subject (weight A) and description (B). */
export function ticketSearchVector(subject: string, description: string): string {
  return searchVector([{ text: subject, weight: 'A' }, { text: description, weight: 'B' }]);
}

/** What ticket search matches of a comment: its body. */
export function commentSearchVector(body: string): string {
  return searchVector([{ text: body, weight: 'D' }]);
}
