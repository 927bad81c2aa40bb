import { createCareflowClient, Webhook, type paths } from '@careflow/client';

/** What POST /v1/tickets takes, read from the operation (schema names may change, paths do not). */
type NewTicket = NonNullable<paths['/v1/tickets']['post']['requestBody']>['content']['application/json'];

/**
 * An online shop's integration, written as a shop's engineer would write it against
 * @careflow/client alone: strict, no casts, no `any` (eslint holds this file to that). The e2e
 * suite runs it against the real stack (shop-integration.e2e-spec.ts).
 */
export interface ShopIntegrationOptions {
  baseUrl: string;
  /** A key allowed to create keys: the shop's operator, once. */
  adminKey: string;
  /** Where the shop receives webhooks, and what has arrived there so far. */
  webhookUrl: string;
  receivedWebhooks(): ReadonlyArray<{ headers: Record<string, string | string[] | undefined>; body: string }>;
  /** Unique per run, so runs never see each other's customers and orders. */
  runId: string;
  /** The fetch to send with (the suite passes one that checks every answer against the OpenAPI document). */
  fetch?: (request: Request) => Promise<Response>;
}

export interface ShopIntegrationResult {
  ticketId: string;
  replayedTicketId: string;
  replayed: string | null;
  ticketPages: number;
  ticketsListed: string[];
  commentId: string;
  orderExternalId: string;
  shipmentId: string;
  shipmentStatus: string;
  notificationTemplates: string[];
  webhookEvent: string;
}

export async function runShopIntegration(options: ShopIntegrationOptions): Promise<ShopIntegrationResult> {
  const operator = createCareflowClient({ apiKey: options.adminKey, baseUrl: options.baseUrl, fetch: options.fetch });
  const key = required(
    await operator.POST('/v1/api-keys', {
      body: { name: `shop backend ${options.runId}`, scopes: ['tickets:read', 'tickets:write', 'customers:read', 'customers:write', 'orders:write', 'webhooks:manage'] },
    }),
  );
  const shop = createCareflowClient({ apiKey: key.key, baseUrl: options.baseUrl, fetch: options.fetch });

  // Webhooks first, so the shop hears about what follows.
  const endpoint = required(await shop.POST('/v1/webhooks', { body: { url: options.webhookUrl, events: ['ticket.created'], description: 'shop backend' } }));

  const customerId = `cus_${options.runId}`;
  const email = `${customerId}@example.com`;
  required(
    await shop.PUT('/v1/customers/{externalId}', {
      params: { path: { externalId: customerId } },
      body: { email, name: 'Nguyễn Thị Lan', locale: 'vi', tags: ['newsletter'] },
    }),
  );

  // A shop retrying a request it is unsure about sends the same key, and gets the same ticket.
  const complaint = {
    subject: 'Đơn hàng chưa được giao',
    description: 'My order was due on Monday and the tracking page has not moved since.',
    channel: 'api',
    type: 'question',
    customer: { externalId: customerId, email },
  } satisfies NewTicket;
  const idempotencyKey = `complaint-${options.runId}`;
  const ticket = required(await shop.POST('/v1/tickets', { body: complaint, headers: { 'Idempotency-Key': idempotencyKey } }));
  const replay = await shop.POST('/v1/tickets', { body: complaint, headers: { 'Idempotency-Key': idempotencyKey } });
  const replayedTicket = required(replay);

  for (const subject of ['Wrong size', 'Gift wrapping', 'Invoice address']) {
    required(await shop.POST('/v1/tickets', { body: { ...complaint, subject } }));
  }
  let ticketPages = 0;
  for await (const page of shop.tickets.list({ customerExternalId: customerId, limit: 2 }).pages()) {
    ticketPages += 1;
    if (page.data.length > 2) throw new Error('a page is larger than its limit');
  }
  const ticketsListed: string[] = [];
  for await (const listed of shop.tickets.list({ customerExternalId: customerId, limit: 2 })) ticketsListed.push(listed.subject);

  const comment = required(
    await shop.POST('/v1/tickets/{id}/comments', {
      params: { path: { id: ticket.id } },
      body: { body: 'Sorry about the wait: your parcel left our warehouse today.', public: true, author: { type: 'agent', name: 'Minh' } },
    }),
  );

  const orderExternalId = `ord_${options.runId}`;
  required(
    await shop.POST('/v1/orders', {
      body: {
        externalId: orderExternalId,
        customerExternalId: customerId,
        channel: 'online',
        total: '250000.00',
        currency: 'VND',
        placedAt: '2026-11-20T08:15:00Z',
        items: [{ sku: 'MUG-01', name: 'Cốc gốm', quantity: 2, price: '125000' }],
      },
    }),
  );
  const shipment = required(
    await shop.POST('/v1/orders/{externalId}/shipments', { params: { path: { externalId: orderExternalId } }, body: { carrier: 'UPS', trackingNumber: '1Z999AA10123456784' } }),
  );
  required(
    await shop.POST('/v1/shipments/{id}/events', {
      params: { path: { id: shipment.id } },
      body: { eventId: `evt_${options.runId}`, status: 'out_for_delivery', occurredAt: new Date().toISOString(), description: 'With the courier' },
    }),
  );
  // Tracking events are applied in the background: the shop polls, as it would.
  const shipmentStatus = await until(async () => {
    const current = required(await shop.GET('/v1/shipments/{id}', { params: { path: { id: shipment.id } } }));
    return current.status === 'out_for_delivery' ? current.status : undefined;
  });

  const notificationTemplates = await until(async () => {
    const templates: string[] = [];
    for await (const notification of shop.notifications.list({ customerExternalId: customerId })) templates.push(notification.template);
    return templates.length >= 2 ? templates.sort() : undefined;
  });

  // Webhooks are signed per Standard Webhooks: verify before trusting.
  const hook = new Webhook(endpoint.secret);
  const webhookEvent = await until(async () => {
    for (const received of options.receivedWebhooks()) {
      const event: unknown = hook.verify(received.body, headerValues(received.headers));
      if (typeof event === 'object' && event !== null && 'type' in event && typeof event.type === 'string' && received.body.includes(ticket.id)) return event.type;
    }
    return undefined;
  });

  return {
    ticketId: ticket.id,
    replayedTicketId: replayedTicket.id,
    replayed: replay.response.headers.get('idempotent-replayed'),
    ticketPages,
    ticketsListed,
    commentId: comment.id,
    orderExternalId,
    shipmentId: shipment.id,
    shipmentStatus,
    notificationTemplates,
    webhookEvent,
  };
}

/** The data of a successful answer; a problem answer stops the integration with its details. */
function required<T>(answer: { data?: T; error?: unknown; response: Response }): T {
  if (answer.data === undefined) throw new Error(`${answer.response.status} ${answer.response.url}: ${JSON.stringify(answer.error)}`);
  return answer.data;
}

/** Asks again until the answer is there (background work), for up to 20 seconds. */
async function until<T>(attempt: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await attempt();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('gave up waiting');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function headerValues(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).flatMap(([name, value]) => (typeof value === 'string' ? [[name, value]] : [])));
}
