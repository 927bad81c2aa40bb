import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers/customers.module.js';
import { MailModule } from '../mail/mail.module.js';
import { NotificationsInboxProcessor } from './notifications-inbox.processor.js';

@Module({ imports: [CustomersModule, MailModule], providers: [NotificationsInboxProcessor] })
export class InboxModule {}
