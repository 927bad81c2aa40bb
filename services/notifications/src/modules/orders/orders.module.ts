import { Module } from '@nestjs/common';
import { CustomerProjectionModule } from '../customer-projection/customer-projection.module.js';
import { MailModule } from '../mail/mail.module.js';
import { ShipmentsController } from '../shipments/shipments.controller.js';
import { ShipmentsService } from '../shipments/shipments.service.js';
import { OrdersController } from './orders.controller.js';
import { OrdersService } from './orders.service.js';

/** Orders, their shipments and tracking events, and the notices they cause. */
@Module({
  imports: [CustomerProjectionModule, MailModule],
  controllers: [OrdersController, ShipmentsController],
  providers: [OrdersService, ShipmentsService],
})
export class OrdersModule {}
