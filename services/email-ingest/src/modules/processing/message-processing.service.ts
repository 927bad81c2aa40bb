import { senderMailbox, type AttachmentRef, type InboundEmailBouncedPayload } from '@careflow/contracts';
import { LOGGER, RequestContext, type Logger } from '@careflow/platform';
import { Inject, Injectable } from '@nestjs/common';
import type { OutboxEvent } from '@careflow/persistence';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { EmailIngestConfig } from '../../config/email-ingest.config.js';
import { attachmentPath } from '../inbound-emails/dto/inbound-email.dto.js';
import type { NewAttachment, ParsedFields } from '../inbound-emails/inbound-email.record.js';
import { InboundEmailsRepository, type LockedMessage } from '../inbound-emails/inbound-emails.repository.js';
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

  /**
   * Processes stored messages (one job's worth) in the caller's transaction. Each is decided on
   * its own, but the statements are shared: one lock for all, one duplicate-key claim, one
   * per-sender count, one write of what was parsed and one announcement; only the rarer final
   * outcomes (rejected, duplicate, bounce, automatic reply) are written one by one.
   */
  async process(tx: EntityManager, requests: ReadonlyArray<{ inboundEmailId: string; requestId: string | null }>): Promise<void> {
    const requestIds = new Map(requests.map((r) => [r.inboundEmailId, r.requestId]));
    // A final outcome decided here is announced in the context of the message's own request.
    const finish = (id: string, ...rest: FinishArguments) =>
      RequestContext.run({ requestId: requestIds.get(id) ?? RequestContext.requestId() ?? `inbound:${id}` }, () => this.emails.finish(tx, id, ...rest));
    // Gone, or processed by an earlier delivery of the job: left out.
    const messages = (await this.emails.lockForProcessing(tx, requests.map((r) => r.inboundEmailId))).filter((m) => m.status === 'queued' && !m.parsed);

    const parsed: Array<{ message: LockedMessage; parsed: ParsedMessage }> = [];
    for (const message of messages) {
      try {
        parsed.push({ message, parsed: await parseMessage(message.raw, this.limits) });
      } catch (error) {
        if (!(error instanceof RejectedMessageError)) {
          // The parser is meant to turn every bad input into a RejectedMessageError; anything else is
          // logged as the bug it is, and the message is still given a final status rather than retried forever.
          this.logger.error({ err: error, inboundEmailId: message.id }, 'parser failed on a message');
        }
        const reason = error instanceof RejectedMessageError ? error.reason : 'unparseable';
        await finish(message.id, { status: 'rejected', reason });
      }
    }

    const holders = await this.emails.claimKeys(tx, parsed.map((p) => ({ key: dedupeKey(p.parsed), id: p.message.id })));
    const candidates: Array<{ message: LockedMessage; parsed: ParsedMessage; fields: ParsedFields; mailingList: boolean }> = [];
    for (const { message, parsed: p } of parsed) {
      const id = message.id;
      const fields = parsedFields(p);
      const holder = holders.get(id)!;
      if (holder !== id) {
        await finish(id, { status: 'duplicate', reason: `repeats ${holder}`, duplicateOf: holder }, [], fields);
        continue;
      }
      const kind = classify(p, { ownAddresses: this.ownAddresses });
      if (kind.kind === 'bounce') {
        const bounced: InboundEmailBouncedPayload = {
          inboundEmailId: id,
          originalMessageId: kind.report.originalMessageId,
          recipients: kind.report.recipients,
          receivedAt: message.receivedAt,
        };
        const failed = kind.report.recipients.filter((r) => r.permanent).map((r) => r.address);
        await finish(id, { status: 'bounce', reason: failed.length ? `permanent failure for ${failed.join(', ')}` : 'transient failure or delay' }, [
          { event: 'inbound_email.bounced', payload: bounced },
        ], fields);
        continue;
      }
      if (kind.kind === 'auto_reply') {
        await finish(id, { status: 'ignored_auto_reply', reason: kind.reason }, [], fields);
        continue;
      }
      candidates.push({ message, parsed: p, fields, mailingList: kind.mailingList });
    }

    // The per-sender limit, counting what this call accepts too, in order.
    const recent = await this.emails.recentFrom(tx, candidates.map((c) => c.parsed.from.address), candidates.map((c) => c.message.id));
    const accepted: typeof candidates = [];
    for (const c of candidates) {
      const sender = c.parsed.from.address;
      const count = recent.get(sender) ?? 0;
      if (count >= this.config.INBOUND_SENDER_LIMIT_PER_HOUR) {
        await finish(c.message.id, { status: 'rejected', reason: 'sender-rate-limited' }, [], c.fields);
        continue;
      }
      recent.set(sender, count + 1);
      accepted.push(c);
    }

    const withAttachments = accepted.map((c) => ({ ...c, attachments: keptAttachments(c.parsed) }));
    await this.emails.recordParsed(tx, withAttachments.map((c) => ({ id: c.message.id, fields: c.fields, attachments: c.attachments })));
    const groupKeys = new Map<string, string | null>();
    const own = new Set(this.ownAddresses);
    const events: OutboxEvent[] = [];
    for (const { message, parsed: p, attachments, mailingList } of withAttachments) {
      const id = message.id;
      const from = p.from;
      const cc = unique([...p.to, ...p.cc]).filter((a) => a !== from.address && !own.has(a));
      // Mail fetched from a mailbox goes to the mailbox's group; tickets routes the rest by recipient.
      let groupKey: string | null = null;
      if (message.mailboxId) {
        if (!groupKeys.has(message.mailboxId)) groupKeys.set(message.mailboxId, await this.mailboxes.groupKeyOf(message.mailboxId));
        groupKey = groupKeys.get(message.mailboxId)!;
      }
      events.push({
        event: 'inbound_email.parsed',
        requestId: requestIds.get(id) ?? null,
        payload: {
          inboundEmailId: id,
          messageId: p.messageId ?? `<${id}@inbound.careflow.invalid>`,
          replyTo: unique([...(p.inReplyTo ? [p.inReplyTo] : []), ...[...p.references].reverse()]).slice(0, 200),
          fromAddress: from.address,
          fromName: from.name,
          ccAddresses: cc.slice(0, 100),
          recipients: unique([...p.deliveredTo, ...p.originalTo, ...p.to, ...p.cc]).slice(0, 100),
          subject: p.subject,
          text: p.strippedText || p.text,
          html: p.html,
          groupKey,
          acknowledge: !mailingList,
          attachments: attachments.filter((a) => a.content).map((a): AttachmentRef => ({ name: a.filename, contentType: a.contentType, size: a.size, contentRef: attachmentPath(id, a.id) })),
          receivedAt: message.receivedAt,
        },
      });
    }
    await this.emails.announce(tx, events);
  }
}

/** What `finish` takes after the transaction and the message id. */
type FinishArguments = Parameters<InboundEmailsRepository['finish']> extends [unknown, unknown, ...infer R] ? R : never;

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
