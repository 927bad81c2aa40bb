const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const ENCODED_WORD = /=\?(?:unicode-1-1-)?utf-7(?:\*[^?]*)?\?([QqBb])\?([^?]*)\?=/gi;

/** RFC 2152 UTF-7: `+` starts base64 of UTF-16 code units, `-` or any non-base64 character ends it. */
export function decodeUtf7(text: string): string {
  return text.replace(/\+([A-Za-z0-9+/]*)-?/g, (_match, b64: string) => {
    if (b64 === '') return '+';
    let bits = 0;
    let value = 0;
    let out = '';
    for (const c of b64) {
      value = (value << 6) | BASE64.indexOf(c);
      bits += 6;
      if (bits >= 16) {
        bits -= 16;
        out += String.fromCharCode((value >> bits) & 0xffff);
      }
    }
    return out;
  });
}

/** UTF-7 encoded words (RFC 2047) of a raw header value replaced by their text. */
export function decodeUtf7Words(value: string): string {
  return value.replace(ENCODED_WORD, (_match, encoding: string, payload: string) => {
    const ascii = encoding.toUpperCase() === 'B' ? Buffer.from(payload, 'base64').toString('latin1') : payload.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    return decodeUtf7(ascii);
  });
}
