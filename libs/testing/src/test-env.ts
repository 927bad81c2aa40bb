import { TEST_REDIS_URL } from './redis-keys.js';

/** Environment for booting a service in-process against a test database and queue prefix. */
export function serviceTestEnv(databaseUrl: string, queuePrefix: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: queuePrefix,
    INTERNAL_TOKEN: 'in-process-test-internal-token',
    PORT: '0',
    LOG_LEVEL: 'silent',
    ...extra,
  };
}
