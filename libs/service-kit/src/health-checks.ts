import type { HealthCheck } from '@careflow/http';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';

export function postgresCheck(dataSource: DataSource): HealthCheck {
  return { name: 'postgres', check: async () => void (await dataSource.query('SELECT 1')) };
}

export function redisCheck(redis: Redis): HealthCheck {
  return { name: 'redis', check: async () => void (await redis.ping()) };
}
