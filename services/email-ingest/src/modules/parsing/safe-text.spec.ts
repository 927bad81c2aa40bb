import { describe, expect, it } from 'vitest';
import { safeLine, safeText } from './safe-text.js';
import { decodeUtf7, decodeUtf7Words } from './utf7.js';

describe('safeText', () => {
  it('removes NUL, repairs lone surrogates and composes', () => {
    expect(safeText('a\u0000b\ud800c e\u0302\u0301', 100)).toBe('ab\ufffdc ế');
  });
  it('maps C1 controls back to windows-1252 (Node 20 decodes windows-1252 as latin1)', () => {
    expect(new TextDecoder('windows-1252').decode(new Uint8Array([0x80, 0x96]))).toMatch(/^(?:€–|\u0080\u0096)$/);
    expect(safeText('\u0080 \u0096 \u0093x\u0094', 100)).toBe('€ – “x”');
  });
  it('cuts at the limit without leaving half a surrogate pair', () => {
    expect(safeText('ab😀', 3)).toBe('ab\ufffd');
  });
  it('flattens a header value to one line', () => {
    expect(safeLine(' a\r\n\tb  c\u0007 ', 100)).toBe('a b c');
  });
});

describe('UTF-7', () => {
  it('decodes RFC 2152 text and encoded words', () => {
    expect(decodeUtf7('Hi Mom -+Jjo--!')).toBe('Hi Mom -☺-!');
    expect(decodeUtf7('1 +- 1')).toBe('1 + 1');
    expect(decodeUtf7Words('=?utf-7?Q?Caf+AOk-?= ok')).toBe('Café ok');
  });
});
