import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers/customers.module.js';
import { MailModule } from '../mail/mail.module.js';
import { ShipmentsController } from '../shipments/shipments.controller.js';
import { ShipmentsService } from '../shipments/shipments.service.js';
import { OrdersController } from './orders.controller.js';
import { OrdersService } from './orders.service.js';

/** Orders, their shipments and tracking events, and the notices they cause. */
@Module({
  imports: [CustomersModule, MailModule],
  controllers: [OrdersController, ShipmentsController],
  providers: [OrdersService, ShipmentsService],
})
export class OrdersModule {}
