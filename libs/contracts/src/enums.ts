/** The shared vocabulary of API.md. Values are wire format: never rename one. */

export const TicketStatus = ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'] as const;
export type TicketStatus = (typeof TicketStatus)[number];

export const TicketPriority = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TicketPriority)[number];

export const Channel = ['email', 'web', 'api', 'phone', 'chat', 'sms', 'social'] as const;
export type Channel = (typeof Channel)[number];

export const Segment = ['vip', 'regular', 'online', 'walk_in'] as const;
export type Segment = (typeof Segment)[number];

export const OrderChannel = ['online', 'in_store'] as const;
export type OrderChannel = (typeof OrderChannel)[number];

export const ShipmentStatus = [
  'created',
  'in_transit',
  'out_for_delivery',
  'delivered',
  'failed_attempt',
  'exception',
  'returned',
] as const;
export type ShipmentStatus = (typeof ShipmentStatus)[number];

export const CommentAuthorType = ['agent', 'customer', 'system'] as const;
export type CommentAuthorType = (typeof CommentAuthorType)[number];

export const InboundEmailStatus = [
  'queued',
  'ticket_created',
  'appended',
  'duplicate',
  'ignored_auto_reply',
  'bounce',
  'rejected',
] as const;
export type InboundEmailStatus = (typeof InboundEmailStatus)[number];

export const NotificationStatus = ['queued', 'sent', 'failed', 'suppressed'] as const;
export type NotificationStatus = (typeof NotificationStatus)[number];

/** API key scopes. `admin` implies every other scope. */
export const Scope = [
  'tickets:read',
  'tickets:write',
  'customers:read',
  'customers:write',
  'orders:write',
  'inbound:write',
  'webhooks:manage',
  'admin',
] as const;
export type Scope = (typeof Scope)[number];

/** Events an integrator can subscribe a webhook endpoint to. */
export const WebhookEventType = [
  'ticket.created',
  'ticket.updated',
  'ticket.comment_added',
  'ticket.solved',
  'ticket.sla_warning',
  'ticket.sla_breached',
  'customer.upserted',
  'customer.segment_changed',
  'customer.erased',
  'shipment.status_changed',
  'notification.sent',
  'notification.failed',
  'inbound_email.processed',
] as const;
export type WebhookEventType = (typeof WebhookEventType)[number];

/** What kind of request a ticket is; shipment exceptions are incidents handled first. */
export const TicketType = ['question', 'incident', 'problem', 'task', 'shipment_exception'] as const;
export type TicketType = (typeof TicketType)[number];

export const SlaMetric = ['first_response', 'next_response', 'resolution'] as const;
export type SlaMetric = (typeof SlaMetric)[number];
