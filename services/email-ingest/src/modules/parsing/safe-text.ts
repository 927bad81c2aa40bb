// Bytes 0x80-0x9F of windows-1252 (WHATWG decodes every latin1 label so). Node 20's TextDecoder
// decodes windows-1252 and latin1 as ISO-8859-1 and yields C1 controls instead, which no real
// text contains; they are mapped back here. Undefined positions stay as they are.
const WINDOWS_1252_C1 = [
  '€', '\u0081', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u008d', 'Ž', '\u008f',
  '\u0090', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u009d', 'ž', 'Ÿ',
];

/**
 * A string fit for a Postgres `text` column and for display: no NUL (Postgres refuses it), no
 * lone surrogates (invalid UTF-8 on the wire), composed (windows-1258 mail arrives with
 * combining tone marks), and at most `max` UTF-16 units.
 */
export function safeText(value: string, max: number): string {
  let text = value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
  if (/[\u0080-\u009f]/.test(text)) text = text.replace(/[\u0080-\u009f]/g, (c) => WINDOWS_1252_C1[c.charCodeAt(0) - 0x80] ?? c);
  text = text.toWellFormed().normalize('NFC');
  if (text.length > max) text = text.slice(0, max).toWellFormed();
  // A cut can split a surrogate pair; toWellFormed turned the half into U+FFFD, which is harmless.
  return text;
}

/** A header-like single line: control characters (CR, LF, TAB, …) become spaces, runs collapse. */
export function safeLine(value: string, max: number): string {
  return safeText(value.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s{2,}/g, ' ').trim(), max);
}
