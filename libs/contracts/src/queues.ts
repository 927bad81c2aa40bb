/**
 * Every BullMQ queue of the system, one per consuming concern.
 *
 * A queue name is stored with every job in Redis: renaming or removing one strands the jobs
 * in flight under the old name. Add new names; never rename or reuse an existing one.
 */
export const QueueName = Object.freeze({
  /** Events the tickets service reacts to (customer projection, incidents, inbound mail). */
  TicketsInbox: 'tickets-inbox',
  /** The tickets service's own timers: SLA warnings and breaches, auto-close (delayed jobs). */
  TicketsTimers: 'tickets-timers',
  /** Events the segmentation service reacts to (recorded orders). */
  SegmentationInbox: 'segmentation-inbox',
  /** Events the notifications service reacts to (ticket mail, customer contacts). */
  NotificationsInbox: 'notifications-inbox',
  /** Outbound e-mail to send, one job per recorded message (retries with backoff). */
  NotificationsMail: 'notifications-mail',
} as const);

export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export const ALL_QUEUES: readonly QueueName[] = Object.freeze(Object.values(QueueName));
