import { Module } from '@nestjs/common';
import { CustomerErasureModule } from '../customer-erasure/customer-erasure.module.js';
import { CustomerProjectionModule } from '../customer-projection/customer-projection.module.js';
import { MailModule } from '../mail/mail.module.js';
import { UndeliverableAddressesModule } from '../undeliverable-addresses/undeliverable-addresses.module.js';
import { NotificationsIncomingProcessor } from './notifications-incoming.processor.js';

/** The consumer of the notifications-incoming queue: customer upserts and erasures, bounces, and the ticket mail they call for. */
@Module({ imports: [CustomerProjectionModule, CustomerErasureModule, MailModule, UndeliverableAddressesModule], providers: [NotificationsIncomingProcessor] })
export class IncomingModule {}
