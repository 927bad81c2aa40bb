import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers/customers.module.js';
import { MailModule } from '../mail/mail.module.js';
import { NotificationsIncomingProcessor } from './notifications-inbox.processor.js';

@Module({ imports: [CustomersModule, MailModule], providers: [NotificationsIncomingProcessor] })
export class InboxModule {}
