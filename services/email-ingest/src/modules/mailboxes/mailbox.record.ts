export const MailboxTls = ['implicit', 'starttls', 'none'] as const;
export type MailboxTls = (typeof MailboxTls)[number];

export const AfterFetch = ['seen', 'move', 'delete'] as const;
export type AfterFetch = (typeof AfterFetch)[number];

export const MailboxAuthMethod = ['password', 'xoauth2'] as const;
export type MailboxAuthMethod = (typeof MailboxAuthMethod)[number];

/** What the fetcher is doing; `disabled` is not stored, it is shown for a mailbox turned off. */
export const StoredMailboxState = ['connecting', 'idle', 'polling', 'error'] as const;
export type StoredMailboxState = (typeof StoredMailboxState)[number];
export const MailboxState = [...StoredMailboxState, 'disabled'] as const;
export type MailboxState = (typeof MailboxState)[number];

/** The settings of a mailbox, as the API takes them (the credential still in clear). */
export interface MailboxSettings {
  name: string;
  host: string;
  port: number;
  tls: MailboxTls;
  username: string;
  folder: string;
  afterFetch: AfterFetch;
  moveTo: string | null;
  groupKey: string | null;
  enabled: boolean;
  pollSeconds: number;
}

/** A credential as stored: AES-256-GCM output and the fingerprint of the key that made it. */
export interface EncryptedSecret {
  authMethod: MailboxAuthMethod;
  ciphertext: Buffer;
  keyId: string;
}

/** A mailbox as the repository returns it (never the credential). */
export interface MailboxRecord extends MailboxSettings {
  id: string;
  authMethod: MailboxAuthMethod;
  version: number;
  state: StoredMailboxState;
  lastFetchAt: Date | null;
  lastSuccessAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  consecutiveFailures: number;
  fetchedCount: number;
  createdAt: Date;
  updatedAt: Date;
  /** `created_at` as Postgres prints it, for keyset cursors. */
  createdCursor: string;
}

/** What a fetcher needs: the settings, the encrypted credential, and where the last fetch stopped. */
export interface MailboxForFetch extends MailboxRecord {
  secret: EncryptedSecret;
  uidValidity: bigint | null;
  lastUid: number;
}

/** Fields a PATCH changes; undefined leaves a field as it is. */
export type MailboxChanges = Partial<MailboxSettings> & { secret?: EncryptedSecret };
