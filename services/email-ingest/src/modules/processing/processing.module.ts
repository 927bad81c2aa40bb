import { Module } from '@nestjs/common';
import { InboundEmailsModule } from '../inbound-emails/inbound-emails.module.js';
import { MailboxesModule } from '../mailboxes/mailboxes.module.js';
import { EmailIngestProcessingProcessor } from './email-ingest-processing.processor.js';
import { MessageProcessing } from './message-processing.service.js';

/** Parsing, duplicate detection, classification and hand-over of stored messages. */
@Module({ imports: [InboundEmailsModule, MailboxesModule], providers: [MessageProcessing, EmailIngestProcessingProcessor] })
export class ProcessingModule {}
