import { Module } from '@nestjs/common';
import { CustomerProjectionModule } from '../customer-projection/customer-projection.module.js';
import { MailModule } from '../mail/mail.module.js';
import { NotificationsInboxProcessor } from './notifications-inbox.processor.js';

/** The notifications inbox queue's consumer: customer upserts, and the ticket mail they call for. */
@Module({ imports: [CustomerProjectionModule, MailModule], providers: [NotificationsInboxProcessor] })
export class InboxModule {}
