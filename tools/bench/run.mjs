#!/usr/bin/env node
// `npm run bench`: starts the system itself (separate database, rate limit off, quiet logs),
// measures ticket creation through the gateway beside a bare NestJS POST-with-validation
// endpoint in the same run, and prints a table. Nothing here asserts: it reports figures.
import autocannon from 'autocannon';
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const PORTS = { gateway: 3100, tickets: 3101, 'email-ingest': 3102, notifications: 3103, segmentation: 3104, reference: 3199 };
const DB = 'careflow_bench';
const ADMIN = 'cf_benchadm_0123456789abcdefghijklmnopqrstuvwxyz';

const build = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.build.json', 'tools/bench'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(1);

const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
await admin.end();

const env = {
  ...process.env,
  DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${DB}`,
  QUEUE_PREFIX: 'careflow_bench',
  INTERNAL_TOKEN: 'bench-internal-token-0123456789',
  ADMIN_API_KEY: ADMIN,
  RATE_LIMIT_PER_MINUTE: '0',
  LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
  GATEWAY_PORT: String(PORTS.gateway),
  TICKETS_URL: `http://127.0.0.1:${PORTS.tickets}`,
  EMAIL_INGEST_URL: `http://127.0.0.1:${PORTS['email-ingest']}`,
  NOTIFICATIONS_URL: `http://127.0.0.1:${PORTS.notifications}`,
  SEGMENTATION_URL: `http://127.0.0.1:${PORTS.segmentation}`,
};

const children = [];
function start(name, args, extra = {}) {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.resume();
  children.push(child);
  return child;
}
function stopAll() {
  for (const c of children) c.kill('SIGTERM');
}
process.on('exit', stopAll);
process.on('SIGINT', () => process.exit(130));

async function waitFor(url) {
  for (let i = 0; i < 300; i++) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never became ready`);
}

for (const s of ['tickets', 'email-ingest', 'notifications', 'segmentation']) {
  start(s, [`services/${s}/dist/src/main.js`], { PORT: String(PORTS[s]) });
}
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
// Warm-up: JIT, connection pools, Postgres caches.
await run('warm-up', `http://127.0.0.1:${PORTS.reference}/v1/things`, {}, ticketBody);
await run('warm-up', `http://127.0.0.1:${PORTS.gateway}/v1/tickets`, { authorization: `Bearer ${ADMIN}` }, ticketBody);
results.push(await run('bare NestJS POST + validation (reference)', `http://127.0.0.1:${PORTS.reference}/v1/things`, {}, ticketBody));
results.push(await run('POST /v1/tickets through the gateway', `http://127.0.0.1:${PORTS.gateway}/v1/tickets`, { authorization: `Bearer ${ADMIN}` }, ticketBody));

const rows = results.map(({ title, result }) => ({
  scenario: title,
  'req/s': Math.round(result.requests.average),
  'p50 ms': result.latency.p50,
  'p99 ms': result.latency.p99,
  '2xx': result['2xx'],
  'non-2xx': result.non2xx,
  errors: result.errors,
}));
const reference = rows[0]['req/s'];
rows[1]['vs reference'] = (rows[1]['req/s'] / reference).toFixed(2);
console.log(`\n${CONNECTIONS} connections, ${DURATION} s each, after a warm-up run (machine: ${(await import('node:os')).cpus().length} cores)`);
console.table(rows);
stopAll();
setTimeout(() => process.exit(0), 2000).unref();
