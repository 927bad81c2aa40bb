import type { CommonConfig, Logger } from '@careflow/platform';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../config/gateway.config.js';
import { ApiKeyAuthenticator } from './api-key-authenticator.js';
import { hashApiKey } from './api-key-secret.js';
import { ApiKeysRepository } from './api-keys.repository.js';

const VALID = 'cf_validkey_' + 'v'.repeat(43);

/** An authenticator over a database that knows one key and counts its lookups. */
function authenticator() {
  let lookups = 0;
  const db = {
    query: async (sql: string, params: unknown[]) => {
      if (!sql.startsWith('SELECT')) return [];
      lookups += 1;
      const known = (params[0] as Buffer).equals(hashApiKey(VALID));
      return known ? [{ id: 'key-1', prefix: 'cf_validkey', scopes: ['customers:read'] }] : [];
    },
  } as unknown as DataSource;
  const config = { API_KEY_CACHE_TTL_MS: 60_000 } as GatewayConfig;
  const logger = { warn: () => undefined } as unknown as Logger;
  const auth = new ApiKeyAuthenticator(new ApiKeysRepository(db), {} as Redis, config, { QUEUE_PREFIX: 't' } as CommonConfig, logger);
  return { auth, lookups: () => lookups };
}

describe('ApiKeyAuthenticator', () => {
  it('keeps a valid key cached however many unknown keys are tried', async () => {
    const { auth, lookups } = authenticator();
    expect(await auth.authenticate(VALID)).toMatchObject({ id: 'key-1' });
    for (let i = 0; i <= 10_000; i++) expect(await auth.authenticate(`cf_madeupkey_${i}`)).toBeNull();
    const before = lookups();
    expect(await auth.authenticate(VALID)).toMatchObject({ id: 'key-1' });
    expect(lookups()).toBe(before); // still cached: no query
  });

  it('remembers an unknown key briefly, without asking the database again', async () => {
    const { auth, lookups } = authenticator();
    expect(await auth.authenticate('cf_unknown_key')).toBeNull();
    expect(await auth.authenticate('cf_unknown_key')).toBeNull();
    expect(lookups()).toBe(1);
  });

  it('runs beforeLookup only when it must ask the database, and asks nothing when it throws', async () => {
    const { auth, lookups } = authenticator();
    let asked = 0;
    const beforeLookup = async () => void (asked += 1);
    await auth.authenticate(VALID, beforeLookup);
    await auth.authenticate(VALID, beforeLookup);
    expect(asked).toBe(1);
    await expect(
      auth.authenticate('cf_another_key', async () => {
        throw new Error('blocked');
      }),
    ).rejects.toThrow('blocked');
    expect(lookups()).toBe(1);
  });
});
