import { Module } from '@nestjs/common';
import { MailModule } from '../mail/mail.module.js';
import { NotificationsLogController } from './notifications-log.controller.js';
import { NotificationsLogService } from './notifications-log.service.js';

/** The notification log: every outbound message, as the API lists it. */
@Module({
  imports: [MailModule],
  controllers: [NotificationsLogController],
  providers: [NotificationsLogService],
})
export class NotificationsLogModule {}
