#!/usr/bin/env node
// `npm start`: builds if needed, then runs the gateway and the four services as separate
// processes against the local Postgres and Redis, with labelled output. Ctrl-C stops them all.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const SERVICES = [
  { name: 'tickets', urlVar: 'TICKETS_URL', port: 3001, color: 36 },
  { name: 'email-ingest', urlVar: 'EMAIL_INGEST_URL', port: 3002, color: 35 },
  { name: 'notifications', urlVar: 'NOTIFICATIONS_URL', port: 3003, color: 33 },
  { name: 'segmentation', urlVar: 'SEGMENTATION_URL', port: 3004, color: 32 },
];

const build = spawnSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.build.json'], {
  cwd: root,
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);

const env = { ...process.env };
// The gateway and the services must share one INTERNAL_TOKEN; a fresh one per start when unset.
env.INTERNAL_TOKEN ||= randomBytes(24).toString('base64url');

const children = new Map();
let stopping = false;

function label(name, color) {
  return process.stdout.isTTY ? `\x1b[${color}m${name.padEnd(13)}\x1b[0m|` : `${name.padEnd(13)}|`;
}

function pipe(stream, prefix, out) {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop();
    for (const line of lines) out.write(`${prefix} ${line}\n`);
  });
  stream.on('end', () => buffered && out.write(`${prefix} ${buffered}\n`));
}

function run(name, script, extraEnv, color) {
  const child = spawn(process.execPath, ['--enable-source-maps', script], {
    cwd: root,
    env: { ...env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = label(name, color);
  pipe(child.stdout, prefix, process.stdout);
  pipe(child.stderr, prefix, process.stderr);
  children.set(name, child);
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) {
      process.stderr.write(`${prefix} exited (${signal ?? code}); stopping everything\n`);
      stop(1);
    } else if (children.size === 0) {
      process.exit(exitCode);
    }
  });
}

let exitCode = 0;
function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  exitCode = code;
  if (children.size === 0) process.exit(code);
  for (const child of children.values()) child.kill('SIGTERM');
  setTimeout(() => {
    for (const child of children.values()) child.kill('SIGKILL');
    process.exit(code || 1);
  }, 10_000).unref();
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

for (const s of SERVICES) {
  const url = env[s.urlVar] ?? `http://127.0.0.1:${s.port}`;
  const port = new URL(url).port || String(s.port);
  env[s.urlVar] = url;
  // notifications runs as an HTTP replica and a worker replica (which also relays its outbox), as docker compose and deploy/k8s run it.
  run(s.name, `services/${s.name}/dist/src/main.js`, { PORT: port, ...(s.name === 'notifications' ? { WORKERS_ENABLED: 'false', OUTBOX_RELAY_ENABLED: 'false' } : {}) }, s.color);
}
run('notif-worker', 'services/notifications/dist/src/main.js', { PORT: env.NOTIFICATIONS_WORKER_PORT ?? '3005', WORKERS_ENABLED: 'true' }, 33);
run('gateway', 'services/gateway/dist/src/main.js', {}, 34);
