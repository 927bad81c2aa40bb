import { Module } from '@nestjs/common';
import { InboundEmailsModule } from '../inbound-emails/inbound-emails.module.js';
import { EmailIngestIncomingProcessor } from './email-ingest-incoming.processor.js';

/** The consumer of the email-ingest-incoming queue. */
@Module({ imports: [InboundEmailsModule], providers: [EmailIngestIncomingProcessor] })
export class IncomingModule {}
