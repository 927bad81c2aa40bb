import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The pattern a 32-byte key setting must match: 64 hex characters, or base64. */
export const ENCRYPTION_KEY_PATTERN = /^(?:[0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=?)$/;

/** A key setting as bytes: 64 hex characters, else base64; `setting` names it in the error. */
export function parseEncryptionKey(value: string, setting: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (key.length !== 32) throw new Error(`${setting} must be 32 bytes`);
  return key;
}

/** A key's fingerprint, stored beside each ciphertext: a later rotation knows which key to use. */
export function keyIdOf(key: Buffer): string {
  return `k1:${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

/**
 * Secrets at rest: AES-256-GCM with a random IV and the owning row's id as associated data (a
 * ciphertext copied to another row does not decrypt), as IV ‖ tag ‖ ciphertext, with the key's
 * fingerprint (`keyId`) to store beside it.
 */
export class SecretBox {
  readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('a SecretBox key is 32 bytes');
    this.keyId = keyIdOf(key);
  }

  seal(owner: string, secret: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(owner));
    const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  }

  /** The clear secret; throws when the ciphertext was sealed for another owner, with another key, or altered. */
  open(owner: string, sealed: Buffer): string {
    const decipher = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(owner));
    decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }
}
