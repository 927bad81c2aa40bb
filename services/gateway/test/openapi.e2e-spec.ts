import { REPO_ROOT, useStack } from '@careflow/testing';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { isProviderWebhook, serviceFor } from '../src/modules/proxy/service-routes.js';

const run = promisify(execFile);
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

type Operation = {
  operationId?: string;
  security?: Array<Record<string, string[]>>;
  responses: Record<string, { content?: Record<string, { example?: unknown; schema?: unknown }> }>;
};

describe('the public OpenAPI document', () => {
  const system = useStack();
  let doc: { paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>; [k: string]: unknown };

  beforeAll(async () => {
    const res = await system.api.get('/docs/openapi.json').expect(200);
    expect(res.headers['x-careflow-missing-services']).toBeUndefined();
    doc = res.body;
  });

  const operations = () =>
    Object.entries(doc.paths).flatMap(([p, item]) => METHODS.flatMap((m) => (item[m] ? [{ path: p, method: m, op: item[m]! }] : [])));

  it('lints clean with Redocly (no errors, no warnings)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'careflow-openapi-'));
    const file = path.join(dir, 'openapi.json');
    await writeFile(file, JSON.stringify(doc));
    const { stdout } = await run(process.execPath, [path.join(REPO_ROOT, 'node_modules/@redocly/cli/bin/cli.js'), 'lint', file, '--format=json'], {
      cwd: dir,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    }).catch((e: { stdout: string }) => ({ stdout: e.stdout }));
    const report = JSON.parse(stdout.slice(stdout.indexOf('{')));
    expect(report.problems).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  it('holds the operations of the gateway and of every service', () => {
    const ids = operations().map((o) => o.op.operationId);
    expect(ids).toEqual(expect.arrayContaining(['createApiKey', 'listApiKeys', 'revokeApiKey', 'upsertCustomer', 'getCustomer']));
  });

  it('documents, for every operation, its scope, an example of success, and its errors as problem+json', () => {
    for (const { path: p, method, op } of operations()) {
      const where = `${method.toUpperCase()} ${p}`;
      const scopes = op.security?.flatMap((s) => Object.values(s).flat()) ?? [];
      // Only the routes the gateway lets through without a key (a provider's webhook) may be keyless.
      const keyless = isProviderWebhook(method.toUpperCase(), p);
      if (keyless) expect(op.security, `${where} is a provider webhook: no API key`).toEqual([{}]);
      else expect(scopes.length, `${where} declares no scope`).toBeGreaterThan(0);
      const success = Object.entries(op.responses).find(([status]) => status.startsWith('2'));
      expect(success, `${where} has no success response`).toBeDefined();
      const body = success![1].content?.['application/json'];
      if (body) expect(body.example, `${where} has no example`).toBeDefined();
      for (const status of keyless ? ['401', '429'] : ['401', '403', '429']) {
        expect(op.responses[status]?.content?.['application/problem+json'], `${where} lacks ${status}`).toBeDefined();
      }
    }
  });

  it('routes every documented service path to the service that documents it', async () => {
    for (const { path: p } of operations()) {
      // The gateway's own operations (the event catalogue is read from this very document).
      if (p.startsWith('/v1/api-keys') || p === '/v1/webhook-events') continue;
      const concrete = p.replace(/\{[^}]+\}/g, 'x1');
      expect(serviceFor(concrete), p).toBeDefined();
    }
    // And the other way round: each service's own document routes back to it.
    for (const service of ['tickets', 'email-ingest', 'notifications', 'segmentation'] as const) {
      const own = await request(system.stack.serviceUrl(service)).get('/internal/openapi.json').set('x-internal-token', system.stack.internalToken).expect(200);
      for (const p of Object.keys(own.body.paths)) expect(serviceFor(p.replace(/\{[^}]+\}/g, 'x1')), p).toBe(service);
    }
  });
});
