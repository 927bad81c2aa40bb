import { describe, expect, it } from 'vitest';
import { CommonConfig, ServiceConfig } from './common.config.js';
import { ConfigError, loadConfig } from './load-config.js';

describe('loadConfig', () => {
  it('uses the local defaults of API.md when nothing is set', () => {
    const config = loadConfig(CommonConfig, {});
    expect(config.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/careflow');
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(config.LOG_LEVEL).toBe('info');
  });

  it('converts numbers and booleans from their string form', () => {
    const config = loadConfig(ServiceConfig, { PORT: '3005', INTERNAL_TOKEN: 'x'.repeat(16), DATABASE_POOL_SIZE: '7', MIGRATE_ON_START: 'false' });
    expect(config.PORT).toBe(3005);
    expect(config.DATABASE_POOL_SIZE).toBe(7);
    expect(config.MIGRATE_ON_START).toBe(false);
    expect(loadConfig(ServiceConfig, { PORT: '1', INTERNAL_TOKEN: 'x'.repeat(16) }).MIGRATE_ON_START).toBe(true);
    expect(loadConfig(CommonConfig, {}).WORKERS_ENABLED).toBe(true);
    expect(loadConfig(CommonConfig, { WORKERS_ENABLED: 'false' }).WORKERS_ENABLED).toBe(false);
    expect(loadConfig(CommonConfig, { WORKERS_ENABLED: 'true' }).WORKERS_ENABLED).toBe(true);
  });

  it('listens on loopback unless HOST says otherwise, and takes only an IP address', () => {
    const base = { PORT: '1', INTERNAL_TOKEN: 'x'.repeat(16) };
    expect(loadConfig(ServiceConfig, base).HOST).toBe('127.0.0.1');
    expect(loadConfig(ServiceConfig, { ...base, HOST: '0.0.0.0' }).HOST).toBe('0.0.0.0');
    expect(loadConfig(ServiceConfig, { ...base, HOST: '::' }).HOST).toBe('::');
    expect(() => loadConfig(ServiceConfig, { ...base, HOST: 'everywhere' })).toThrow(/HOST must be an IP address/);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig(CommonConfig, { LOG_LEVEL: '' }).LOG_LEVEL).toBe('info');
  });

  it('fails fast, naming every invalid variable at once', () => {
    let error: unknown;
    try {
      loadConfig(ServiceConfig, { PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const names = (error as ConfigError).problems.map((p) => p.split(':')[0]);
    expect(new Set(names)).toEqual(new Set(['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'INTERNAL_TOKEN']));
  });
});
