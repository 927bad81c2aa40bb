import { WEBHOOK_ONLY_EVENTS } from '@careflow/contracts';
import { ServiceKitModule } from '@careflow/service-kit';
import { Module, type DynamicModule } from '@nestjs/common';
import { NotificationsConfig } from './config/notifications.config.js';
import { entities } from './database/entities.js';
import { migrations } from './database/migrations/index.js';
import { SCHEMA } from './database/schema.js';
import { CustomerProjectionModule } from './modules/customer-projection/customer-projection.module.js';
import { IncomingModule } from './modules/incoming/incoming.module.js';
import { MailModule } from './modules/mail/mail.module.js';
import { NotificationsLogModule } from './modules/notifications-log/notifications-log.module.js';
import { OrdersModule } from './modules/orders/orders.module.js';
import { ShipmentsModule } from './modules/shipments/shipments.module.js';
import { WebhookEndpointsModule } from './modules/webhook-endpoints/webhook-endpoints.module.js';
import { WebhookDeliveriesModule } from './modules/webhook-deliveries/webhook-deliveries.module.js';
import { WebhookMessagesModule } from './modules/webhook-messages/webhook-messages.module.js';
import { anyEndpointSubscribedSql } from './modules/webhook-messages/webhook-messages.repository.js';

@Module({})
export class AppModule {
  /** `config` lets tests boot the module with settings of their own. */
  static create(config?: NotificationsConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forService({
          service: 'notifications',
          schema: SCHEMA,
          config: NotificationsConfig,
          configValue: config,
          entities,
          migrations,
          // Events only the webhook fan-in consumes are written while an endpoint wants them.
          outbox: { conditional: { events: WEBHOOK_ONLY_EVENTS, condition: anyEndpointSubscribedSql } },
        }),
        // Each feature folder is a module; their order is the order of the OpenAPI document's paths.
        OrdersModule,
        ShipmentsModule,
        NotificationsLogModule,
        WebhookEndpointsModule,
        MailModule,
        CustomerProjectionModule,
        IncomingModule,
        WebhookMessagesModule,
        WebhookDeliveriesModule,
      ],
    };
  }
}
