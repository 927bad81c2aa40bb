import { describe, expect, it } from 'vitest';
import { jsonBytes, objectWith, RawJson, RawStringBytes } from './raw-json.js';

describe('raw JSON', () => {
  it('sends what JSON.stringify cannot: raw text, bytes that are not UTF-8, a __proto__ key', () => {
    const body = objectWith([
      ['__proto__', { admin: true }],
      ['n', new RawJson('9007199254740993')],
      ['s', new RawStringBytes(Buffer.from([0xed, 0xa0, 0x80]))],
      ['t', 'a\u0000\ud800'],
    ]);
    const expected = Buffer.concat([Buffer.from('{"__proto__":{"admin":true},"n":9007199254740993,"s":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('","t":"a\\u0000\\ud800"}')]);
    expect(jsonBytes(body).equals(expected)).toBe(true);
  });
});
