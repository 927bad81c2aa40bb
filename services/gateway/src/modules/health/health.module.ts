import { HEALTH_CHECKS, type HealthCheck } from '@careflow/http';
import { REDIS } from '@careflow/messaging';
import { postgresCheck, redisCheck } from '@careflow/service-kit';
import { Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { ProxyModule } from '../proxy/proxy.module.js';
import { SystemHealthController } from './system-health.controller.js';

@Module({
  imports: [ProxyModule],
  controllers: [SystemHealthController],
  providers: [
    {
      provide: HEALTH_CHECKS,
      inject: [getDataSourceToken(), REDIS],
      useFactory: (ds: DataSource, redis: Redis): HealthCheck[] => [postgresCheck(ds), redisCheck(redis)],
    },
  ],
})
export class HealthModule {}
