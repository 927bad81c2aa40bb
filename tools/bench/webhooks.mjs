// Webhook fan-out: ENDPOINTS endpoints on a local receiver subscribed to customer.upserted,
// then EVENTS customer upserts PUT through the gateway at CONNECTIONS concurrency: each event
// becomes one signed delivery per endpoint. Measured: deliveries/s from the first PUT until
// the last delivery arrived, and each delivery's time from its event's PUT. A sample of the
// deliveries is verified with the official standardwebhooks library. Nothing asserts.
import autocannon from 'autocannon';
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

export async function benchWebhooks({ gatewayUrl, admin, endpoints, events, connections }) {
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

  const warmup = Math.min(50, events);
  let before = arrivals.length;
  await put(warmup, 'warm');
  await settle(warmup * endpoints, before);

  before = arrivals.length;
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
