import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ENCRYPTION_KEY_PATTERN, keyIdOf, parseEncryptionKey, SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  const key = randomBytes(32);
  const owner = '6d1f0c2a-9b3e-4f7a-8c5d-2e1b0a9f8c7d';

  it('takes a key as base64 or hex, and names the setting when it is not 32 bytes', () => {
    for (const text of [key.toString('base64'), key.toString('hex')]) {
      expect(text).toMatch(ENCRYPTION_KEY_PATTERN);
      expect(parseEncryptionKey(text, 'SOME_KEY')).toEqual(key);
    }
    expect(() => parseEncryptionKey(randomBytes(16).toString('base64'), 'SOME_KEY')).toThrow(/SOME_KEY must be 32 bytes/);
    expect(keyIdOf(key)).toBe(new SecretBox(key).keyId);
    expect(new SecretBox(randomBytes(32)).keyId).not.toBe(new SecretBox(key).keyId);
  });

  it('round-trips, with a fresh IV each time and no clear text in the ciphertext', () => {
    const box = new SecretBox(key);
    const a = box.seal(owner, 'whsec_Pässwörd');
    const b = box.seal(owner, 'whsec_Pässwörd');
    expect(a.equals(b)).toBe(false);
    expect(a.includes(Buffer.from('Pässwörd'))).toBe(false);
    expect(box.open(owner, a)).toBe('whsec_Pässwörd');
  });

  it('refuses a ciphertext moved to another owner, tampered with, or sealed with another key', () => {
    const box = new SecretBox(key);
    const sealed = box.seal(owner, 'secret');
    expect(() => box.open('00000000-0000-4000-8000-000000000000', sealed)).toThrow();
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => box.open(owner, tampered)).toThrow();
    expect(() => new SecretBox(randomBytes(32)).open(owner, sealed)).toThrow();
  });
});
