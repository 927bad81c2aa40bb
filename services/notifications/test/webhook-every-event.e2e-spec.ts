import { WebhookEventType } from '@careflow/contracts';
import { buildMail, eventually, SmtpSink, useStack, WebhookReceiver, type ReceivedWebhook } from '@careflow/testing';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { createHash, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface CatalogueEntry {
  name: string;
  schema: Record<string, unknown>;
}

interface Endpoint {
  id: string;
  secret: string;
  receiver: WebhookReceiver;
}

/** Signed messages that this file's story causes are picked out by their data, one predicate per event. */
type Expected = Record<WebhookEventType, (data: Json) => boolean>;

const HOUR = 3600;
/** Urgent tickets are due this soon in this stack, and warned about SLA_WARNING_LEAD_SECONDS before. */
const URGENT_FIRST_RESPONSE_SECONDS = 4;
/** The filtered endpoint's subscription: one event from each of three services. */
const FILTERED = ['ticket.solved', 'shipment.status_changed', 'customer.erased'] as const;

/** The schema with every object that lists its properties closed to others (`additionalProperties: false`). */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (schema === null || typeof schema !== 'object') return schema;
  const out = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, k === 'example' ? v : closed(v)]));
  if ('properties' in out && !('additionalProperties' in out)) out['additionalProperties'] = false;
  return out;
}

/**
 * Issue 14's promise, end to end: every event of the catalogue (GET /v1/webhook-events) is
 * caused through the gateway, the way a shop and its shoppers cause it, and reaches a real
 * HTTP receiver subscribed to `*` as a Standard Webhooks message that the official library
 * verifies, whose body is `{ type, timestamp, data }` and validates against the event's schema
 * in the catalogue; a receiver subscribed to a few events gets those and nothing else.
 */
describe('every webhook event, caused through the gateway and delivered', () => {
  let sink: SmtpSink;
  // Registered before the stack, so the sink is up before it starts and stops after it.
  beforeAll(async () => {
    sink = await SmtpSink.start();
  });
  afterAll(async () => sink?.stop());

  const system = useStack(() => ({
    env: {
      SMTP_URL: sink.url,
      MAIL_FROM: 'Shop Support <support@shop.test>',
      RATE_LIMIT_PER_MINUTE: '0',
      SLA_WARNING_LEAD_SECONDS: '2',
      WEBHOOK_RETRY_SCHEDULE: '0,1,1,1',
    },
  }));

  const receivers: WebhookReceiver[] = [];
  afterAll(async () => Promise.all(receivers.map((r) => r.stop())));

  let catalogue: CatalogueEntry[];
  let everything: Endpoint;
  let filtered: Endpoint;

  async function endpoint(events: readonly string[]): Promise<Endpoint> {
    const receiver = await WebhookReceiver.start();
    receivers.push(receiver);
    const res = await system.api.post('/v1/webhooks').set(system.admin()).send({ url: receiver.url, events, description: `receives ${events.join(', ')}` });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return { id: res.body.id, secret: res.body.secret, receiver };
  }

  beforeAll(async () => {
    const res = await system.api.get('/v1/webhook-events').set(system.admin()).expect(200);
    catalogue = res.body.data;
    everything = await endpoint(['*']);
    filtered = await endpoint(FILTERED);
  });

  const typeOf = (w: ReceivedWebhook) => (JSON.parse(w.body) as { type: string }).type;
  const sha256 = (text: string) => createHash('sha256').update(text.trim().toLowerCase()).digest('hex');

  async function send(method: 'post' | 'put' | 'patch' | 'delete', path: string, body: object | undefined, status: number): Promise<Json> {
    const res = await system.api[method](path).set(system.admin()).send(body);
    expect(res.status, `${method.toUpperCase()} ${path}: ${JSON.stringify(res.body)}`).toBe(status);
    return res.body;
  }

  const openTicket = (email: string, extra: Json = {}) =>
    send('post', '/v1/tickets', { subject: 'Where is my parcel?', description: 'Order has not arrived.', customer: { email, name: 'Lan' }, channel: 'api', ...extra }, 201);

  /** Every event the story below causes, each recognised by what its data is about. */
  let expected: Expected;

  it('delivers every event of the catalogue to a * endpoint, signed, as { type, timestamp, data } valid against its schema', async () => {
    const tag = randomUUID().slice(0, 8);
    const customerId = `cus_${tag}`;
    const email = `${customerId}@example.com`;

    // A customer (customer.upserted) who orders (customer.segment_changed) and is shipped the
    // order (the shipping notice: notification.sent), which moves (shipment.status_changed).
    await send('put', `/v1/customers/${customerId}`, { email, name: 'Lan', locale: 'en' }, 200);
    await eventually(async () => {
      const { rows } = await system.stack.db.pool.query(`SELECT 1 FROM notifications.customers WHERE external_id = $1`, [customerId]);
      expect(rows).toHaveLength(1);
    }, 20_000);
    const order = `ord_${tag}`;
    await send('post', '/v1/orders', { externalId: order, customerExternalId: customerId, channel: 'online', total: '250000', currency: 'VND', placedAt: '2026-11-20T08:15:00Z', items: [] }, 201);
    const shipment = await send('post', `/v1/orders/${order}/shipments`, { carrier: 'UPS', trackingNumber: `1Z${tag}` }, 201);
    await send('post', `/v1/shipments/${shipment.id}/events`, { eventId: `scan-${tag}`, status: 'in_transit', occurredAt: new Date().toISOString(), description: 'Left the Hà Nội hub' }, 202);

    // A ticket that is created, re-prioritised, answered and solved.
    const ticket = await openTicket(email, { customer: { externalId: customerId, email, name: 'Lan' } });
    await send('patch', `/v1/tickets/${ticket.id}`, { priority: 'high' }, 200);
    const comment = await send('post', `/v1/tickets/${ticket.id}/comments`, { body: 'It left the hub today.', public: true, author: { type: 'agent', name: 'Minh' } }, 201);
    await send('patch', `/v1/tickets/${ticket.id}`, { status: 'solved' }, 200);

    // An urgent ticket nobody answers: warned about, then breached (targets shrunk to seconds).
    await send(
      'put',
      '/v1/sla-policies',
      { policies: ['vip', 'regular', 'online', 'walk_in'].map((segment) => ({ segment, priority: 'urgent', firstResponseSeconds: URGENT_FIRST_RESPONSE_SECONDS, nextResponseSeconds: URGENT_FIRST_RESPONSE_SECONDS, resolutionSeconds: 24 * HOUR })) },
      200,
    );
    const urgent = await openTicket(`urgent_${tag}@example.com`, { priority: 'urgent' });

    // A shopper whose mail server refuses the acknowledgement for good (notification.failed).
    const refused = `refused_${tag}@example.com`;
    sink.rejectRecipient(refused, 550, '5.1.1 Recipient address rejected');
    await openTicket(refused);

    // Support mail (inbound_email.processed).
    const messageId = `<${randomUUID()}@mail.example.com>`;
    const inbound = await system.api
      .post('/v1/inbound/email')
      .set(system.admin())
      .set('content-type', 'message/rfc822')
      .send(buildMail({ from: `Lan <mail_${tag}@example.com>`, subject: 'Broken mug', text: 'The handle came off.', messageId }))
      .expect(202);

    // A customer who asks to be forgotten (customer.erased).
    const gone = `gone_${tag}`;
    const goneEmail = `${gone}@example.com`;
    await send('put', `/v1/customers/${gone}`, { email: goneEmail, name: 'Hoa' }, 200);
    await send('delete', `/v1/customers/${gone}`, undefined, 204);

    expected = {
      'customer.upserted': (d) => d.externalId === customerId && d.email === email,
      'customer.segment_changed': (d) => d.externalId === customerId && d.segments.length > 0,
      'customer.erased': (d) => d.externalId === gone && d.emailHashes.includes(sha256(goneEmail)),
      'shipment.status_changed': (d) => d.shipmentId === shipment.id && d.status === 'in_transit' && d.orderExternalId === order,
      'notification.sent': (d) => d.to === email && d.status === 'sent' && d.template === 'shipment_created',
      'notification.failed': (d) => d.to === refused && d.status === 'failed' && String(d.error).includes('550'),
      'ticket.created': (d) => d.ticket.id === ticket.id && d.ticket.number === ticket.number,
      'ticket.updated': (d) => d.ticket.id === ticket.id && d.changes.priority?.to === 'high',
      'ticket.comment_added': (d) => d.ticket.id === ticket.id && d.comment.id === comment.id,
      'ticket.solved': (d) => d.ticket.id === ticket.id && d.ticket.status === 'solved',
      'ticket.sla_warning': (d) => d.ticket.id === urgent.id && d.metric === 'first_response' && Date.parse(d.dueAt) === Date.parse(urgent.firstResponseDueAt),
      'ticket.sla_breached': (d) => d.ticket.id === urgent.id && d.metric === 'first_response' && Date.parse(d.dueAt) === Date.parse(urgent.firstResponseDueAt),
      'inbound_email.processed': (d) => d.id === inbound.body.id && d.status === 'ticket_created' && d.messageId === messageId,
    };
    expect(Object.keys(expected).sort()).toEqual([...WebhookEventType].sort());

    // Each expected event arrives at the * endpoint; the breach comes last, seconds after the ticket.
    const got = await eventually(
      () => {
        const found = Object.entries(expected).map(([type, about]) => ({
          type,
          webhook: everything.receiver.received.find((w) => typeOf(w) === type && about((JSON.parse(w.body) as { data: Json }).data)),
        }));
        const missing = found.filter((f) => !f.webhook).map((f) => f.type);
        expect(missing, `not delivered; received: ${[...new Set(everything.receiver.received.map(typeOf))].sort().join(', ')}`).toEqual([]);
        return found as Array<{ type: WebhookEventType; webhook: ReceivedWebhook }>;
      },
      40_000,
      100,
    );

    // The catalogue's schemas are JSON Schema 2020-12 (formats are not asserted: the checks below are about shape).
    const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
    const bodyIds = new Set<string>();
    for (const { type, webhook } of got) {
      const payload = new Webhook(everything.secret).verify(webhook.body, webhook.headers as Record<string, string>) as { type: string; timestamp: string; data: Json };
      expect(Object.keys(payload).sort(), type).toEqual(['data', 'timestamp', 'type']);
      expect(payload.type).toBe(type);
      expect(new Date(payload.timestamp).toISOString(), type).toBe(payload.timestamp);
      expect(webhook.headers['webhook-id'], type).toMatch(/^msg_[0-9A-Z]{26}$/);
      expect(webhook.headers['content-type'], type).toBe('application/json');
      bodyIds.add(String(webhook.headers['webhook-id']));

      const entry = catalogue.find((e) => e.name === type);
      expect(entry, `${type} is in the catalogue`).toBeDefined();
      const { $schema: _, ...schema } = entry!.schema;
      const validate = ajv.compile(schema);
      expect(validate(payload), `${type}: ${ajv.errorsText(validate.errors)}\n${webhook.body}`).toBe(true);
      // The schema says something: a body without its data does not pass.
      expect(validate({ ...payload, data: {} }), `${type}'s schema refuses empty data`).toBe(false);
      // And everything: no field travels that the catalogue does not document.
      const documented = ajv.compile(closed(schema) as object);
      expect(documented(payload), `${type}, undocumented fields: ${ajv.errorsText(documented.errors)}`).toBe(true);
      expect(documented({ ...payload, data: { ...payload.data, undocumented: true } }), `${type}'s closed schema refuses an extra field`).toBe(false);
    }
    expect(bodyIds.size, 'one message per event').toBe(got.length);
  });

  it('gives an endpoint subscribed to a few events those, and nothing else', async () => {
    expect(expected, 'the story of the test above ran').toBeDefined();
    await eventually(() => {
      for (const type of FILTERED) {
        const about = expected[type];
        expect(
          filtered.receiver.received.some((w) => typeOf(w) === type && about((JSON.parse(w.body) as { data: Json }).data)),
          `${type} delivered to the filtered endpoint`,
        ).toBe(true);
      }
    }, 20_000);
    // By now the * endpoint has had every other event; give stragglers a moment to arrive where they must not.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect([...new Set(filtered.receiver.received.map(typeOf))].sort()).toEqual([...FILTERED].sort());
    for (const w of filtered.receiver.received) new Webhook(filtered.secret).verify(w.body, w.headers as Record<string, string>);

    const log = await system.api.get(`/v1/webhooks/${filtered.id}/deliveries`).set(system.admin()).expect(200);
    expect([...new Set((log.body.data as Array<{ eventType: string }>).map((d) => d.eventType))].sort()).toEqual([...FILTERED].sort());
  });
});
