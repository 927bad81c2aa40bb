import { DomainError } from '@careflow/platform';

/** MAILBOX_ENCRYPTION_KEY is unset: credentials cannot be stored, so mailboxes cannot be registered. */
export class EncryptionKeyMissingError extends DomainError {
  readonly status = 409;
  readonly code = 'mailbox-encryption-key-missing';
  readonly title = 'Mailbox credentials cannot be stored';
  constructor() {
    super('MAILBOX_ENCRYPTION_KEY is not configured on the email-ingest service; mailboxes cannot be registered or fetched until it is set');
  }
}

export class MailboxExistsError extends DomainError {
  readonly status = 409;
  readonly code = 'mailbox-exists';
  readonly title = 'This folder of this account is registered already';
  constructor(host: string, port: number, username: string, folder: string) {
    super(`${username} on ${host}:${port}, folder ${folder}, is registered already`);
  }
}
