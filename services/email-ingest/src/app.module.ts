import { ServiceKitModule } from '@careflow/service-kit';
import { Module, type DynamicModule } from '@nestjs/common';
import { EmailIngestConfig } from './config/email-ingest.config.js';
import { entities } from './database/entities.js';
import { migrations } from './database/migrations/index.js';
import { SCHEMA } from './database/schema.js';
import { InboundEmailsModule } from './modules/inbound-emails/inbound-emails.module.js';
import { IncomingModule } from './modules/incoming/incoming.module.js';
import { ProcessingModule } from './modules/processing/processing.module.js';
import { ProviderWebhooksModule } from './modules/provider-webhooks/provider-webhooks.module.js';
import { SmtpListenerModule } from './modules/smtp-listener/smtp-listener.module.js';
import { MailboxesModule } from './modules/mailboxes/mailboxes.module.js';

@Module({})
export class AppModule {
  /** `config` lets tests boot the module with settings of their own. */
  static create(config?: EmailIngestConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forService({
          service: 'email-ingest',
          schema: SCHEMA,
          config: EmailIngestConfig,
          configValue: config,
          entities,
          migrations,
        }),
        // Each feature folder is a module; their order is the order of the OpenAPI document's paths.
        InboundEmailsModule,
        ProcessingModule,
        IncomingModule,
        ProviderWebhooksModule,
        SmtpListenerModule,
        MailboxesModule,
      ],
    };
  }
}
