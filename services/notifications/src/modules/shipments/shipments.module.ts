import { Module } from '@nestjs/common';
import { MailModule } from '../mail/mail.module.js';
import { ShipmentsController } from './shipments.controller.js';
import { ShipmentsRepository } from './shipments.repository.js';
import { ShipmentsService } from './shipments.service.js';

/** Shipments of orders and their tracking events, and the notices and incidents they cause. */
@Module({
  imports: [MailModule],
  controllers: [ShipmentsController],
  providers: [ShipmentsService, ShipmentsRepository],
  exports: [ShipmentsService],
})
export class ShipmentsModule {}
