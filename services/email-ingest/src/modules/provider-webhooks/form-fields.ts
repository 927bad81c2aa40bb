/** A form body's fields as bytes, by name (the first of a repeated name). */
export type FormFields = Map<string, Buffer>;

export class MalformedFormError extends Error {}

const CRLF = Buffer.from('\r\n');
const HEADERS_END = Buffer.from('\r\n\r\n');

/**
 * The fields of a multipart/form-data or application/x-www-form-urlencoded body, each as the
 * exact bytes sent: a raw message may hold 8-bit text in any charset, and a form parser that
 * decodes fields to strings (busboy decodes by the part's charset) cannot give them back.
 * File parts are fields too (a sender may attach the MIME as one).
 */
export function parseFormFields(contentType: string, body: Buffer): FormFields {
  if (/^\s*multipart\/form-data\s*(;|$)/i.test(contentType)) return parseMultipart(contentType, body);
  return parseUrlEncoded(body);
}

/** RFC 7578 (RFC 2046 5.1.1 delimiters); part headers other than Content-Disposition are ignored. */
function parseMultipart(contentType: string, body: Buffer): FormFields {
  const match = /;\s*boundary=(?:"([^"]{1,70})"|([^";\s]{1,70}))/i.exec(contentType);
  if (!match) throw new MalformedFormError('multipart/form-data without a boundary');
  const dashBoundary = Buffer.from(`--${match[1] ?? match[2]}`, 'latin1');
  const delimiter = Buffer.concat([CRLF, dashBoundary]);
  const fields: FormFields = new Map();
  // The first boundary opens the body or follows a preamble line.
  let at = body.subarray(0, dashBoundary.length).equals(dashBoundary) ? 0 : body.indexOf(delimiter);
  if (at < 0) throw new MalformedFormError('the body has no multipart boundary');
  if (at > 0) at += CRLF.length;
  for (;;) {
    let cursor = at + dashBoundary.length;
    if (body[cursor] === 0x2d && body[cursor + 1] === 0x2d) return fields; // the close delimiter
    while (body[cursor] === 0x20 || body[cursor] === 0x09) cursor++; // transport padding
    if (body[cursor] !== 0x0d || body[cursor + 1] !== 0x0a) throw new MalformedFormError('a multipart boundary is not followed by a line break');
    const partStart = cursor + CRLF.length;
    const next = body.indexOf(delimiter, partStart);
    if (next < 0) throw new MalformedFormError('the multipart body ends without its closing boundary');
    const part = body.subarray(partStart, next);
    const headersEnd = part.subarray(0, 2).equals(CRLF) ? 0 : part.indexOf(HEADERS_END);
    if (headersEnd < 0) throw new MalformedFormError('a multipart part has no header end');
    const headers = part.subarray(0, headersEnd).toString('utf8');
    const content = part.subarray(headersEnd === 0 ? CRLF.length : headersEnd + HEADERS_END.length);
    const name = fieldName(headers);
    if (name !== undefined && !fields.has(name)) fields.set(name, Buffer.from(content));
    at = next + CRLF.length;
  }
}

/** The `name` of a part's `Content-Disposition: form-data; name="…"`. */
function fieldName(headers: string): string | undefined {
  const disposition = headers
    .replace(/\r\n[ \t]+/g, ' ')
    .split('\r\n')
    .find((line) => /^content-disposition\s*:/i.test(line));
  if (!disposition || !/:\s*form-data\s*(;|$)/i.test(disposition)) return undefined;
  const name = /;\s*name\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(disposition);
  if (!name) return undefined;
  return name[1] !== undefined ? name[1].replace(/\\(.)/g, '$1') : name[2];
}

/** `a=1&b=x%FF+y`, percent-decoded to bytes (URLSearchParams decodes to UTF-8 and replaces what is not). */
function parseUrlEncoded(body: Buffer): FormFields {
  const fields: FormFields = new Map();
  for (const pair of body.toString('latin1').split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const name = decodeComponent(eq < 0 ? pair : pair.slice(0, eq)).toString('utf8');
    if (!fields.has(name)) fields.set(name, decodeComponent(eq < 0 ? '' : pair.slice(eq + 1)));
  }
  return fields;
}

function decodeComponent(text: string): Buffer {
  const out = Buffer.alloc(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2b) out[n++] = 0x20;
    else if (c === 0x25 && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      out[n++] = parseInt(text.slice(i + 1, i + 3), 16);
      i += 2;
    } else out[n++] = c;
  }
  return out.subarray(0, n);
}
