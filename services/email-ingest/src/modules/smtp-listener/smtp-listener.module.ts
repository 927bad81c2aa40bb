import { Module } from '@nestjs/common';
import { InboundEmailsModule } from '../inbound-emails/inbound-emails.module.js';
import { SmtpListener } from './smtp-listener.service.js';

/** The inbound SMTP listener (INBOUND_SMTP_PORT): mail for the shop's domains, straight from an MX or a forwarding rule. */
@Module({
  imports: [InboundEmailsModule],
  providers: [SmtpListener],
})
export class SmtpListenerModule {}
