/**
 * Hostile input never reaches Postgres: every operation of the public OpenAPI document is
 * fuzzed through the gateway with hostile bodies, queries, path ids, cursors and headers.
 * Whatever comes in, the answer is never a 5xx, and a rejected request writes no row.
 * Operations come from the document, so a new service's routes are fuzzed the day they land.
 *
 *   FUZZ_RUNS=10000   cases per operation (default 200): the long run
 *   FUZZ_ONLY=tickets only the operations whose "METHOD /path" contains this text
 *   FUZZ_SEED=… FUZZ_PATH=…   replay a failure (fast-check prints both)
 */
import {
  BackgroundWork,
  backgroundJobsRan,
  DatabaseFingerprint,
  describeResponse,
  fetchApiOperations,
  FuzzClient,
  hostileRequest,
  ResponseContract,
  SmtpSink,
  Stack,
  tableChanges,
  TEST_REDIS_URL,
  type ApiOperation,
  type FuzzContext,
  type Fingerprint,
  type FuzzResponse,
} from '@careflow/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, it } from 'vitest';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 200);
const ONLY = process.env['FUZZ_ONLY'];
const SEED = process.env['FUZZ_SEED'] === undefined ? undefined : Number(process.env['FUZZ_SEED']);
const PATH = process.env['FUZZ_PATH'];
/** A rejected request that overlapped a background job (an SLA timer falling due) is sent again, this often. */
const ATTEMPTS_WHEN_JOBS_RAN = 3;
/** The gateway's JSON body limit (JSON_BODY_LIMIT, 1 MB by default). */
const OVERSIZE_BYTES = 1024 * 1024;

// The operations must be known before the tests are declared: one test per operation.
const sink = await SmtpSink.start(0, { parse: false });
// Bogus keys are among the hostile headers: the failed-authentication limit (tested on its own) would refuse the suite's own requests.
const stack = await Stack.start({ env: { RATE_LIMIT_PER_MINUTE: '0', AUTH_FAILURES_PER_MINUTE: '0', SMTP_URL: sink.url } });
let operations: ApiOperation[];
// Every answer, hostile requests' included, must be one the document describes.
let contract: ResponseContract;
let fingerprint: DatabaseFingerprint;
let background: BackgroundWork;
try {
  operations = (await fetchApiOperations(stack.gatewayUrl)).filter((op) => !ONLY || `${op.method} ${op.path}`.includes(ONLY));
  contract = new ResponseContract((await (await fetch(`${stack.gatewayUrl}/docs/openapi.json`)).json()) as ConstructorParameters<typeof ResponseContract>[0]);
  fingerprint = await DatabaseFingerprint.discover(stack.db.pool);
  background = await BackgroundWork.discover(stack.db.pool, TEST_REDIS_URL, stack.queuePrefix);
} catch (error) {
  await stack.stop();
  await sink.stop();
  throw error;
}

describe('hostile input never reaches Postgres', () => {
  const client = new FuzzClient(stack.gatewayUrl);
  let context: FuzzContext;

  beforeAll(async () => {
    await upsertReferenceData();
    context = await seedHistory();
    await settle();
  }, 120_000);
  // Fuzzing an operation may change what the next one relies on (an agent made inactive).
  beforeEach(async () => {
    await upsertReferenceData();
    await settle();
  });
  afterAll(async () => {
    await client.close();
    await background.close();
    await stack.stop();
    await sink.stop();
  });

  for (const op of operations) {
    it(`${op.method} ${op.path}`, async () => {
      // What the next request starts from: after a rejection its "after"; after an accepted
      // write nothing, since the system goes on working in the background (jobs, mail) and
      // the next request first waits for that to settle, so that it is not blamed for it.
      let baseline: Fingerprint | undefined;
      let latest: Fingerprint | undefined;
      await fc.assert(
        fc.asyncProperty(hostileRequest(op, context), async (request) => {
          for (let attempt = 1; ; attempt++) {
            const before = baseline ?? (await settle(latest));
            baseline = undefined;
            const response = await client.send(request);
            const after = (latest = await fingerprint.take(before.at));
            // A body over the JSON limit is refused with 413 the moment its length is known and the
            // connection closed; a client still writing it may see that as a broken pipe. Refused all the same.
            const refusedMidUpload = !response.ok && (request.body?.length ?? 0) > OVERSIZE_BYTES && /EPIPE|ECONNRESET/.test(response.error);
            if (!response.ok && !refusedMidUpload) throw new Error(`the gateway gave no answer\n${describeResponse(response)}`);
            if (!response.ok) return;
            if (response.status >= 500) throw new Error(`${response.status} for a hostile request\n${describeResponse(response)}${serverLog(response)}`);
            const drift = contract.verify(request.method, request.target, { status: response.status, contentType: response.contentType, text: response.body });
            if (drift) throw new Error(`${drift.message}\n${describeResponse(response)}`);
            if (response.status < 400) {
              if (op.method === 'GET') baseline = after;
              return;
            }
            const written = tableChanges(before, after);
            if (written.length === 0) {
              baseline = after;
              return;
            }
            // A background job committed meanwhile (an SLA timer fell due): it may be the writer.
            if (backgroundJobsRan(before, after) && attempt < ATTEMPTS_WHEN_JOBS_RAN) continue;
            throw new Error(`a rejected request wrote rows:\n  ${written.join('\n  ')}\n${describeResponse(response)}`);
          }
        }),
        { numRuns: RUNS, seed: SEED, path: PATH },
      );
    }, 120_000 + RUNS * 1_000);
  }

  async function settle(latest?: Fingerprint): Promise<Fingerprint> {
    const settled = await background.settle(fingerprint, latest);
    if (!settled) throw new Error('the system did not settle within 15 s of the last request');
    return settled;
  }

  /** The services' error log lines for the response's request id: the stack trace behind a 500. */
  function serverLog(response: FuzzResponse): string {
    if (!response.ok || !response.requestId) return '';
    const lines = (['gateway', ...stack.backends] as const).flatMap((s) => stack.logs(s).split('\n').filter((l) => l.includes(response.requestId!)));
    return lines.length ? `\nserver log:\n  ${lines.map((l) => (l.length > 2_000 ? `${l.slice(0, 2_000)}…` : l)).join('\n  ')}` : '';
  }

  async function api(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const res = await fetch(`${stack.gatewayUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${stack.adminKey}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`seeding: ${method} ${path} answered ${res.status} ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  }

  /**
   * The customers, agents and groups that real ids point at, as they should be. Their ids
   * are the document's own examples (cus_1001, agent_7, returns), so plausible values name
   * real rows too.
   */
  async function upsertReferenceData(): Promise<void> {
    await api('PUT', '/v1/customers/cus_1001', { email: 'lan.nguyen@example.com', name: 'Nguyễn Thị Lan', locale: 'vi', tags: ['hanoi'] });
    await api('PUT', '/v1/customers/cus_1002', { email: 'minh.tran@example.com', vip: true });
    await api('PUT', '/v1/agents/agent_7', { email: 'minh@shop.test', name: 'Minh', active: true });
    await api('PUT', '/v1/agents/agent_8', { email: 'hoa@shop.test', name: 'Hoa', active: true });
    // Their inbound addresses are left as the fuzzing left them: another group may hold one by now.
    for (const [key, name] of [['returns', 'Returns & refunds'], ['support', 'Support']]) {
      const res = await fetch(`${stack.gatewayUrl}/v1/groups/${key}`, { headers: { authorization: `Bearer ${stack.adminKey}` } });
      if (res.status === 404) await api('POST', '/v1/groups', { key, name });
      else await api('PATCH', `/v1/groups/${key}`, { name });
    }
  }

  /** Tickets with comments and events, orders with a shipment and its events, a key with one scope: rows for real ids and cursors. */
  async function seedHistory(): Promise<FuzzContext> {
    const tickets = [];
    for (const customer of ['cus_1001', 'cus_1002']) {
      const ticket = await api('POST', '/v1/tickets', {
        subject: 'Đơn hàng #1042 chưa được giao',
        description: 'Tracking has not moved since Monday.',
        customer: { externalId: customer, email: `${customer}@example.com` },
        channel: 'web',
        group: 'support',
        orderExternalId: 'ord_1042',
      });
      await api('POST', `/v1/tickets/${ticket['id']}/comments`, { body: 'We are on it.', public: true, author: { type: 'agent', id: 'agent_7' } });
      await api('POST', `/v1/tickets/${ticket['id']}/comments`, { body: 'Carrier called.', public: false, author: { type: 'agent', id: 'agent_8' } });
      await api('PATCH', `/v1/tickets/${ticket['id']}`, { status: 'open', assignee: 'agent_7' });
      tickets.push(String(ticket['id']), String(ticket['number']));
    }
    for (const order of ['ord_1042', 'ord_1043']) {
      await api('POST', '/v1/orders', { externalId: order, customerExternalId: 'cus_1001', channel: 'online', total: '250000.00', currency: 'VND', placedAt: '2026-11-20T08:15:00Z', items: [] });
    }
    const shipment = await api('POST', '/v1/orders/ord_1042/shipments', { carrier: 'GHN', trackingNumber: 'GHN123456789' });
    await api('POST', `/v1/shipments/${shipment['id']}/events`, { eventId: 'evt_980', status: 'in_transit', occurredAt: '2026-11-22T07:45:00Z' });
    await api('POST', `/v1/shipments/${shipment['id']}/events`, { eventId: 'evt_981', status: 'out_for_delivery', occurredAt: '2026-11-23T07:45:00Z' });
    const reader = await api('POST', '/v1/api-keys', { name: 'fuzz reader', scopes: ['tickets:read'] });

    const realIds: Record<string, string[]> = {
      customers: ['cus_1001', 'cus_1002'],
      agents: ['agent_7', 'agent_8'],
      groups: ['returns', 'support'],
      tickets,
      orders: ['ord_1042', 'ord_1043'],
      shipments: [String(shipment['id'])],
      'api-keys': [String(reader['id'])],
    };
    return { credentials: { adminKey: stack.adminKey, otherKeys: [String(reader['key'])] }, realIds, realCursors: await firstPageCursors(realIds) };
  }

  /** The `nextCursor` of a one-item first page of every list, for forged cursors to start from. */
  async function firstPageCursors(realIds: Record<string, string[]>): Promise<Record<string, string[]>> {
    const cursors: Record<string, string[]> = {};
    for (const op of operations.filter((o) => o.method === 'GET' && o.queryParams.some((p) => p.name === 'cursor'))) {
      const segments = op.path.split('/');
      const path = segments.map((s, i) => (s.startsWith('{') ? encodeURIComponent(realIds[segments[i - 1] ?? '']?.[0] ?? 'x') : s)).join('/');
      const res = await fetch(`${stack.gatewayUrl}${path}?limit=1`, { headers: { authorization: `Bearer ${stack.adminKey}` } });
      const next = res.status === 200 ? ((await res.json()) as { nextCursor?: unknown }).nextCursor : undefined;
      if (typeof next === 'string') cursors[op.path] = [next];
    }
    return cursors;
  }
});
