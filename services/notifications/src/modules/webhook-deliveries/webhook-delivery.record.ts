import type { WebhookTargetRecord } from './webhook-target.record.js';

export type WebhookDeliveryStatus = 'pending' | 'succeeded' | 'failed';

/** An attempt of a delivery that a worker has just claimed: what to send, and where. */
export interface ClaimedDeliveryRecord {
  id: string;
  attempt: number;
  /** When the attempt was claimed (its log row's start). */
  startedAt: Date;
  messageId: string;
  /** The message body as stored, the bytes every attempt sends and signs. */
  body: string;
  /** Its endpoint, as read by the claim. */
  target: WebhookTargetRecord;
}

/** A delivery waiting for an attempt (the reconciler's and the replays' view). */
export interface DueDeliveryRecord {
  id: string;
  /** Attempts made so far; the next one is attempts + 1. */
  attempts: number;
  nextAttemptAt: Date;
  /** An attempt is under way (its lease ends at nextAttemptAt). */
  underWay: boolean;
}

export interface WebhookAttemptRecord {
  attempt: number;
  startedAt: Date;
  durationMs: number | null;
  statusCode: number | null;
  responseExcerpt: string | null;
  error: string | null;
}

/** A delivery with its message's type and every attempt, as the delivery log shows it. */
export interface WebhookDeliveryRecord {
  id: string;
  endpointId: string;
  messageId: string;
  eventType: string;
  status: WebhookDeliveryStatus;
  nextAttemptAt: Date | null;
  createdAt: Date;
  createdCursor: string;
  attempts: WebhookAttemptRecord[];
}
