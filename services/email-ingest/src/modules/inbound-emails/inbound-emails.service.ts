import type { Page } from '@careflow/http';
import { NotFoundError } from '@careflow/platform';
import { Injectable } from '@nestjs/common';
import type { AttachmentRecord, InboundEmailFilter, InboundEmailRecord, InboundSource } from './inbound-email.record.js';
import { InboundEmailsRepository } from './inbound-emails.repository.js';

/**
 * The door every inbound message comes through, whichever way it arrived (the API, a
 * provider's webhook, an IMAP mailbox, the SMTP listener): its raw bytes are stored and its
 * processing announced before anyone is told it was received.
 */
@Injectable()
export class InboundEmailsService {
  constructor(private readonly emails: InboundEmailsRepository) {}

  receive(raw: Uint8Array, source: InboundSource, mailboxId: string | null = null): Promise<{ id: string; receivedAt: Date }> {
    return this.emails.insertReceived(raw, source, mailboxId);
  }

  async get(id: string): Promise<InboundEmailRecord> {
    const found = await this.emails.find(id);
    if (!found) throw new NotFoundError('inbound e-mail', id);
    return found;
  }

  list(filter: InboundEmailFilter): Promise<Page<InboundEmailRecord>> {
    return this.emails.list(filter);
  }

  async raw(id: string): Promise<Buffer> {
    const raw = await this.emails.raw(id);
    if (!raw) throw new NotFoundError('inbound e-mail', id);
    return raw;
  }

  async attachment(id: string, attachmentId: string): Promise<AttachmentRecord & { content: Buffer }> {
    const found = await this.emails.attachmentContent(id, attachmentId);
    if (!found || !found.content) throw new NotFoundError('attachment', attachmentId);
    return { ...found, content: found.content };
  }
}
