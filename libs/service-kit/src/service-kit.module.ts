import { DatabaseModule, type DatabaseModuleOptions } from '@careflow/persistence';
import { MessagingModule, REDIS } from '@careflow/messaging';
import { PlatformModule, type CommonConfig } from '@careflow/platform';
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import { createValidationPipe, HEALTH_CHECKS, InternalTokenGuard, ProblemDetailsFilter, ServiceScopeGuard, type HealthCheck } from '@careflow/http';
import { postgresCheck, redisCheck } from './health-checks.js';
import { ServiceHealthController } from './service-health.controller.js';

export interface ServiceKitOptions<C extends CommonConfig> extends Omit<DatabaseModuleOptions, 'service'> {
  service: string;
  config: new () => C;
  configValue?: C;
  relay?: boolean;
  workers?: boolean;
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
      controllers: [ServiceHealthController],
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
