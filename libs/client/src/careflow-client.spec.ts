import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import { CareflowApiError, createCareflowClient, retryAfterMs, Webhook, type ListItem, type ListPath } from './index.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real HTTP server whose answers each test scripts; it records every request it gets. */
let server: Server;
let baseUrl: string;
let seen: Seen[];
let answer: (req: Seen, res: ServerResponse) => void;

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(request);
      answer(request, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  seen = [];
  answer = (_req, res) => json(res, 200, {});
});

const client = (options: { maxAttempts?: number; maxDelayMs?: number } = {}) => createCareflowClient({ apiKey: 'cf_test_key', baseUrl, baseDelayMs: 10, ...options });
const ticketBody = {
  subject: 'Parcel late',
  description: 'Order 1042 has not arrived.',
  channel: 'api',
  type: 'question',
  customer: { externalId: 'cus_1', email: 'lan@example.com' },
} as const;

describe('createCareflowClient', () => {
  it('sends the API key as a bearer token, and an Idempotency-Key on POSTs only', async () => {
    const api = client();
    await api.GET('/v1/tickets/{id}', { params: { path: { id: 't-1' } } });
    await api.POST('/v1/tickets', { body: ticketBody });
    await api.POST('/v1/tickets', { body: ticketBody });
    expect(seen.map((r) => r.headers['authorization'])).toEqual(['Bearer cf_test_key', 'Bearer cf_test_key', 'Bearer cf_test_key']);
    expect(seen[0]!.headers['idempotency-key']).toBeUndefined();
    const keys = seen.slice(1).map((r) => r.headers['idempotency-key']);
    for (const key of keys) expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(keys[0]).not.toBe(keys[1]);
  });

  it('keeps an Idempotency-Key the caller gives', async () => {
    await client().POST('/v1/tickets', { body: ticketBody, headers: { 'Idempotency-Key': 'order-1042-complaint' } });
    expect(seen[0]!.headers['idempotency-key']).toBe('order-1042-complaint');
  });

  it('retries a 429 after its Retry-After, with the same body and Idempotency-Key', async () => {
    answer = (_req, res) => (seen.length === 1 ? json(res, 429, { code: 'rate-limited' }, { 'retry-after': '1' }) : json(res, 201, { id: 't-1' }));
    const started = Date.now();
    const { data, response } = await client().POST('/v1/tickets', { body: ticketBody });
    expect(response.status).toBe(201);
    expect(data).toEqual({ id: 't-1' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(seen).toHaveLength(2);
    expect(seen[1]!.body).toBe(seen[0]!.body);
    expect(seen[1]!.headers['idempotency-key']).toBe(seen[0]!.headers['idempotency-key']);
  });

  it('retries a 503 a bounded number of times, then returns the last answer', async () => {
    answer = (_req, res) => json(res, 503, { code: 'service-unavailable' }, { 'retry-after': '0' });
    const { error, response } = await client({ maxAttempts: 3 }).GET('/v1/tickets/{id}', { params: { path: { id: 't-1' } } });
    expect(response.status).toBe(503);
    expect(error).toEqual({ code: 'service-unavailable' });
    expect(seen).toHaveLength(3);
  });

  it('retries 409 idempotency-key-in-flight (backing off without Retry-After), and no other 409', async () => {
    answer = (_req, res) => (seen.length < 3 ? json(res, 409, { code: 'idempotency-key-in-flight' }) : json(res, 201, { id: 't-1' }));
    const first = await client({ maxAttempts: 4 }).POST('/v1/tickets', { body: ticketBody });
    expect(first.response.status).toBe(201);
    expect(new Set(seen.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    expect(seen).toHaveLength(3);

    seen = [];
    answer = (_req, res) => json(res, 409, { code: 'invalid-transition' });
    const second = await client().PATCH('/v1/tickets/{id}', { params: { path: { id: 't-1' } }, body: { status: 'closed' } });
    expect(second.response.status).toBe(409);
    expect(seen).toHaveLength(1);
  });

  it('does not wait for a Retry-After longer than its limit', async () => {
    answer = (_req, res) => json(res, 429, { code: 'rate-limited' }, { 'retry-after': '3600' });
    const { response } = await client({ maxDelayMs: 5_000 }).GET('/v1/tickets/{id}', { params: { path: { id: 't-1' } } });
    expect(response.status).toBe(429);
    expect(seen).toHaveLength(1);
  });

  it('iterates a list across its cursor pages, passing the filters on every page', async () => {
    const pages: Record<string, { data: Array<{ id: string }>; nextCursor: string | null }> = {
      '': { data: [{ id: 't-1' }, { id: 't-2' }], nextCursor: 'c2' },
      c2: { data: [{ id: 't-3' }], nextCursor: 'c3' },
      c3: { data: [], nextCursor: null },
    };
    answer = (req, res) => json(res, 200, pages[new URL(req.url, baseUrl).searchParams.get('cursor') ?? '']);
    const ids: string[] = [];
    for await (const ticket of client().tickets.list({ status: ['open'], limit: 2 })) {
      expectTypeOf(ticket).toEqualTypeOf<ListItem<'/v1/tickets'>>();
      ids.push(ticket.id);
    }
    expect(ids).toEqual(['t-1', 't-2', 't-3']);
    expect(seen.map((r) => r.url)).toEqual(['/v1/tickets?status=open&limit=2', '/v1/tickets?status=open&limit=2&cursor=c2', '/v1/tickets?status=open&limit=2&cursor=c3']);
  });

  it('pages any list operation by path, path parameters included, and stops where the caller stops', async () => {
    answer = (req, res) => json(res, 200, { data: [{ id: `${req.url}` }], nextCursor: 'more' });
    const api = client();
    const seenPages: Array<string | null> = [];
    for await (const page of api.list('/v1/tickets/{id}/comments', { path: { id: 't-9' } }).pages()) {
      seenPages.push(page.nextCursor);
      if (seenPages.length === 2) break;
    }
    expect(seenPages).toEqual(['more', 'more']);
    expect(seen.map((r) => r.url)).toEqual(['/v1/tickets/t-9/comments', '/v1/tickets/t-9/comments?cursor=more']);
    expectTypeOf<'/v1/tickets/{id}/comments'>().toExtend<ListPath>();
    expectTypeOf<'/v1/tickets/{id}'>().not.toExtend<ListPath>();
  });

  it('raises the problem an iterated list answers with', async () => {
    answer = (_req, res) => json(res, 400, { status: 400, code: 'validation-error', detail: 'limit must not be greater than 100' });
    const iterate = async () => {
      for await (const _ of client().customers.list({ limit: 1000 })) void _;
    };
    await expect(iterate()).rejects.toBeInstanceOf(CareflowApiError);
    await expect(iterate()).rejects.toMatchObject({ status: 400, problem: { code: 'validation-error' } });
  });
});

describe('retryAfterMs', () => {
  it('reads delay-seconds and HTTP dates, and nothing else', () => {
    const now = Date.parse('2026-12-02T10:00:00Z');
    expect(retryAfterMs('7', now)).toBe(7000);
    expect(retryAfterMs('Wed, 02 Dec 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Wed, 02 Dec 2026 09:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});

describe('webhook verification', () => {
  it('is Standard Webhooks: what a secret signs, the same secret verifies', () => {
    const secret = `whsec_${Buffer.from('a 32-byte secret for the test ok').toString('base64')}`;
    const hook = new Webhook(secret);
    const body = JSON.stringify({ type: 'ticket.created', timestamp: '2026-12-02T10:00:00Z', data: { id: 't-1' } });
    const timestamp = new Date();
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)), 'webhook-signature': hook.sign('msg_1', timestamp, body) };
    expect(hook.verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => hook.verify(body.replace('t-1', 't-2'), headers)).toThrow();
  });
});
