/** A webhook endpoint as the repository returns it (its secrets apart: WebhookEndpointSecrets). */
export interface WebhookEndpointRecord {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  rateLimit: number | null;
  enabled: boolean;
  disabledAt: Date | null;
  disabledReason: string | null;
  failingSince: Date | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
  /** created_at with microseconds, for cursors. */
  createdCursor: string;
}

/** What changes in a PATCH: undefined leaves a field alone. */
export interface WebhookEndpointPatch {
  url?: string;
  events?: string[];
  description?: string | null;
  rateLimit?: number | null;
  enabled?: boolean;
}
