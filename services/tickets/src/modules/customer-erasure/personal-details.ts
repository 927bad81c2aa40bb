/** What replaces personal text: the same everywhere, so a reader knows why a field reads so. */
export const ERASED = '[erased]';

/** The details of an erased customer that other people's text may repeat (an agent's "Hi Lan"). */
export interface PersonalDetails {
  addresses: Iterable<string | null>;
  names: Iterable<string | null>;
  phones: Iterable<string | null>;
}

/**
 * Postgres regular expressions (ARE) that find the details as whole words: `addresses` to be
 * applied case-insensitively, `words` (names, their parts, phone numbers) case-sensitively, so
 * a customer called "An" does not take the English "an" with them. Null when there is nothing
 * to look for. With `json`, the details are written as they appear inside JSON strings
 * (`jsonb::text`), so a replacement never touches JSON's own quotes.
 */
export interface RedactionPatterns {
  addresses: string | null;
  words: string | null;
}

export function redactionPatterns(details: PersonalDetails, json = false): RedactionPatterns {
  const addresses = distinct([...details.addresses].map((a) => a?.trim().toLowerCase()));
  const names = [...details.names].flatMap((n) => {
    const name = n?.trim() ?? '';
    // The parts too: agents greet by first name. A single letter is no one's name, and would
    // take every such letter standing alone with it.
    return [name, ...name.split(/\s+/)].filter((part) => [...part].length >= 2);
  });
  const phones = [...details.phones].map((p) => p?.trim());
  const words = distinct([...names, ...phones]);
  const encode = json ? (s: string) => JSON.stringify(s).slice(1, -1) : (s: string) => s;
  return { addresses: wholeWords(addresses.map(encode)), words: wholeWords(words.map(encode)) };
}

function distinct(values: Array<string | undefined>): string[] {
  return [...new Set(values.filter((v): v is string => !!v))];
}

/** One alternation, longest first, bounded by anything that is not a letter, digit or underscore. */
function wholeWords(terms: string[]): string | null {
  if (terms.length === 0) return null;
  const alternatives = [...terms].sort((a, b) => b.length - a.length).map(escapeRegex);
  return `(?<![[:alnum:]_])(?:${alternatives.join('|')})(?![[:alnum:]_])`;
}

/** Escapes every character an ARE treats specially outside brackets. */
function escapeRegex(s: string): string {
  return s.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
}
