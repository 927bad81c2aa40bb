import { senderMailbox, type AttachmentRef, type InboundEmailBouncedPayload } from '@careflow/contracts';
import { LOGGER, type Logger } from '@careflow/platform';
import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { EmailIngestConfig } from '../../config/email-ingest.config.js';
import { attachmentPath } from '../inbound-emails/dto/inbound-email.dto.js';
import type { NewAttachment, ParsedFields } from '../inbound-emails/inbound-email.record.js';
import { InboundEmailsRepository } from '../inbound-emails/inbound-emails.repository.js';
import { MailboxesRepository } from '../mailboxes/mailboxes.repository.js';
import { classify } from '../parsing/classify.js';
import { dedupeKey } from '../parsing/dedupe-key.js';
import { DEFAULT_PARSE_LIMITS, type ParseLimits } from '../parsing/parse-limits.js';
import { parseMessage } from '../parsing/parse-message.js';
import type { ParsedMessage } from '../parsing/parsed-message.js';
import { RejectedMessageError } from '../parsing/parsing.exceptions.js';

/**
 * What happens to a stored message: parsed (a maintained MIME parser), checked for a
 * duplicate (its Message-ID, else its content, claimed by the first copy), classified (bounce
 * first, then automatic replies and loops), held to the per-sender limit, and handed to
 * tickets. Every outcome but a routed one is final here; tickets answers for the rest.
 */
@Injectable()
export class MessageProcessing {
  private readonly limits: ParseLimits;
  private readonly ownAddresses: string[];

  constructor(
    private readonly emails: InboundEmailsRepository,
    private readonly mailboxes: MailboxesRepository,
    private readonly config: EmailIngestConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.limits = { ...DEFAULT_PARSE_LIMITS, maxAttachmentBytes: config.INBOUND_ATTACHMENT_MAX_BYTES, maxAttachments: config.INBOUND_MAX_ATTACHMENTS };
    this.ownAddresses = [senderMailbox(config.MAIL_FROM).address.toLowerCase()];
  }

  async process(tx: EntityManager, inboundEmailId: string): Promise<void> {
    const message = await this.emails.lockForProcessing(tx, inboundEmailId);
    // Gone, or processed by an earlier delivery of the job.
    if (!message || message.status !== 'queued' || message.parsed) return;
    const id = message.id;

    let parsed: ParsedMessage;
    try {
      parsed = await parseMessage(message.raw, this.limits);
    } catch (error) {
      if (!(error instanceof RejectedMessageError)) {
        // The parser is meant to turn every bad input into a RejectedMessageError; anything else is
        // logged as the bug it is, and the message is still given a final status rather than retried forever.
        this.logger.error({ err: error, inboundEmailId: id }, 'parser failed on a message');
      }
      const reason = error instanceof RejectedMessageError ? error.reason : 'unparseable';
      await this.emails.finish(tx, id, { status: 'rejected', reason });
      return;
    }

    const fields = parsedFields(parsed);
    const claim = await this.emails.claimKey(tx, dedupeKey(parsed), id);
    if (!claim.claimed) {
      await this.emails.finish(tx, id, { status: 'duplicate', reason: `repeats ${claim.by}`, duplicateOf: claim.by }, [], fields);
      return;
    }

    const kind = classify(parsed, { ownAddresses: this.ownAddresses });
    if (kind.kind === 'bounce') {
      const bounced: InboundEmailBouncedPayload = {
        inboundEmailId: id,
        originalMessageId: kind.report.originalMessageId,
        recipients: kind.report.recipients,
        receivedAt: message.receivedAt,
      };
      const failed = kind.report.recipients.filter((r) => r.permanent).map((r) => r.address);
      await this.emails.finish(tx, id, { status: 'bounce', reason: failed.length ? `permanent failure for ${failed.join(', ')}` : 'transient failure or delay' }, [
        { event: 'inbound_email.bounced', payload: bounced },
      ], fields);
      return;
    }
    if (kind.kind === 'auto_reply') {
      await this.emails.finish(tx, id, { status: 'ignored_auto_reply', reason: kind.reason }, [], fields);
      return;
    }

    const from = parsed.from;
    if ((await this.emails.recentFrom(tx, from.address, id)) >= this.config.INBOUND_SENDER_LIMIT_PER_HOUR) {
      await this.emails.finish(tx, id, { status: 'rejected', reason: 'sender-rate-limited' }, [], fields);
      return;
    }

    const attachments = keptAttachments(parsed);
    await this.emails.recordParsed(tx, id, fields, attachments);
    const own = new Set(this.ownAddresses);
    const cc = unique([...parsed.to, ...parsed.cc]).filter((a) => a !== from.address && !own.has(a));
    await this.emails.announce(tx, [
      {
        event: 'inbound_email.parsed',
        payload: {
          inboundEmailId: id,
          messageId: parsed.messageId ?? `<${id}@inbound.careflow.invalid>`,
          replyTo: unique([...(parsed.inReplyTo ? [parsed.inReplyTo] : []), ...[...parsed.references].reverse()]).slice(0, 200),
          fromAddress: from.address,
          fromName: from.name,
          ccAddresses: cc.slice(0, 100),
          recipients: unique([...parsed.deliveredTo, ...parsed.originalTo, ...parsed.to, ...parsed.cc]).slice(0, 100),
          subject: parsed.subject,
          text: parsed.strippedText || parsed.text,
          html: parsed.html,
          // Mail fetched from a mailbox goes to the mailbox's group; tickets routes the rest by recipient.
          groupKey: message.mailboxId ? await this.mailboxes.groupKeyOf(message.mailboxId) : null,
          acknowledge: !kind.mailingList,
          attachments: attachments.filter((a) => a.content).map((a): AttachmentRef => ({ name: a.filename, contentType: a.contentType, size: a.size, contentRef: attachmentPath(id, a.id) })),
          receivedAt: message.receivedAt,
        },
      },
    ]);
  }
}

function parsedFields(p: ParsedMessage): ParsedFields {
  return {
    messageId: p.messageId,
    fromAddress: p.from.address,
    fromName: p.from.name,
    subject: p.subject,
    textBody: p.text,
    strippedText: p.strippedText,
    htmlBody: p.html,
  };
}

function keptAttachments(p: ParsedMessage): NewAttachment[] {
  return p.attachments.map((a, position) => ({
    id: randomUUID(),
    position,
    filename: a.filename,
    contentType: a.contentType,
    size: a.size,
    contentId: a.contentId,
    inline: a.inline,
    content: a.omitted ? null : a.content,
    omitted: a.omitted ?? null,
  }));
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
