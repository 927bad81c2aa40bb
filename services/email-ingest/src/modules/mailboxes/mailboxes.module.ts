import { Module } from '@nestjs/common';
import { InboundEmailsModule } from '../inbound-emails/inbound-emails.module.js';
import { MailboxSecrets } from './mailbox-secrets.js';
import { MailboxesController } from './mailboxes.controller.js';
import { MailboxesRepository } from './mailboxes.repository.js';
import { MailboxesService } from './mailboxes.service.js';
import { MailboxesWorker } from './mailboxes.worker.js';

/** IMAP mailboxes: their registration (credentials encrypted) and the worker that fetches them. */
@Module({
  imports: [InboundEmailsModule],
  controllers: [MailboxesController],
  providers: [MailboxesRepository, MailboxSecrets, MailboxesService, MailboxesWorker],
  exports: [MailboxesRepository],
})
export class MailboxesModule {}
