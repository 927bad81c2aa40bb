import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EmailIngestConfig } from '../../config/email-ingest.config.js';
import { EncryptionKeyMissingError } from './mailboxes.exceptions.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The key's fingerprint, stored beside each ciphertext: a later rotation knows which key to use. */
export function keyIdOf(key: Buffer): string {
  return `k1:${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

/** MAILBOX_ENCRYPTION_KEY as bytes: 64 hex characters, else base64. */
export function parseEncryptionKey(value: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (key.length !== 32) throw new Error('MAILBOX_ENCRYPTION_KEY must be 32 bytes');
  return key;
}

/**
 * Mailbox passwords and access tokens at rest: AES-256-GCM with a random IV, the mailbox id as
 * associated data (a ciphertext copied to another row does not decrypt), stored as
 * IV ‖ tag ‖ ciphertext with the key's fingerprint.
 */
@Injectable()
export class MailboxSecrets {
  private readonly key: Buffer | null;
  readonly keyId: string | null;

  constructor(config: EmailIngestConfig) {
    this.key = config.MAILBOX_ENCRYPTION_KEY ? parseEncryptionKey(config.MAILBOX_ENCRYPTION_KEY) : null;
    this.keyId = this.key ? keyIdOf(this.key) : null;
  }

  get configured(): boolean {
    return this.key !== null;
  }

  encrypt(mailboxId: string, secret: string): { ciphertext: Buffer; keyId: string } {
    if (!this.key || !this.keyId) throw new EncryptionKeyMissingError();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(mailboxId));
    const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return { ciphertext: Buffer.concat([iv, cipher.getAuthTag(), body]), keyId: this.keyId };
  }

  /** The clear credential; throws (a message fit for the mailbox's lastError) when it cannot be read. */
  decrypt(mailboxId: string, ciphertext: Buffer, keyId: string): string {
    if (!this.key) throw new EncryptionKeyMissingError();
    if (keyId !== this.keyId) throw new Error(`credential was encrypted with another MAILBOX_ENCRYPTION_KEY (${keyId}); enter the password or token again`);
    const decipher = createDecipheriv('aes-256-gcm', this.key, ciphertext.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(mailboxId));
    decipher.setAuthTag(ciphertext.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(ciphertext.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }
}
