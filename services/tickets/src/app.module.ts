import { ServiceKitModule } from '@careflow/service-kit';
import { Module, type DynamicModule } from '@nestjs/common';
import { TicketsConfig } from './config/tickets.config.js';
import { entities } from './database/entities.js';
import { migrations } from './database/migrations/index.js';
import { SCHEMA } from './database/schema.js';
import { CommentsModule } from './modules/comments/comments.module.js';
import { IncomingModule } from './modules/incoming/incoming.module.js';
import { TicketsModule } from './modules/tickets/tickets.module.js';
import { TimersModule } from './modules/timers/timers.module.js';

@Module({})
export class AppModule {
  /** `config` lets tests boot the module with settings of their own. */
  static create(config?: TicketsConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forService({
          service: 'tickets',
          schema: SCHEMA,
          config: TicketsConfig,
          configValue: config,
          entities,
          migrations,
        }),
        TicketsModule,
        CommentsModule,
        TimersModule,
        IncomingModule,
      ],
    };
  }
}
