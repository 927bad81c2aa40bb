import { ProblemDetailsFilter, createValidationPipe } from '@careflow/http';
import { MessagingModule } from '@careflow/messaging';
import { DatabaseModule } from '@careflow/persistence';
import { PlatformModule } from '@careflow/platform';
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { GatewayConfig } from './config/gateway.config.js';
import { entities } from './database/entities.js';
import { migrations } from './database/migrations/index.js';
import { SCHEMA } from './database/schema.js';
import { ApiKeysModule } from './modules/api-keys/api-keys.module.js';
import { AuthModule } from './modules/auth/auth.module.js';
import { GatewayAuthGuard } from './modules/auth/gateway-auth.guard.js';
import { DocsModule } from './modules/docs/docs.module.js';
import { HealthModule } from './modules/health/health.module.js';
import { ProxyModule } from './modules/proxy/proxy.module.js';
import { WebhookEventsModule } from './modules/webhook-events/webhook-events.module.js';

@Module({})
export class AppModule {
  static create(config?: GatewayConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        PlatformModule.forService({ service: 'gateway', config: GatewayConfig, configValue: config }),
        DatabaseModule.forService({ service: 'gateway', schema: SCHEMA, entities, migrations }),
        // The gateway publishes no jobs; it uses the Redis connection for rate limits and revocations.
        MessagingModule.forService({ service: 'gateway', relay: false, workers: false }),
        ApiKeysModule,
        AuthModule,
        ProxyModule,
        DocsModule,
        HealthModule,
        WebhookEventsModule,
      ],
      providers: [
        { provide: APP_GUARD, useExisting: GatewayAuthGuard },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      ],
    };
  }
}
