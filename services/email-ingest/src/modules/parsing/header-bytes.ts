const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const windows1252 = new TextDecoder('windows-1252');
const utf8 = new TextEncoder();

const LF = 0x0a;
const CR = 0x0d;

/** Where the top-level header section ends (the index of its blank line), or -1 when it never does. */
export function headerSectionEnd(raw: Uint8Array): number {
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] !== LF) continue;
    if (raw[i + 1] === LF) return i + 1;
    if (raw[i + 1] === CR && raw[i + 2] === LF) return i + 1;
  }
  return -1;
}

/**
 * Top-level header lines with undeclared 8-bit bytes that are not UTF-8 (RFC 6532 allows UTF-8
 * only) re-encoded from windows-1252, what such senders almost always mean; postal-mime would
 * otherwise turn every such byte into U+FFFD. Bodies declare their charset and are left alone.
 */
export function repairHeaderBytes(raw: Uint8Array): Uint8Array {
  const end = headerSectionEnd(raw);
  const headerEnd = end < 0 ? raw.length : end;
  const pieces: Uint8Array[] = [];
  let changed = false;
  let start = 0;
  while (start < headerEnd) {
    let stop = raw.indexOf(LF, start);
    stop = stop < 0 || stop >= headerEnd ? headerEnd : stop + 1;
    const line = raw.subarray(start, stop);
    if (line.some((b) => b >= 0x80) && !isUtf8(line)) {
      pieces.push(utf8.encode(windows1252.decode(line)));
      changed = true;
    } else {
      pieces.push(line);
    }
    start = stop;
  }
  if (!changed) return raw;
  pieces.push(raw.subarray(headerEnd));
  const total = pieces.reduce((n, p) => n + p.length, 0);
  const result = new Uint8Array(total);
  let at = 0;
  for (const piece of pieces) {
    result.set(piece, at);
    at += piece.length;
  }
  return result;
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}
