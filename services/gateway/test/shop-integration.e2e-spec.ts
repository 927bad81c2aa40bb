import { SmtpSink, useStack, WebhookReceiver } from '@careflow/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runShopIntegration } from './shop-integration.js';

/**
 * A shop's whole integration through @careflow/client, against the real stack: key, webhook
 * endpoint, customer, a ticket created twice with one Idempotency-Key, cursor pages, a
 * comment, an order, its shipment and a tracking event, the notification log, and a signed
 * webhook verified with standardwebhooks.
 */
describe('a shop integrating with @careflow/client', () => {
  let sink: SmtpSink;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    sink = await SmtpSink.start();
    receiver = await WebhookReceiver.start();
  });
  afterAll(async () => {
    await receiver?.stop();
    await sink?.stop();
  });
  const system = useStack(() => ({ env: { SMTP_URL: sink.url, MAIL_FROM: 'Shop Support <support@shop.test>' } }));

  it('runs from key to webhook, typed end to end', async () => {
    const result = await runShopIntegration({
      baseUrl: system.stack.gatewayUrl,
      adminKey: system.stack.adminKey,
      webhookUrl: receiver.url,
      receivedWebhooks: () => receiver.received,
      runId: randomUUID().slice(0, 8),
      fetch: system.contract.checkedFetch(),
    });
    expect(result.replayedTicketId).toBe(result.ticketId);
    expect(result.replayed).toBe('true');
    expect(result.ticketPages).toBe(2);
    expect(result.ticketsListed.sort()).toEqual(['Gift wrapping', 'Invoice address', 'Wrong size', 'Đơn hàng chưa được giao']);
    expect(result.shipmentStatus).toBe('out_for_delivery');
    expect(result.notificationTemplates.length).toBeGreaterThanOrEqual(2);
    expect(result.webhookEvent).toBe('ticket.created');
  });
});
