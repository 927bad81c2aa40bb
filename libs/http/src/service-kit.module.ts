import { DatabaseModule, type DatabaseModuleOptions } from '@careflow/persistence';
import { MessagingModule, REDIS } from '@careflow/messaging';
import { PlatformModule, type CommonConfig } from '@careflow/platform';
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { HEALTH_CHECKS, HealthController, type HealthCheck } from './health.controller.js';
import { InternalTokenGuard } from './internal-token.guard.js';
import { ProblemDetailsFilter } from './problem-details.filter.js';
import { ServiceScopeGuard } from './scope-guard.js';
import { createValidationPipe } from './validation.js';

export interface ServiceKitOptions<C extends CommonConfig> extends Omit<DatabaseModuleOptions, 'service'> {
  service: string;
  config: new () => C;
  configValue?: C;
  relay?: boolean;
  workers?: boolean;
}

export function postgresCheck(dataSource: DataSource): HealthCheck {
  return { name: 'postgres', check: async () => void (await dataSource.query('SELECT 1')) };
}

export function redisCheck(redis: Redis): HealthCheck {
  return { name: 'redis', check: async () => void (await redis.ping()) };
}

/**
 * Everything a backend service is made of besides its features: config, logger, its
 * migrated schema and outbox, BullMQ, /health, the internal-token and scope guards, the
 * validation pipe and the problem+json filter.
 */
@Module({})
export class ServiceKitModule {
  static forService<C extends CommonConfig>(options: ServiceKitOptions<C>): DynamicModule {
    return {
      module: ServiceKitModule,
      imports: [
        PlatformModule.forService({ service: options.service, config: options.config, configValue: options.configValue }),
        DatabaseModule.forService(options),
        MessagingModule.forService({ service: options.service, relay: options.relay, workers: options.workers }),
      ],
      controllers: [HealthController],
      providers: [
        {
          provide: HEALTH_CHECKS,
          inject: [getDataSourceToken(), REDIS],
          useFactory: (ds: DataSource, redis: Redis): HealthCheck[] => [postgresCheck(ds), redisCheck(redis)],
        },
        { provide: APP_GUARD, useClass: InternalTokenGuard },
        { provide: APP_GUARD, useClass: ServiceScopeGuard },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      ],
    };
  }
}
