import { loadConfig } from '@careflow/platform';
import { createTestDatabase, serviceTestEnv, type TestDatabase } from '@careflow/testing';
import { createLogger } from '@careflow/platform';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayConfig } from '../src/config/gateway.config.js';
import { IdempotencyStore } from '../src/modules/idempotency/idempotency-store.js';
import { IdempotencyRepository } from '../src/modules/idempotency/idempotency.repository.js';

describe('idempotency store', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let store: IdempotencyStore;
  const keyId = randomUUID();
  const fp = (body: string) => IdempotencyStore.fingerprint('POST', '/v1/tickets', Buffer.from(body));

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = new DataSource({ type: 'postgres', url: db.url });
    await dataSource.initialize();
    const config = loadConfig(GatewayConfig, serviceTestEnv(db.url, 'unused'));
    store = new IdempotencyStore(new IdempotencyRepository(dataSource), config, createLogger('test', 'silent'));
  });
  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  it('claims a new key, refuses it while in flight, then replays the stored response', async () => {
    expect(await store.claim(keyId, 'k-1', 'POST', '/v1/tickets', fp('{"a":1}'))).toEqual({ kind: 'claimed' });
    await expect(store.claim(keyId, 'k-1', 'POST', '/v1/tickets', fp('{"a":1}'))).rejects.toMatchObject({ status: 409, code: 'idempotency-key-in-flight' });

    await store.complete(keyId, 'k-1', { status: 201, headers: { 'content-type': 'application/json' }, body: Buffer.from('{"id":"t1"}') });
    const replay = await store.claim(keyId, 'k-1', 'POST', '/v1/tickets', fp('{"a":1}'));
    expect(replay).toEqual({ kind: 'replay', response: { status: 201, headers: { 'content-type': 'application/json' }, body: Buffer.from('{"id":"t1"}') } });
  });

  it('refuses the same key with another body (422), and keys are per API key', async () => {
    await store.claim(keyId, 'k-2', 'POST', '/v1/tickets', fp('{"a":1}'));
    await store.complete(keyId, 'k-2', { status: 201, headers: {}, body: Buffer.from('{}') });
    await expect(store.claim(keyId, 'k-2', 'POST', '/v1/tickets', fp('{"a":2}'))).rejects.toMatchObject({ status: 422, code: 'idempotency-key-reused' });
    expect(await store.claim(randomUUID(), 'k-2', 'POST', '/v1/tickets', fp('{"a":2}'))).toEqual({ kind: 'claimed' });
  });

  it('forgets a key whose request failed, so the client can retry', async () => {
    await store.claim(keyId, 'k-3', 'POST', '/v1/tickets', fp('x'));
    await store.release(keyId, 'k-3');
    expect(await store.claim(keyId, 'k-3', 'POST', '/v1/tickets', fp('x'))).toEqual({ kind: 'claimed' });
  });

  it('lets a request take over a key whose holder died (lease expired), and reuses expired keys', async () => {
    await store.claim(keyId, 'k-4', 'POST', '/v1/tickets', fp('y'));
    await dataSource.query(`UPDATE gateway.idempotency_records SET locked_until = now() - interval '1 second' WHERE key = 'k-4'`);
    expect(await store.claim(keyId, 'k-4', 'POST', '/v1/tickets', fp('y'))).toEqual({ kind: 'claimed' });

    await store.complete(keyId, 'k-4', { status: 201, headers: {}, body: Buffer.from('{}') });
    await dataSource.query(`UPDATE gateway.idempotency_records SET expires_at = now() - interval '1 second' WHERE key = 'k-4'`);
    expect(await store.claim(keyId, 'k-4', 'POST', '/v1/tickets', fp('different'))).toEqual({ kind: 'claimed' });
  });

  it('gives exactly one of many concurrent requests the key', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => store.claim(keyId, 'k-5', 'POST', '/v1/tickets', fp('z'))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason.status === 409)).toBe(true);
  });
});
