import { InitialSchema1763900000000 } from './1763900000000-initial-schema.js';
import { OrdersShipmentsMail1763960000000 } from './1763960000000-orders-shipments-mail.js';
import { OutboundMessagesFillfactor1764600000000 } from './1764600000000-outbound-messages-fillfactor.js';
import { ShipmentsFillfactor1764700000000 } from './1764700000000-shipments-fillfactor.js';
import { CustomerErasure1764900000000 } from './1764900000000-customer-erasure.js';
import { UndeliverableAddresses1765000000000 } from './1765000000000-undeliverable-addresses.js';
import { Webhooks1765100000000 } from './1765100000000-webhooks.js';
import { WebhookDeliveryClaims1765100000100 } from './1765100000100-webhook-delivery-claims.js';
import { WebhookRetention1765200000000 } from './1765200000000-webhook-retention.js';
import { OutboxJobIds1765300000000 } from './1765300000000-outbox-job-ids.js';
import { Lz4Compression1765400000000 } from './1765400000000-lz4-compression.js';
import { WebhookAttemptLeases1765600000000 } from './1765600000000-webhook-attempt-leases.js';
import { WebhookDueIndex1765600000100 } from './1765600000100-webhook-due-index.js';
import { WebhookLogWithoutForeignKeys1765700000000 } from './1765700000000-webhook-log-without-foreign-keys.js';

/** Every migration of the notifications schema, oldest first. */
export const migrations = [
  InitialSchema1763900000000,
  OrdersShipmentsMail1763960000000,
  OutboundMessagesFillfactor1764600000000,
  ShipmentsFillfactor1764700000000,
  CustomerErasure1764900000000,
  UndeliverableAddresses1765000000000,
  Webhooks1765100000000,
  WebhookDeliveryClaims1765100000100,
  WebhookRetention1765200000000,
  OutboxJobIds1765300000000,
  Lz4Compression1765400000000,
  WebhookAttemptLeases1765600000000,
  WebhookDueIndex1765600000100,
  WebhookLogWithoutForeignKeys1765700000000,
];
