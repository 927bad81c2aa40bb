/**
 * What no text the API takes may contain, wherever it is (a JSON string or key, a query value,
 * a path segment, a cursor): Postgres refuses NUL in text and jsonb, and an unpaired UTF-16
 * surrogate is not text at all (jsonb refuses it, text columns store U+FFFD while the client
 * was told its own string was kept). Null when the text is acceptable, else why not.
 */
export function textProblem(text: string): string | null {
  if (text.includes('\u0000')) return 'must not contain NUL (U+0000) characters';
  if (!text.isWellFormed()) return 'must not contain unpaired UTF-16 surrogates';
  return null;
}

/**
 * Blank: nothing a reader would see. Whitespace, but also zero-width and other format
 * characters (U+200B, U+FEFF, U+2060 …) and control characters, which `\S` lets through.
 */
export function isBlank(text: string): boolean {
  return /^[\s\p{Cf}\p{Cc}\p{Z}]*$/u.test(text);
}
