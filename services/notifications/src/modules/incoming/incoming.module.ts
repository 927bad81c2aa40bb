import { Module } from '@nestjs/common';
import { CustomerProjectionModule } from '../customer-projection/customer-projection.module.js';
import { MailModule } from '../mail/mail.module.js';
import { NotificationsIncomingProcessor } from './notifications-incoming.processor.js';

/** The consumer of the notifications-incoming queue: customer upserts, and the ticket mail they call for. */
@Module({ imports: [CustomerProjectionModule, MailModule], providers: [NotificationsIncomingProcessor] })
export class IncomingModule {}
