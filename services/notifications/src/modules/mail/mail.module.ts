import { Module } from '@nestjs/common';
import { NotificationsLogController } from '../notifications-log/notifications-log.controller.js';
import { NotificationsMailProcessor } from './notifications-mail.processor.js';
import { OutboundMailService } from './outbound-mail.service.js';
import { SmtpTransport } from './smtp-transport.js';

/** Outbound e-mail: recording, sending (pooled SMTP, retries), and the message log. */
@Module({
  controllers: [NotificationsLogController],
  providers: [OutboundMailService, SmtpTransport, NotificationsMailProcessor],
  exports: [OutboundMailService],
})
export class MailModule {}
