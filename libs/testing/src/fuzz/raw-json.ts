import { toStringMethod } from 'fast-check';

/**
 * JSON text spliced into a body as is: what `JSON.stringify` cannot produce (nesting 10,000
 * deep, `-0`, 2^53 + 1 exactly, `1e999`) but a client can send.
 */
export class RawJson {
  constructor(
    readonly text: string,
    private readonly label = text.length > 60 ? `${text.slice(0, 40)}…(${text.length} chars)` : text,
  ) {}

  [toStringMethod](): string {
    return `raw(${this.label})`;
  }
}

/** A JSON string literal whose content is these bytes, valid UTF-8 or not (`"` and `\` are the caller's business). */
export class RawStringBytes {
  constructor(readonly bytes: Buffer) {}

  [toStringMethod](): string {
    return `bytes(${this.bytes.toString('hex')})`;
  }
}

/** An object with one own property of any name, `__proto__` included (a literal would set the prototype). */
export function objectWith(entries: ReadonlyArray<readonly [string, unknown]>): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const [key, value] of entries) Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  return object;
}

/** Serialises like `JSON.stringify`, plus `RawJson` and `RawStringBytes`, to the bytes sent. */
export function jsonBytes(value: unknown): Buffer {
  const chunks: Buffer[] = [];
  let text = '';
  const flush = () => {
    if (text) chunks.push(Buffer.from(text, 'utf8'));
    text = '';
  };
  const write = (v: unknown): void => {
    if (v instanceof RawJson) text += v.text;
    else if (v instanceof RawStringBytes) {
      text += '"';
      flush();
      chunks.push(v.bytes);
      text += '"';
    } else if (Array.isArray(v)) {
      text += '[';
      v.forEach((item, i) => {
        if (i > 0) text += ',';
        write(item === undefined ? null : item);
      });
      text += ']';
    } else if (v !== null && typeof v === 'object') {
      text += '{';
      Object.keys(v).forEach((key, i) => {
        if (i > 0) text += ',';
        text += `${JSON.stringify(key)}:`;
        write((v as Record<string, unknown>)[key]);
      });
      text += '}';
    } else text += JSON.stringify(v) ?? 'null';
  };
  write(value);
  flush();
  return Buffer.concat(chunks);
}
