import { describe, expect, it } from 'vitest';
import { EncodedUrlText, percentEncode } from './url-text.js';

describe('URL text', () => {
  it('encodes lone surrogates as their WTF-8 bytes instead of throwing', () => {
    expect(() => encodeURIComponent('x\ud800')).toThrow(URIError);
    expect(percentEncode('x\ud800/\u0000 😀')).toBe('x%ED%A0%80%2F%00%20%F0%9F%98%80');
  });

  it('passes pre-encoded text through', () => {
    expect(percentEncode(new EncodedUrlText('%FF%zz'))).toBe('%FF%zz');
  });
});
