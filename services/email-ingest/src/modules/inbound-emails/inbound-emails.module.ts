import { Module } from '@nestjs/common';
import { InboundEmailsController } from './inbound-emails.controller.js';
import { InboundEmailsRepository } from './inbound-emails.repository.js';
import { InboundEmailsService } from './inbound-emails.service.js';

/** Inbound messages: the door they come through, their stored form and outcome. */
@Module({
  controllers: [InboundEmailsController],
  providers: [InboundEmailsRepository, InboundEmailsService],
  exports: [InboundEmailsRepository, InboundEmailsService],
})
export class InboundEmailsModule {}
