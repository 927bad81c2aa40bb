import type { Scope } from '@careflow/contracts';

/** An API key as the API keys repository returns it: never the key itself nor its hash. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  /** The first characters of the key, kept to tell keys apart in lists and logs. */
  prefix: string;
  scopes: Scope[];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  /** `created_at` as Postgres prints it, for keyset cursors (microseconds kept). */
  createdCursor: string;
}
