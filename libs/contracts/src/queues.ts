/**
 * Every BullMQ queue of the system, one per consuming concern.
 *
 * A queue name is stored with every job in Redis: renaming a queue strands the jobs published
 * under the old name, which no worker would take any more. So a renamed queue keeps its old
 * name in RETIRED_QUEUE_NAMES, and its worker drains the old name as well until no deployment
 * can still hold jobs there. Never reuse a name, old or new, for another queue.
 */
export const QueueName = Object.freeze({
  /** Events of other services the tickets service reacts to (customer projection, incidents, inbound mail). */
  TicketsIncoming: 'tickets-incoming',
  /** The tickets service's own timers: SLA warnings and breaches, auto-close (delayed jobs). */
  TicketsTimers: 'tickets-timers',
  /** Events of other services the segmentation service reacts to (recorded orders, customers seen on tickets). */
  SegmentationIncoming: 'segmentation-incoming',
  /** Recomputes of every customer's segments after a rule change (long jobs, apart from the incoming ones). */
  SegmentationRecompute: 'segmentation-recompute',
  /** Events of other services the notifications service reacts to (ticket mail, customer contacts). */
  NotificationsIncoming: 'notifications-incoming',
  /** Inbound messages whose raw bytes are stored, to parse, classify and hand on (one job per message). */
  EmailIngestProcessing: 'email-ingest-processing',
  /** Events of other services email-ingest reacts to (where tickets put a message). */
  EmailIngestIncoming: 'email-ingest-incoming',
  /** Events of every service that integrators can subscribe to: each becomes a webhook message and its deliveries. */
  WebhookEvents: 'notifications-webhook-events',
  /** Webhook deliveries to attempt, one job per (message, endpoint) attempt; retries are delayed jobs rebuilt from Postgres. */
  WebhookDeliveries: 'notifications-webhook-deliveries',
  /** Outbound e-mail to send, one job per recorded message (retries with backoff). */
  NotificationsMail: 'notifications-mail',
} as const);

export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export const ALL_QUEUES: readonly QueueName[] = Object.freeze(Object.values(QueueName));

/**
 * Earlier names of renamed queues. The `*-incoming` queues were `*-inbox` until inbox came to
 * mean e-mail in this product. A worker also consumes its queue's retired names, and its job
 * ledger counts a job processed under either name once (QueueWorker).
 */
export const RETIRED_QUEUE_NAMES: Readonly<Partial<Record<QueueName, readonly string[]>>> = Object.freeze({
  [QueueName.TicketsIncoming]: ['tickets-inbox'],
  [QueueName.SegmentationIncoming]: ['segmentation-inbox'],
  [QueueName.NotificationsIncoming]: ['notifications-inbox'],
});
