import { Module } from '@nestjs/common';
import { NotificationsMailProcessor } from './notifications-mail.processor.js';
import { OutboundMailService } from './outbound-mail.service.js';
import { OutboundMessagesRepository } from './outbound-messages.repository.js';
import { SmtpTransport } from './smtp-transport.js';

/** Outbound e-mail: recording messages with their send jobs, and sending them (pooled SMTP, retries). */
@Module({
  providers: [OutboundMailService, OutboundMessagesRepository, SmtpTransport, NotificationsMailProcessor],
  exports: [OutboundMailService, OutboundMessagesRepository],
})
export class MailModule {}
