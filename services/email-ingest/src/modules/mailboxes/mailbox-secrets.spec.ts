import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EmailIngestConfig } from '../../config/email-ingest.config.js';
import { MailboxSecrets } from './mailbox-secrets.js';

function secretsWith(key?: string): MailboxSecrets {
  return new MailboxSecrets(Object.assign(new EmailIngestConfig(), { MAILBOX_ENCRYPTION_KEY: key }));
}

describe('mailbox credentials at rest', () => {
  const key = randomBytes(32);
  const mailbox = '6d1f0c2a-9b3e-4f7a-8c5d-2e1b0a9f8c7d';

  it('takes the key as base64 or hex', () => {
    expect(secretsWith(key.toString('base64')).keyId).toBe(secretsWith(key.toString('hex')).keyId);
  });

  it('round-trips, with a fresh IV each time and no clear text in the ciphertext', () => {
    const secrets = secretsWith(key.toString('base64'));
    const a = secrets.encrypt(mailbox, 'Pässwörd-1');
    const b = secrets.encrypt(mailbox, 'Pässwörd-1');
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
    expect(a.ciphertext.includes(Buffer.from('Pässwörd-1'))).toBe(false);
    expect(secrets.decrypt(mailbox, a.ciphertext, a.keyId)).toBe('Pässwörd-1');
  });

  it('refuses a ciphertext moved to another mailbox, tampered with, or made with another key', () => {
    const secrets = secretsWith(key.toString('base64'));
    const { ciphertext, keyId } = secrets.encrypt(mailbox, 'secret');
    expect(() => secrets.decrypt('00000000-0000-4000-8000-000000000000', ciphertext, keyId)).toThrow();
    const tampered = Buffer.from(ciphertext);
    tampered[tampered.length - 1]! ^= 1;
    expect(() => secrets.decrypt(mailbox, tampered, keyId)).toThrow();
    const other = secretsWith(randomBytes(32).toString('base64'));
    expect(() => other.decrypt(mailbox, ciphertext, keyId)).toThrow(/another MAILBOX_ENCRYPTION_KEY/);
  });

  it('without a key, stores nothing', () => {
    const secrets = secretsWith(undefined);
    expect(secrets.configured).toBe(false);
    expect(() => secrets.encrypt(mailbox, 'secret')).toThrow(/MAILBOX_ENCRYPTION_KEY/);
  });
});
