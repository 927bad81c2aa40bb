// Webhook fan-out: ENDPOINTS endpoints on a local receiver subscribed to customer.upserted,
// then EVENTS customer upserts PUT through the gateway at CONNECTIONS concurrency: each event
// becomes one signed delivery per endpoint. Measured: deliveries/s from the first PUT until
// the last delivery arrived, and each delivery's time from its event's PUT. A sample of the
// deliveries is verified with the official standardwebhooks library. Nothing asserts.
import autocannon from 'autocannon';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Webhook } from 'standardwebhooks';

/** Events of the history the tables hold before the run (each delivered to every endpoint). */
const HISTORY = 2_000;

export async function benchWebhooks({ gatewayUrl, admin, dbUrl, endpoints, events, connections, onMeasuring = () => {} }) {
  const runId = randomUUID().slice(0, 8);
  const arrivals = []; // [endpointIndex, externalId, at]
  const samples = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      const body = Buffer.concat(chunks).toString('utf8');
      const endpoint = Number(req.url.split('/').pop());
      try {
        arrivals.push([endpoint, JSON.parse(body).data.externalId, at]);
      } catch {}
      if (samples.length < 200 && Math.random() < 0.02) samples.push({ endpoint, headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const port = server.address().port;
  const auth = { authorization: `Bearer ${admin}`, 'content-type': 'application/json' };

  const secrets = [];
  for (let i = 0; i < endpoints; i++) {
    const res = await fetch(`${gatewayUrl}/v1/webhooks`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ url: `http://127.0.0.1:${port}/hooks/${i}`, events: ['customer.upserted'], description: `bench ${i}` }),
    });
    if (res.status !== 201) throw new Error(`creating endpoint ${i}: ${res.status} ${await res.text()}`);
    secrets.push((await res.json()).secret);
  }

  const putAt = new Map();
  async function put(count, prefix) {
    let n = 0;
    const startedAt = Date.now();
    await new Promise((resolve, reject) =>
      autocannon(
        {
          url: gatewayUrl,
          connections,
          amount: count,
          headers: auth,
          requests: [
            {
              method: 'PUT',
              setupRequest: (req) => {
                const id = `${prefix}_${runId}_${n++}`;
                putAt.set(id, Date.now());
                return { ...req, path: `/v1/customers/${id}`, body: JSON.stringify({ email: `${id}@example.com`, name: 'Kadri Tamm', tags: ['bench'] }) };
              },
            },
          ],
        },
        (error, r) => (error ? reject(error) : resolve(r)),
      ),
    );
    return startedAt;
  }
  async function settle(expected, since) {
    const deadline = Date.now() + 300_000;
    while (arrivals.length - since < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  }

  // A shop that has been sending webhooks for a while: a day's history (HISTORY events, each
  // delivered to every endpoint, with its attempt) and as many customers, then statistics, as
  // autovacuum keeps them (it is off on the development machines). On empty tables without
  // statistics the prepared statements keep the plans they got then: scanning the deliveries
  // whole for every batch of claims (17 million rows read in one run), as no deployment would.
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  await db.query(
    `INSERT INTO notifications.webhook_messages (id, type, body, created_at)
     SELECT 'msg_history_' || g, 'customer.upserted',
            jsonb_build_object('type', 'customer.upserted', 'timestamp', now() - interval '1 day', 'data', jsonb_build_object('externalId', 'history_' || g)),
            now() - interval '1 day' + g * interval '10 ms'
       FROM generate_series(1, $1::int) g`,
    [HISTORY],
  );
  await db.query(
    `WITH d AS (
       INSERT INTO notifications.webhook_deliveries (id, message_id, endpoint_id, status, attempts, next_attempt_at, last_status_code, created_at, updated_at)
       SELECT gen_random_uuid(), m.id, e.id, 'succeeded', 1, NULL, 204, m.created_at, m.created_at
         FROM notifications.webhook_messages m CROSS JOIN notifications.webhook_endpoints e
        WHERE m.id LIKE 'msg_history_%'
       RETURNING id, created_at
     )
     INSERT INTO notifications.webhook_attempts (delivery_id, attempt, started_at, duration_ms, status_code) SELECT id, 1, created_at, 3, 204 FROM d`,
  );
  await db.query(
    `WITH c AS (
       INSERT INTO segmentation.customers (external_id, email, name, tags, created_at)
       SELECT 'history_' || g, 'history_' || g || '@example.com', 'Kadri Tamm', '{bench}', now() - interval '1 day' FROM generate_series(1, $1::int) g
       RETURNING id
     )
     INSERT INTO segmentation.memberships (customer_id, segment, segments, version) SELECT id, 'online', '{online}', 1 FROM c`,
    [HISTORY],
  );
  await db.query('ANALYZE');
  await db.end();

  const warmup = Math.min(50, events);
  let before = arrivals.length;
  await put(warmup, 'warm');
  await settle(warmup * endpoints, before);

  before = arrivals.length;
  onMeasuring();
  const startedAt = await put(events, 'run');
  await settle(events * endpoints, before);
  const measured = arrivals.slice(before).filter(([, id]) => id?.startsWith('run_'));
  server.close();

  const latencies = measured.map(([, id, at]) => at - putAt.get(id)).sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))] ?? NaN;
  const last = Math.max(...measured.map(([, , at]) => at));
  const unique = new Set(measured.map(([e, id]) => `${e}:${id}`)).size;
  let verified = 0;
  for (const s of samples) {
    try {
      new Webhook(secrets[s.endpoint]).verify(s.body, { 'webhook-id': s.headers['webhook-id'], 'webhook-timestamp': s.headers['webhook-timestamp'], 'webhook-signature': s.headers['webhook-signature'] });
      verified++;
    } catch {}
  }
  return {
    scenario: `webhook fan-out: customer.upserted → ${endpoints} endpoints`,
    events,
    'deliveries expected': events * endpoints,
    'deliveries received': measured.length,
    'distinct (event, endpoint)': unique,
    'deliveries/s': Math.round((measured.length / (last - startedAt)) * 1000),
    'event→delivery p50 ms': pct(50),
    'event→delivery p99 ms': pct(99),
    'signatures verified': `${verified}/${samples.length}`,
  };
}
