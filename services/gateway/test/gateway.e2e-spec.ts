import { eventually, useStack } from '@careflow/testing';
import { createHash } from 'node:crypto';
import request from 'supertest';
import { describe, expect, it } from 'vitest';

const RATE_LIMIT = 40;

describe('gateway', () => {
  const system = useStack({ env: { RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT) } });

  async function newKey(scopes: string[], name = 'test key'): Promise<{ id: string; key: string; prefix: string }> {
    const res = await system.api.post('/v1/api-keys').set(system.admin()).send({ name, scopes });
    expect(res.status).toBe(201);
    return res.body;
  }

  describe('API keys', () => {
    it('shows a new key once and stores only its hash', async () => {
      const created = await newKey(['customers:read'], 'shop backend');
      expect(created.key).toMatch(/^cf_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
      expect(created.key.startsWith(created.prefix)).toBe(true);

      const { rows } = await system.stack.db.pool.query(`SELECT * FROM gateway.api_keys WHERE id = $1`, [created.id]);
      expect(rows[0].key_hash.toString('hex')).toBe(createHash('sha256').update(created.key).digest('hex'));
      expect(JSON.stringify(rows[0])).not.toContain(created.key.slice(12));

      const list = await system.api.get('/v1/api-keys').set(system.admin()).expect(200);
      const listed = list.body.data.find((k: { id: string }) => k.id === created.id);
      expect(listed).toMatchObject({ name: 'shop backend', prefix: created.prefix, scopes: ['customers:read'], revokedAt: null });
      expect(listed).not.toHaveProperty('key');
    });

    it('pages through keys with a cursor, without duplicates or gaps', async () => {
      for (let i = 0; i < 3; i++) await newKey(['tickets:read'], `pager ${i}`);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: request.Response = await system.api.get('/v1/api-keys').query(cursor ? { limit: 2, cursor } : { limit: 2 }).set(system.admin()).expect(200);
        expect(res.body.data.length).toBeLessThanOrEqual(2);
        seen.push(...res.body.data.map((k: { id: string }) => k.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      const { rows } = await system.stack.db.pool.query(`SELECT id FROM gateway.api_keys ORDER BY created_at, id`);
      expect(seen).toEqual(rows.map((r) => r.id));
    });

    it('revokes a key at once; revoking again is harmless', async () => {
      const created = await newKey(['customers:read']);
      await system.api.get('/v1/customers/anyone').set('authorization', `Bearer ${created.key}`).expect(404);
      const revoked = await system.api.delete(`/v1/api-keys/${created.id}`).set(system.admin()).expect(200);
      expect(revoked.body.revokedAt).not.toBeNull();
      const after = await system.api.get('/v1/customers/anyone').set('authorization', `Bearer ${created.key}`);
      expect(after.status).toBe(401);
      expect(after.body.code).toBe('unauthorized');
      await system.api.delete(`/v1/api-keys/${created.id}`).set(system.admin()).expect(200);
    });

    it('validates input and ids', async () => {
      const bad = await system.api.post('/v1/api-keys').set(system.admin()).send({ name: '', scopes: ['tickets:read', 'root'] });
      expect(bad.status).toBe(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['name', 'scopes']);
      expect((await system.api.delete('/v1/api-keys/not-a-uuid').set(system.admin())).status).toBe(400);
      expect((await system.api.delete('/v1/api-keys/3d6f0a9e-1b7c-4a8e-9d2f-5c4b3a291807').set(system.admin())).status).toBe(404);
    });

    it('lets only admin keys manage keys', async () => {
      const writer = await newKey(['customers:write', 'tickets:write']);
      const res = await system.api.post('/v1/api-keys').set('authorization', `Bearer ${writer.key}`).send({ name: 'x', scopes: ['admin'] });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ code: 'forbidden', requiredScopes: ['admin'] });
    });
  });

  describe('conventions', () => {
    it('answers a retry while the first request with its Idempotency-Key still runs with 409 and Retry-After', async () => {
      const { id, key } = await newKey(['tickets:write']);
      const body = JSON.stringify({ subject: 'Where is my parcel?', description: 'Still waiting.', customer: { email: 'lan@example.com' }, channel: 'web' });
      // The first request, as a gateway holds it while the service works: claimed, no response yet.
      const fingerprint = createHash('sha256').update('POST').update('\n').update('/v1/tickets').update('\n').update(body).digest('hex');
      await system.stack.db.pool.query(
        `INSERT INTO gateway.idempotency_records (api_key_id, key, fingerprint, method, path, locked_until, expires_at)
         VALUES ($1, 'retry-1', $2, 'POST', '/v1/tickets', now() + interval '1 minute', now() + interval '1 day')`,
        [id, fingerprint],
      );
      const res = await system.api.post('/v1/tickets').set('authorization', `Bearer ${key}`).set('idempotency-key', 'retry-1').set('content-type', 'application/json').send(body);
      expect(res.status, res.text).toBe(409);
      expect(res.body.code).toBe('idempotency-key-in-flight');
      expect(res.headers['retry-after']).toBe('1');
    });

    it('echoes the caller\'s x-request-id and carries it into the events a request causes', async () => {
      const res = await system.api.put('/v1/customers/cus_traced').set(system.admin()).set('x-request-id', 'shop-req-42').send({ email: 't@example.com' });
      expect(res.status).toBe(200);
      expect(res.headers['x-request-id']).toBe('shop-req-42');
      // The row is kept until its job is confirmed completed (seconds), so it is still there.
      const { rows } = await system.stack.db.pool.query(
        `SELECT event, request_id FROM segmentation.outbox WHERE payload->>'externalId' = 'cus_traced' ORDER BY seq`,
      );
      // The customer, and the first segment the rules give them.
      expect(rows).toEqual([
        { event: 'customer.upserted', request_id: 'shop-req-42' },
        { event: 'customer.segment_changed', request_id: 'shop-req-42' },
      ]);
    });

    it('generates a request id when none is sent', async () => {
      const res = await system.api.get('/v1/customers/whoever').set(system.admin());
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.body.requestId).toBe(res.headers['x-request-id']);
    });

    it('answers unknown routes with a 404 problem', async () => {
      for (const path of ['/v1/nothing-here', '/nothing', '/v1/customers/a/b/c']) {
        const res = await system.api.get(path).set(system.admin());
        expect(res.status, path).toBe(404);
        expect(res.headers['content-type']).toContain('application/problem+json');
      }
    });

    it('rejects a missing or malformed Authorization header with 401', async () => {
      for (const header of [undefined, 'Basic abc', 'Bearer', 'Bearer a b']) {
        const req = system.api.get('/v1/customers/x');
        const res = await (header ? req.set('authorization', header) : req);
        expect(res.status, String(header)).toBe(401);
        expect(res.headers['content-type']).toContain('application/problem+json');
      }
    });
  });

  it('rate-limits per key with RateLimit headers and 429 + Retry-After', async () => {
    const { key } = await newKey(['customers:read']);
    let limited: request.Response | undefined;
    let previousRemaining = Infinity;
    // A fixed one-minute window: within 2 × limit requests the budget runs out even if a window turns over.
    for (let i = 0; i < RATE_LIMIT * 2 + 1 && !limited; i++) {
      const res = await system.api.get('/v1/customers/nobody').set('authorization', `Bearer ${key}`);
      if (res.status === 429) limited = res;
      else {
        expect(res.headers['ratelimit-limit']).toBe(String(RATE_LIMIT));
        const remaining = Number(res.headers['ratelimit-remaining']);
        if (remaining < previousRemaining) previousRemaining = remaining;
      }
    }
    expect(limited).toBeDefined();
    expect(limited!.body.code).toBe('rate-limited');
    expect(Number(limited!.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited!.headers['retry-after'])).toBeLessThanOrEqual(60);
    // Another key has its own budget.
    const other = await newKey(['customers:read']);
    expect((await system.api.get('/v1/customers/nobody').set('authorization', `Bearer ${other.key}`)).status).toBe(404);
  });

  it('reports health, answers 503 while a service is down, and recovers', async () => {
    const healthy = await system.api.get('/health').expect(200);
    expect(healthy.body.services.segmentation.status).toBe('ok');
    expect(healthy.body.gateway.checks).toMatchObject({ postgres: { status: 'up' }, redis: { status: 'up' } });

    await system.stack.kill('segmentation');
    const started = Date.now();
    const down = await system.api.get('/v1/customers/cus_1').set(system.admin());
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ code: 'service-unavailable', service: 'segmentation', instance: '/v1/customers/cus_1' });
    expect(Date.now() - started).toBeLessThan(5_000);
    // Proxied requests bypass Express, and still get their request log line (5xx: at error level).
    await eventually(() => {
      const logged = system.stack
        .logs('gateway')
        .split('\n')
        .filter((line) => line.startsWith('{') && line.endsWith('}'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((line) => line['msg'] === 'request' && line['requestId'] === down.headers['x-request-id']);
      expect(logged).toMatchObject({ level: 'error', method: 'GET', path: '/v1/customers/cus_1', status: 503 });
    });
    // /health reuses its answer for HEALTH_CACHE_MS (2 s), so the change shows within that.
    await eventually(async () => {
      const unhealthy = await system.api.get('/health');
      expect(unhealthy.status).toBe(503);
      expect(unhealthy.body.services.segmentation.status).toBe('unavailable');
    }, 5_000);

    await system.stack.startService('segmentation');
    await eventually(async () => void (await system.api.get('/health').expect(200)), 5_000);
  });

  it('serves Swagger UI', async () => {
    const res = await system.api.get('/docs/').expect(200);
    expect(res.text).toContain('swagger-ui');
  });

  it('shuts down on SIGTERM, running its shutdown hooks instead of being killed', async () => {
    const { code, signal } = await system.stack.terminate('gateway');
    // Nest re-raises the signal after its hooks ran: exit by SIGTERM (or 0), never SIGKILL.
    expect(signal === 'SIGTERM' || code === 0).toBe(true);
    await system.stack.startService('gateway');
  });
});
