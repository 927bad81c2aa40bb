import { Type } from 'class-transformer';
import { IsDate, IsObject, IsOptional, IsString, IsUUID } from 'class-validator';
import {
  MailSendPayload,
  NotificationOutcomePayload,
  OrderRecordedPayload,
  ShipmentStatusChangedPayload,
} from './payloads/commerce.payloads.js';
import { CustomerUpsertedPayload } from './payloads/customer-upserted.payload.js';
import {
  CustomerErasedPayload,
  CustomerObservedPayload,
  CustomerSegmentChangedPayload,
  SegmentsRecomputePayload,
} from './payloads/customer.payloads.js';
import {
  InboundEmailBouncedPayload,
  InboundEmailParsedPayload,
  InboundEmailProcessedPayload,
  InboundEmailReceivedPayload,
  InboundEmailRoutedPayload,
} from './payloads/inbound-email.payloads.js';
import { ShipmentIncidentPayload } from './payloads/incoming.payloads.js';
import {
  AutoCloseTimerPayload,
  SlaTimerPayload,
  TicketChangedPayload,
  TicketCommentAddedPayload,
  TicketSlaPayload,
} from './payloads/ticket.payloads.js';
import { WebhookDeliverPayload } from './payloads/webhook.payloads.js';
import { QueueName } from './queues.js';

/** Job name → payload class. The one place producer and consumer agree on a job's shape. */
export const JOB_PAYLOADS = {
  'customer.upserted': CustomerUpsertedPayload,
  'customer.segment_changed': CustomerSegmentChangedPayload,
  'customer.observed': CustomerObservedPayload,
  'customer.erased': CustomerErasedPayload,
  'segments.recompute': SegmentsRecomputePayload,
  'shipment.incident': ShipmentIncidentPayload,
  'inbound_email.received': InboundEmailReceivedPayload,
  'inbound_email.parsed': InboundEmailParsedPayload,
  'inbound_email.routed': InboundEmailRoutedPayload,
  'inbound_email.bounced': InboundEmailBouncedPayload,
  'inbound_email.processed': InboundEmailProcessedPayload,
  'ticket.created': TicketChangedPayload,
  'ticket.updated': TicketChangedPayload,
  'ticket.solved': TicketChangedPayload,
  'ticket.comment_added': TicketCommentAddedPayload,
  'ticket.sla_warning': TicketSlaPayload,
  'ticket.sla_breached': TicketSlaPayload,
  'ticket.sla_timer': SlaTimerPayload,
  'ticket.auto_close': AutoCloseTimerPayload,
  'order.recorded': OrderRecordedPayload,
  'shipment.status_changed': ShipmentStatusChangedPayload,
  'mail.send': MailSendPayload,
  'notification.sent': NotificationOutcomePayload,
  'notification.failed': NotificationOutcomePayload,
  'webhook.deliver': WebhookDeliverPayload,
} as const;

export type JobName = keyof typeof JOB_PAYLOADS;
export type JobPayload<N extends JobName> = InstanceType<(typeof JOB_PAYLOADS)[N]>;

/**
 * Which queues a job is delivered to. An outbox row becomes one BullMQ job per queue listed,
 * each with the outbox id as job id, so one event can fan out to several consumers. Every
 * event integrators may subscribe to (WebhookEventType) also goes to the webhook fan-in
 * (QueueName.WebhookEvents), which turns it into a signed message and its deliveries.
 */
export const JOB_ROUTES = {
  'customer.upserted': [QueueName.TicketsIncoming, QueueName.NotificationsIncoming, QueueName.WebhookEvents],
  'customer.segment_changed': [QueueName.TicketsIncoming, QueueName.WebhookEvents],
  'customer.observed': [QueueName.SegmentationIncoming],
  'customer.erased': [QueueName.TicketsIncoming, QueueName.NotificationsIncoming, QueueName.WebhookEvents],
  'segments.recompute': [QueueName.SegmentationRecompute],
  'shipment.incident': [QueueName.TicketsIncoming],
  'inbound_email.received': [QueueName.EmailIngestProcessing],
  'inbound_email.parsed': [QueueName.TicketsIncoming],
  'inbound_email.routed': [QueueName.EmailIngestIncoming],
  'inbound_email.bounced': [QueueName.TicketsIncoming, QueueName.NotificationsIncoming],
  'inbound_email.processed': [QueueName.WebhookEvents],
  'ticket.created': [QueueName.NotificationsIncoming, QueueName.WebhookEvents],
  'ticket.updated': [QueueName.WebhookEvents],
  'ticket.solved': [QueueName.WebhookEvents],
  'ticket.comment_added': [QueueName.NotificationsIncoming, QueueName.WebhookEvents],
  'ticket.sla_warning': [QueueName.WebhookEvents],
  'ticket.sla_breached': [QueueName.WebhookEvents],
  'ticket.sla_timer': [QueueName.TicketsTimers],
  'ticket.auto_close': [QueueName.TicketsTimers],
  'order.recorded': [QueueName.SegmentationIncoming],
  'shipment.status_changed': [QueueName.WebhookEvents],
  'mail.send': [QueueName.NotificationsMail],
  'notification.sent': [QueueName.WebhookEvents],
  'notification.failed': [QueueName.WebhookEvents],
  'webhook.deliver': [QueueName.WebhookDeliveries],
} as const satisfies { readonly [N in JobName]: readonly QueueName[] };

/**
 * Events no service consumes but the webhook fan-in (which turns them into messages only when
 * an enabled endpoint subscribes), so their producer may write them only in that case.
 */
export const WEBHOOK_ONLY_EVENTS: readonly JobName[] = (Object.keys(JOB_ROUTES) as JobName[]).filter((name) => {
  const queues: readonly QueueName[] = JOB_ROUTES[name];
  return queues.length === 1 && queues[0] === QueueName.WebhookEvents;
});

/** The job names a queue's worker must handle, derived from JOB_ROUTES. */
export type QueueJobName<Q extends QueueName> = {
  [N in JobName]: Q extends (typeof JOB_ROUTES)[N][number] ? N : never;
}[JobName];

/** What travels in a BullMQ job: the event's identity and trace data around its payload. */
export class JobEnvelope<P extends object = object> {
  /** The outbox id; also the BullMQ job id and the consumer's idempotency key. */
  @IsUUID()
  eventId!: string;

  @Type(() => Date)
  @IsDate()
  occurredAt!: Date;

  /** The request that caused the event, so logs can follow it through jobs. */
  @IsOptional()
  @IsString()
  requestId?: string;

  @IsObject()
  data!: P;
}

/** A job as a worker of queue Q sees it: a discriminated union over the names routed to Q. */
export type QueueJob<Q extends QueueName> = {
  [N in QueueJobName<Q>]: { name: N; envelope: JobEnvelope<JobPayload<N>> };
}[QueueJobName<Q>];

export function isJobName(name: string): name is JobName {
  return Object.prototype.hasOwnProperty.call(JOB_PAYLOADS, name);
}

/** Makes a switch over a job union exhaustive: a name nobody handles fails to compile. */
export function assertNever(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
