/**
 * A string fit for a Postgres `text` column and for display: no NUL (Postgres refuses it), no
 * lone surrogates (invalid UTF-8 on the wire), composed (windows-1258 mail arrives with
 * combining tone marks), and at most `max` UTF-16 units.
 */
export function safeText(value: string, max: number): string {
  let text = value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
  text = text.toWellFormed().normalize('NFC');
  if (text.length > max) text = text.slice(0, max).toWellFormed();
  // A cut can split a surrogate pair; toWellFormed turned the half into U+FFFD, which is harmless.
  return text;
}

/** A header-like single line: control characters (CR, LF, TAB, …) become spaces, runs collapse. */
export function safeLine(value: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  return safeText(value.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s{2,}/g, ' ').trim(), max);
}
