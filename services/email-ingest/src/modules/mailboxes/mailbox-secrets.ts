import { parseEncryptionKey, SecretBox } from '@careflow/platform';
import { Injectable } from '@nestjs/common';
import { EmailIngestConfig } from '../../config/email-ingest.config.js';
import { EncryptionKeyMissingError } from './mailboxes.exceptions.js';

/**
 * Mailbox passwords and access tokens at rest (SecretBox: AES-256-GCM, the mailbox id as
 * associated data), stored with the fingerprint of MAILBOX_ENCRYPTION_KEY.
 */
@Injectable()
export class MailboxSecrets {
  private readonly box: SecretBox | null;
  readonly keyId: string | null;

  constructor(config: EmailIngestConfig) {
    this.box = config.MAILBOX_ENCRYPTION_KEY ? new SecretBox(parseEncryptionKey(config.MAILBOX_ENCRYPTION_KEY, 'MAILBOX_ENCRYPTION_KEY')) : null;
    this.keyId = this.box?.keyId ?? null;
  }

  get configured(): boolean {
    return this.box !== null;
  }

  encrypt(mailboxId: string, secret: string): { ciphertext: Buffer; keyId: string } {
    if (!this.box) throw new EncryptionKeyMissingError();
    return { ciphertext: this.box.seal(mailboxId, secret), keyId: this.box.keyId };
  }

  /** The clear credential; throws (a message fit for the mailbox's lastError) when it cannot be read. */
  decrypt(mailboxId: string, ciphertext: Buffer, keyId: string): string {
    if (!this.box) throw new EncryptionKeyMissingError();
    if (keyId !== this.box.keyId) throw new Error(`credential was encrypted with another MAILBOX_ENCRYPTION_KEY (${keyId}); enter the password or token again`);
    return this.box.open(mailboxId, ciphertext);
  }
}
