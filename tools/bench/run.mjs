#!/usr/bin/env node
// `npm run bench`: starts the system itself (separate database, rate limit off, quiet logs),
// measures ticket creation through the gateway beside a bare NestJS POST-with-validation
// endpoint in the same run, and prints a table. Nothing here asserts: it reports figures.
import autocannon from 'autocannon';
import { randomUUID } from 'node:crypto';
import { SmtpSink } from '../../libs/testing/dist/index.js';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { benchInbound } from './inbound.mjs';
import { benchWebhooks } from './webhooks.mjs';
import { benchSegments } from './segments.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const PORTS = { gateway: 3100, tickets: 3101, 'email-ingest': 3102, notifications: 3103, segmentation: 3104, 'notifications worker': 3105, reference: 3199 };
// notifications runs as an API replica and a worker replica, as deploy/ runs it; BENCH_SPLIT=0 runs one process for both.
const SPLIT = process.env.BENCH_SPLIT !== '0';
const DB = 'careflow_bench';
const ADMIN = 'cf_benchadm_0123456789abcdefghijklmnopqrstuvwxyz';

const build = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.build.json', 'tools/bench'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(1);

const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
await admin.end();
// Jobs an interrupted earlier run left in Redis would be taken by this run's workers.
{
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', 'careflow_bench:*', 'COUNT', 1000);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
}

// A real SMTP server catches every e-mail (ticket acknowledgements, shipment notices).
const sink = await SmtpSink.start(0, { parse: false });

const env = {
  ...process.env,
  SMTP_URL: sink.url,
  SMTP_POOL_SIZE: '10',
  DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${DB}`,
  QUEUE_PREFIX: 'careflow_bench',
  INTERNAL_TOKEN: 'bench-internal-token-0123456789',
  ADMIN_API_KEY: ADMIN,
  RATE_LIMIT_PER_MINUTE: '0',
  // The receiver listens on 127.0.0.1.
  WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
  // The outbox deletes a row once its job is seen completed, 30 s later by default: after a
  // scenario ends. Confirming after 2 s puts that work inside the measured time, as it is under
  // sustained load.
  OUTBOX_CONFIRM_AFTER_MS: '2000',
  LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
  GATEWAY_PORT: String(PORTS.gateway),
  TICKETS_URL: `http://127.0.0.1:${PORTS.tickets}`,
  EMAIL_INGEST_URL: `http://127.0.0.1:${PORTS['email-ingest']}`,
  NOTIFICATIONS_URL: `http://127.0.0.1:${PORTS.notifications}`,
  SEGMENTATION_URL: `http://127.0.0.1:${PORTS.segmentation}`,
};

const children = [];
let shuttingDown = false;
// BENCH_CPU_PROFILE=<dir>: every service writes a V8 CPU profile there when it stops.
// BENCH_NODE_ARGS: extra Node options for every service (to compare runtime settings).
const PROFILE_ARGS = [
  ...(process.env.BENCH_CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROFILE)}`] : []),
  ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
];
function start(name, args, extra = {}) {
  const child = spawn(process.execPath, [...PROFILE_ARGS, ...args], { cwd: root, env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.resume();
  child.benchName = name;
  child.once('exit', (code, signal) => {
    if (shuttingDown) return;
    console.error(`${name} exited during the benchmark (${signal ?? `code ${code}`}): figures would be meaningless`);
    process.exit(1);
  });
  children.push(child);
  return child;
}

/**
 * CPU time used so far (ms) by each process of the system, with the part it belongs to: our
 * processes, every Postgres backend, Redis, and this process (load generator and SMTP sink).
 * Read from /proc, so Linux only; elsewhere the table is left out. Differences of two readings
 * say where a scenario's CPU went (per process: Postgres backends come and go with the pools).
 */
function cpuReading() {
  if (!fs.existsSync('/proc/self/stat')) return null;
  const tickMs = 1000 / 100; // USER_HZ is 100 on every Linux this runs on
  const ticks = (pid) => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // read(2) and write(2) calls (Node and Redis move socket data with them): most are one
      // message to or from another process.
      const io = fs.readFileSync(`/proc/${pid}/io`, 'utf8');
      const calls = Number(/syscr: (\d+)/.exec(io)?.[1] ?? 0) + Number(/syscw: (\d+)/.exec(io)?.[1] ?? 0);
      return { ms: (Number(f[11]) + Number(f[12])) * tickMs, sysMs: Number(f[12]) * tickMs, calls }; // utime + stime, stime
    } catch {
      return null;
    }
  };
  const usage = process.cpuUsage();
  const reading = new Map([['self', { part: 'this process (load + SMTP sink)', ms: (usage.user + usage.system) / 1000, sysMs: usage.system / 1000, calls: ticks('self')?.calls ?? 0 }]]);
  for (const c of children) reading.set(String(c.pid), { part: c.benchName, ...(ticks(c.pid) ?? { ms: 0, sysMs: 0, calls: 0 }) });
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let comm = '';
    try {
      comm = fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    const part = comm === 'postgres' ? 'postgres (all backends)' : comm.startsWith('redis-server') ? 'redis' : null;
    const used = part ? ticks(pid) : null;
    // Postgres' read and write calls are its data files' (its sockets use send/recv): not counted.
    if (part && used) reading.set(pid, { part, ...used, calls: part === 'redis' ? used.calls : 0 });
  }
  return reading;
}

/** CPU ms per unit of work between two readings, by part, largest first, with the total. */
function cpuTable(before, after, units) {
  if (!before || !after) return [];
  const parts = new Map();
  for (const [pid, { part, ms, sysMs, calls }] of after) {
    const sum = parts.get(part) ?? { ms: 0, sysMs: 0, calls: 0 };
    const was = before.get(pid);
    parts.set(part, { ms: sum.ms + ms - (was?.ms ?? 0), sysMs: sum.sysMs + sysMs - (was?.sysMs ?? 0), calls: sum.calls + calls - (was?.calls ?? 0) });
  }
  // The kernel's share is mostly sockets: each round trip between processes costs a write and a
  // wake-up (on a small VM, tens of µs of CPU on each side).
  const row = (part, { ms, sysMs, calls }) => ({
    part,
    'CPU ms per event': +(ms / units).toFixed(3),
    'in the kernel': ms > 0 ? `${Math.round((100 * sysMs) / ms)}%` : '',
    'reads+writes per event': part.startsWith('postgres') ? '' : +(calls / units).toFixed(1),
  });
  const rows = [...parts]
    .map(([part, used]) => row(part, used))
    .filter((r) => r['CPU ms per event'] > 0)
    .sort((a, b) => b['CPU ms per event'] - a['CPU ms per event']);
  const total = [...parts.values()].reduce(
    (t, u) => ({ ms: t.ms + Math.max(0, u.ms), sysMs: t.sysMs + Math.max(0, u.sysMs), calls: t.calls + Math.max(0, u.calls) }),
    { ms: 0, sysMs: 0, calls: 0 },
  );
  rows.push(row('total', total));
  return rows;
}
function stopAll() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
}

/** Stops every process this run started and waits until they are gone (the next run needs the ports). */
async function shutdown() {
  shuttingDown = true;
  const exited = children.map((c) => (c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once('exit', r))));
  stopAll();
  const timeout = new Promise((r) => setTimeout(r, 10_000).unref());
  await Promise.race([Promise.all(exited), timeout]);
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

// A process left over from an earlier run would answer in place of this run's: refuse to start.
const net = await import('node:net');
for (const [name, port] of Object.entries(PORTS)) {
  const free = await new Promise((resolve) => {
    const probe = net.createServer().once('error', () => resolve(false)).listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
  if (!free) {
    console.error(`port ${port} (${name}) is in use: is an earlier benchmark still running?`);
    process.exit(1);
  }
}
process.on('exit', () => {
  shuttingDown = true;
  stopAll();
});
process.on('SIGINT', () => process.exit(130));

async function waitFor(url) {
  // 60 s: a loaded 2-core machine has taken over 30 s to start the system.
  for (let i = 0; i < 600; i++) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never became ready`);
}

for (const s of ['tickets', 'email-ingest', 'notifications', 'segmentation']) {
  start(s, [`services/${s}/dist/src/main.js`], { PORT: String(PORTS[s]), ...(s === 'notifications' && SPLIT ? { WORKERS_ENABLED: 'false', OUTBOX_RELAY_ENABLED: 'false' } : {}) });
}
// The notifications worker replica (WORKERS_ENABLED=false on the API replica above).
if (SPLIT) start('notifications worker', ['services/notifications/dist/src/main.js'], { PORT: String(PORTS['notifications worker']) });
start('gateway', ['services/gateway/dist/src/main.js']);
start('reference', ['tools/bench/dist/reference-app.js', String(PORTS.reference)]);
await waitFor(`http://127.0.0.1:${PORTS.gateway}/health`);
await waitFor(`http://127.0.0.1:${PORTS.reference}/v1/things`).catch(() => undefined);

let n = 0;
const ticketBody = () =>
  JSON.stringify({
    subject: `Đơn hàng #${++n} chưa được giao`,
    description: 'My order was due on Monday and the tracking page has not moved since.',
    customer: { email: `shopper${n % 5000}@example.com`, name: 'Nguyễn Thị Lan' },
    channel: 'web',
  });

function run(title, url, headers, body) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        method: 'POST',
        connections: CONNECTIONS,
        duration: DURATION,
        headers: { 'content-type': 'application/json', ...headers },
        requests: [{ setupRequest: (req) => ({ ...req, body: body() }) }],
      },
      (error, result) => (error ? reject(error) : resolve({ title, result })),
    );
    void instance;
  });
}

const results = [];
const ONLY = process.env.BENCH_ONLY; // 'tickets', 'mail', 'inbound', 'webhooks' or 'segments'
const dbUrl = env.DATABASE_URL;

/** Waits until no outbound mail is queued (ticket acknowledgements of the previous scenario). */
async function drainMail() {
  const c = new pg.Client({ connectionString: dbUrl });
  await c.connect();
  for (let i = 0; i < 600; i++) {
    const { rows } = await c.query(`SELECT count(*)::int AS n FROM notifications.outbound_messages WHERE status = 'queued'`).catch(() => ({ rows: [{ n: 0 }] }));
    if (rows[0].n === 0) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  await c.end();
}

if (ONLY === undefined || ONLY === 'tickets') {
  // The reference first, on a quiet machine; then tickets (whose acknowledgement mails follow).
  await run('warm-up', `http://127.0.0.1:${PORTS.reference}/v1/things`, {}, ticketBody);
  results.push(await run('bare NestJS POST + validation (reference)', `http://127.0.0.1:${PORTS.reference}/v1/things`, {}, ticketBody));
  await run('warm-up', `http://127.0.0.1:${PORTS.gateway}/v1/tickets`, { authorization: `Bearer ${ADMIN}` }, ticketBody);
  await drainMail();
  results.push(await run('POST /v1/tickets through the gateway', `http://127.0.0.1:${PORTS.gateway}/v1/tickets`, { authorization: `Bearer ${ADMIN}` }, ticketBody));
  await drainMail();
}

const SHIPMENTS = ONLY === undefined || ONLY === 'mail' ? Number(process.env.BENCH_SHIPMENTS ?? 3000) : 0;
const WARMUP_SHIPMENTS = Math.min(1000, Math.max(CONNECTIONS, Math.round(SHIPMENTS / 3)));
let mailRows = [];
let cpuRows = [];
if (SHIPMENTS > 0) {
  // --- Shipment events → e-mails accepted by the SMTP sink -------------------------------------
  // Setup (not measured): customers, orders and shipments written straight to the
  // notifications schema. Measured, after a warm-up on other shipments: one out_for_delivery
  // event per shipment (SHIPMENTS of them) POSTed through the gateway at CONNECTIONS
  // concurrency, and for each, the time from its POST to its e-mail.
  const db = new pg.Client({ connectionString: env.DATABASE_URL });
  await db.connect();
  const runId = randomUUID().slice(0, 8);
  const shipments = [];
  const total = WARMUP_SHIPMENTS + SHIPMENTS;
  for (let i = 0; i < total; i += 500) {
    const batch = Array.from({ length: Math.min(500, total - i) }, (_, j) => {
      const n = i + j;
      return { customer: `bench_${runId}_${n}`, email: `bench_${runId}_${n}@example.com`, order: `ord_${runId}_${n}`, shipment: randomUUID(), tracking: `1ZBENCH${runId}${n}` };
    });
    await db.query(
      `INSERT INTO notifications.customers (external_id, email, name, locale, version, updated_at)
       SELECT c, e, 'Bench', 'en', 1, now() FROM unnest($1::text[], $2::text[]) AS t(c, e)`,
      [batch.map((b) => b.customer), batch.map((b) => b.email)],
    );
    await db.query(
      `INSERT INTO notifications.orders (external_id, customer_external_id, channel, total, currency, placed_at)
       SELECT o, c, 'online', 100, 'EUR', now() FROM unnest($1::text[], $2::text[]) AS t(o, c)`,
      [batch.map((b) => b.order), batch.map((b) => b.customer)],
    );
    await db.query(
      `INSERT INTO notifications.shipments (id, order_id, carrier, tracking_number, tracking_url)
       SELECT s::uuid, (SELECT id FROM notifications.orders WHERE external_id = o), 'ups', t, 'https://www.ups.com/track?tracknum=' || t
         FROM unnest($1::text[], $2::text[], $3::text[]) AS x(s, o, t)`,
      [batch.map((b) => b.shipment), batch.map((b) => b.order), batch.map((b) => b.tracking)],
    );
    shipments.push(...batch);
  }
  await db.end();

  const postedAt = new Map();
  const byEmail = new Map(shipments.map((s) => [s.email, s]));

  /** POSTs one out_for_delivery event per shipment at CONNECTIONS concurrency; waits for every e-mail. */
  async function postEvents(list) {
    const sinkBefore = sink.messages.length;
    let next = 0;
    // The last answer's time, not autocannon's callback: that comes at its next one-second tick.
    let lastAnswerAt = 0;
    const startedAt = Date.now();
    const result = await new Promise((resolve, reject) =>
      autocannon(
        {
          url: `http://127.0.0.1:${PORTS.gateway}`,
          connections: CONNECTIONS,
          amount: list.length,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
          requests: [
            {
              method: 'POST',
              setupRequest: (req) => {
                const s = list[next++ % list.length];
                postedAt.set(s.email, Date.now());
                return { ...req, path: `/v1/shipments/${s.shipment}/events`, body: JSON.stringify({ eventId: `ofd-${s.tracking}`, status: 'out_for_delivery', occurredAt: new Date().toISOString() }) };
              },
              onResponse: () => {
                lastAnswerAt = Date.now();
              },
            },
          ],
        },
        (error, r) => (error ? reject(error) : resolve(r)),
      ),
    );
    const postedUntil = lastAnswerAt || Date.now();
    const deadline = Date.now() + 120_000;
    while (sink.messages.length - sinkBefore < list.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    return { result, startedAt, postedUntil, mails: sink.messages.slice(sinkBefore) };
  }

  // Warm-up on shipments of their own (JIT, pools, SMTP connections), as the other scenarios have.
  await postEvents(shipments.slice(0, WARMUP_SHIPMENTS));
  const measured = shipments.slice(WARMUP_SHIPMENTS);
  console.log(`shipment events: posting ${measured.length} events at ${CONNECTIONS} connections`);
  const cpuBefore = cpuReading();
  const { result: eventRun, startedAt: eventsStarted, postedUntil: eventsPosted, mails } = await postEvents(measured);
  cpuRows = cpuTable(cpuBefore, cpuReading(), measured.length);
  const latencies = mails
    .map((m) => ({ to: m.envelope.to[0], at: m.receivedAt }))
    .filter((m) => byEmail.has(m.to) && postedAt.has(m.to))
    .map((m) => m.at - postedAt.get(m.to))
    .sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))] ?? NaN;
  const lastMail = Math.max(...mails.map((m) => m.receivedAt));
  mailRows = [
    {
      scenario: 'shipment events → e-mail at the SMTP sink',
      events: measured.length,
      'events/s (POST)': Math.round((measured.length / (eventsPosted - eventsStarted)) * 1000),
      'POST p99 ms': eventRun.latency.p99,
      'mails received': latencies.length,
      'mails/s end to end': Math.round((latencies.length / (lastMail - eventsStarted)) * 1000),
      'POST→mail p50 ms': pct(50),
      'POST→mail p99 ms': pct(99),
      'non-2xx': eventRun.non2xx,
    },
  ];
}

const rows = results.map(({ title, result }) => ({
  scenario: title,
  'req/s': Math.round(result.requests.average),
  'p50 ms': result.latency.p50,
  'p99 ms': result.latency.p99,
  '2xx': result['2xx'],
  'non-2xx': result.non2xx,
  errors: result.errors,
}));
if (rows.length === 2) rows[1]['vs reference'] = (rows[1]['req/s'] / rows[0]['req/s']).toFixed(2);
console.log(`\n${CONNECTIONS} connections, ${DURATION} s each, after a warm-up run (machine: ${(await import('node:os')).cpus().length} cores)`);
if (rows.length) console.table(rows);
if (SHIPMENTS) console.table(mailRows);
if (cpuRows.length) {
  console.log('Where the CPU went, from the first event POSTed to the last e-mail received (2 cores = 2 000 ms of CPU per second):');
  console.table(cpuRows);
}
const INBOUND = ONLY === undefined || ONLY === 'inbound' ? Number(process.env.BENCH_INBOUND ?? 3000) : 0;
if (INBOUND > 0) {
  await drainMail();
  console.log(`\ninbound mail: posting ${INBOUND} messages of 10 kB at ${CONNECTIONS} connections`);
  const cpuBefore = cpuReading();
  const row = await benchInbound({ gatewayUrl: `http://127.0.0.1:${PORTS.gateway}`, admin: ADMIN, dbUrl, messages: INBOUND, connections: CONNECTIONS, warmup: Math.min(500, INBOUND) });
  const inboundCpu = cpuTable(cpuBefore, cpuReading(), INBOUND + Math.min(500, INBOUND));
  console.table([row]);
  if (inboundCpu.length) {
    console.log('Where the CPU went per message (warm-up included; acknowledgement mails sent meanwhile count too):');
    console.table(inboundCpu);
  }
}
const WEBHOOK_EVENTS = ONLY === undefined || ONLY === 'webhooks' ? Number(process.env.BENCH_WEBHOOK_EVENTS ?? 500) : 0;
if (WEBHOOK_EVENTS > 0) {
  await drainMail();
  const endpoints = Number(process.env.BENCH_WEBHOOK_ENDPOINTS ?? 20);
  console.log(`\nwebhooks: ${WEBHOOK_EVENTS} customer upserts at ${CONNECTIONS} connections, each delivered to ${endpoints} endpoints`);
  // Read when the measured upserts start: the history, the statistics and the warm-up are not counted.
  let cpuBefore = null;
  const row = await benchWebhooks({
    gatewayUrl: `http://127.0.0.1:${PORTS.gateway}`, admin: ADMIN, dbUrl, endpoints, events: WEBHOOK_EVENTS, connections: CONNECTIONS,
    onMeasuring: () => (cpuBefore = cpuReading()),
  });
  const webhookCpu = cpuTable(cpuBefore, cpuReading(), row['deliveries received'] || 1);
  console.table([row]);
  if (webhookCpu.length) {
    console.log('Where the CPU went per delivery (the measured run):');
    console.table(webhookCpu);
  }
}
// Last: its million customers would slow the scenarios above.
const SEGMENT_CUSTOMERS = ONLY === undefined || ONLY === 'segments' ? Number(process.env.BENCH_SEGMENT_CUSTOMERS ?? 1_000_000) : 0;
if (SEGMENT_CUSTOMERS > 0) {
  console.log(`\nsegments: generating ${SEGMENT_CUSTOMERS} customers and their orders in Postgres…`);
  const { setupSeconds, row } = await benchSegments({ dbUrl, gatewayUrl: `http://127.0.0.1:${PORTS.gateway}`, admin: ADMIN, customers: SEGMENT_CUSTOMERS });
  console.log(`segments: data generated in ${setupSeconds.toFixed(0)} s (not measured); a rule change that makes about 10 % VIP:`);
  console.table([row]);
}
await shutdown();
await sink.stop();
process.exit(0);
