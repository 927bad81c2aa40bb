import {
  ticketIdOfMessageId,
  withoutSubaddress,
  type InboundEmailBouncedPayload,
  type InboundEmailParsedPayload,
  type InboundEmailRoutedPayload,
  type InboundMailContext,
  type TicketActor,
} from '@careflow/contracts';
import { Outbox, type OutboxEvent } from '@careflow/persistence';
import { NotFoundError, RequestContext, UnprocessableError } from '@careflow/platform';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { NewComment } from '../comments/comment.record.js';
import { CommentsService } from '../comments/comments.service.js';
import { CustomerProjectionRepository } from '../customer-projection/customer-projection.repository.js';
import { GroupsService } from '../groups/groups.service.js';
import { TicketsRepository } from '../tickets/tickets.repository.js';
import { TicketChanges, type TicketDraft } from '../tickets/ticket-changes.js';
import type { TicketRecord } from '../tickets/ticket.record.js';
import { InboundMailRepository } from './inbound-mail.repository.js';
import { normalizeMessageId, routingAddresses, subjectTicketNumber } from './mail-threading.js';

const CUSTOMER: TicketActor = { type: 'customer', id: null };

/** The message as its sender's public comment: the reply text, the sanitized HTML, the attachments. */
function customerComment(m: InboundEmailParsedPayload): NewComment {
  return {
    body: m.text,
    html: m.html,
    public: true,
    author: { type: 'customer', id: null, email: m.fromAddress, name: m.fromName },
    attachments: m.attachments,
    sourceInboundEmailId: m.inboundEmailId,
  };
}
const SYSTEM: TicketActor = { type: 'system', id: null };

/** The ticket a message names, and how it named it. */
interface ThreadMatch {
  ticket: TicketRecord;
  reason: string;
}

/**
 * Where a parsed inbound e-mail belongs, decided in this order: a Message-ID it answers (one the
 * ticket received, or one of the product's own, which carry the ticket id), then a `[#number]`
 * token in its subject, else a new ticket. A matched ticket takes the message only from a
 * participant (its customer, or an address that was on its thread): a stranger cannot append
 * by guessing a number, and gets a new ticket. The decision is announced to email-ingest with
 * `inbound_email.routed` in the same transaction. The inbound message id is unique on tickets
 * and comments, so a redelivered message creates and announces nothing twice, beyond the job
 * ledger too.
 */
@Injectable()
export class InboundMailService {
  constructor(
    private readonly tickets: TicketsRepository,
    private readonly changes: TicketChanges,
    private readonly comments: CommentsService,
    private readonly groups: GroupsService,
    private readonly mail: InboundMailRepository,
    private readonly outbox: Outbox,
    private readonly customers: CustomerProjectionRepository,
  ) {}

  /** Routes a message that names something, one by one (see `routeMany`, which found it not routed before); returns the ticket it went to. */
  private async route(tx: EntityManager, m: InboundEmailParsedPayload): Promise<TicketRecord> {
    const from = m.fromAddress.trim().toLowerCase();
    const inboundMail = { messageId: normalizeMessageId(m.messageId) ?? m.messageId, acknowledge: m.acknowledge };
    const match = await this.thread(tx, m);
    const accepted = match && (await this.mail.isParticipant(tx, match.ticket.id, from)) ? match : null;

    let routed: Omit<InboundEmailRoutedPayload, 'inboundEmailId' | 'ticketId' | 'ticketNumber'> & { ticket: TicketRecord };
    if (accepted) {
      const { comment, ticket } = await this.comments.addTo(
        tx,
        accepted.ticket,
        { ...customerComment(m), inboundMail },
        CUSTOMER,
      );
      const followUp = ticket.id !== accepted.ticket.id;
      routed = {
        ticket,
        outcome: followUp ? 'ticket_created' : 'appended',
        commentId: comment.id,
        reason: followUp ? `follow-up of closed #${accepted.ticket.number}` : accepted.reason,
      };
    } else {
      const group = await this.groupOf(tx, m);
      const { ticket, commentId } = await this.openFrom(tx, m, group, inboundMail);
      const reason = match ? `sender is not a participant of #${match.ticket.number}: new ticket` : 'new ticket';
      routed = { ticket, outcome: 'ticket_created', commentId, reason: group ? `${reason} (group ${group.route.key}: ${group.why})` : reason };
    }

    await this.mail.recordMessages(tx, [
      { messageId: inboundMail.messageId, ticketId: routed.ticket.id, inboundEmailId: m.inboundEmailId, participants: await this.participants(tx, m) },
    ]);
    const { ticket, ...decision } = routed;
    await this.outbox.enqueue(tx, 'inbound_email.routed', { inboundEmailId: m.inboundEmailId, ticketId: ticket.id, ticketNumber: ticket.number, ...decision });
    return ticket;
  }

  /**
   * Routes the messages of one job. A message that names something (Message-IDs it answers, a
   * ticket number in its subject, a mailbox's group) goes through `route`, one by one; the
   * others are new tickets for certain, and share their lookups and writes: one statement
   * finds those routed before, one the groups of every recipient and participant, one their
   * customers, one INSERT their tickets (TicketChanges.openMany); the Message-IDs, participants
   * and `inbound_email.routed` events of all are three more. Returns the tickets written (for
   * their timers).
   */
  async routeMany(tx: EntityManager, items: ReadonlyArray<{ message: InboundEmailParsedPayload; requestId: string }>): Promise<TicketRecord[]> {
    const routedBefore = await this.mail.routedAmong(tx, items.map((i) => i.message.inboundEmailId));
    const written: TicketRecord[] = [];
    const fresh: Array<(typeof items)[number]> = [];
    for (const item of items) {
      const m = item.message;
      if (routedBefore.has(m.inboundEmailId)) continue;
      if (m.replyTo.length > 0 || subjectTicketNumber(m.subject) !== null || m.groupKey) {
        written.push(await RequestContext.run({ requestId: item.requestId }, () => this.route(tx, m)));
      } else {
        fresh.push(item);
      }
    }
    if (fresh.length === 0) return written;

    const onThread = new Map(fresh.map(({ message: m }) => [m.inboundEmailId, addressesOn(m)]));
    const book = await this.groups.addressBook(
      [...new Set(fresh.flatMap(({ message: m }) => [...routingAddresses(m.recipients), ...routingAddresses(onThread.get(m.inboundEmailId)!)]))],
      tx,
    );
    const known = await this.customers.findByEmails(tx, fresh.map(({ message: m }) => m.fromAddress.trim()));
    const decided = fresh.map(({ message: m, requestId }) => ({
      m,
      requestId,
      route: book.firstRoute(routingAddresses(m.recipients)),
      inboundMail: { messageId: normalizeMessageId(m.messageId) ?? m.messageId, acknowledge: m.acknowledge },
    }));
    const opened = await this.changes.openMany(
      tx,
      decided.map(({ m, requestId, route, inboundMail }) => ({
        draft: newTicketDraft(m, route, inboundMail),
        actor: CUSTOMER,
        known: known.get(m.fromAddress.trim().toLowerCase()) ?? null,
        requestId,
      })),
    );
    const messages: Array<{ messageId: string; ticketId: string; inboundEmailId: string; participants: string[] }> = [];
    const events: OutboxEvent[] = [];
    for (const [i, { m, requestId, route, inboundMail }] of decided.entries()) {
      await RequestContext.run({ requestId }, async () => {
        const { ticket, commentId } = await this.withAttachments(tx, m, opened[i]!);
        const all = onThread.get(m.inboundEmailId)!;
        const own = book.inbound(routingAddresses(all));
        messages.push({
          messageId: inboundMail.messageId,
          ticketId: ticket.id,
          inboundEmailId: m.inboundEmailId,
          participants: all.filter((a) => !own.has(a) && !own.has(withoutSubaddress(a))),
        });
        events.push({
          event: 'inbound_email.routed',
          requestId,
          payload: {
            inboundEmailId: m.inboundEmailId,
            ticketId: ticket.id,
            ticketNumber: ticket.number,
            outcome: 'ticket_created',
            commentId,
            reason: route ? `new ticket (group ${route.key}: recipient ${route.inboundAddress})` : 'new ticket',
          },
        });
        written.push(ticket);
      });
    }
    await this.mail.recordMessages(tx, messages);
    await this.outbox.enqueueMany(tx, events);
    return written;
  }

  /** A new ticket from the message (its group decided by the caller), and its first comment when it brought attachments. */
  private async openFrom(
    tx: EntityManager,
    m: InboundEmailParsedPayload,
    group: { route: { key: string; id: string; address: string | null }; why: string } | null,
    inboundMail: InboundMailContext,
  ): Promise<{ ticket: TicketRecord; commentId: string | null }> {
    return this.withAttachments(tx, m, await this.changes.open(tx, newTicketDraft(m, group?.route ?? null, inboundMail), CUSTOMER));
  }

  /**
   * A ticket's description has no attachments: the message, as received, is also its first
   * comment when it brought some, so they are shown (and the HTML body is kept with them).
   */
  private async withAttachments(tx: EntityManager, m: InboundEmailParsedPayload, ticket: TicketRecord): Promise<{ ticket: TicketRecord; commentId: string | null }> {
    if (m.attachments.length === 0) return { ticket, commentId: null };
    const added = await this.comments.addTo(tx, ticket, customerComment(m), CUSTOMER);
    return { ticket: added.ticket, commentId: added.comment.id };
  }

  /**
   * A delivery status notification about mail of a ticket: an internal note naming each
   * recipient that failed, with the status and the remote server's diagnostic. Nothing when
   * the original message is not a ticket's, nothing failed (only delays), or the ticket is
   * closed (a closed ticket is final). Once per report.
   */
  async bounced(tx: EntityManager, b: InboundEmailBouncedPayload): Promise<TicketRecord | null> {
    const original = b.originalMessageId ? normalizeMessageId(b.originalMessageId) : null;
    if (!original) return null;
    const failed = b.recipients.filter((r) => r.action === 'failed');
    if (failed.length === 0) return null;
    const ticketId = ticketIdOfMessageId(original) ?? (await this.mail.ticketsOfMessages(tx, [original])).get(original);
    if (!ticketId || (await this.comments.existsFromInboundEmail(tx, b.inboundEmailId))) return null;
    const ticket = await this.findLocked(tx, ticketId);
    if (!ticket || ticket.status === 'closed') return null;
    const lines = failed.map(
      (r) => `- ${r.address}: ${r.status ?? 'no status code'}${r.permanent ? ', permanent' : ', temporary'}${r.diagnostic ? ` (${r.diagnostic})` : ''}`,
    );
    const { ticket: after } = await this.comments.addTo(
      tx,
      ticket,
      {
        body: `Mail about this ticket could not be delivered (Message-ID ${original}):\n${lines.join('\n')}`,
        public: false,
        author: { type: 'system', id: null, email: null, name: null },
        attachments: [],
        sourceInboundEmailId: b.inboundEmailId,
      },
      SYSTEM,
    );
    return after;
  }

  /** The ticket the message answers (In-Reply-To, then References newest first), else the one its subject names. */
  private async thread(tx: EntityManager, m: InboundEmailParsedPayload): Promise<ThreadMatch | null> {
    const ids = m.replyTo.map((id) => normalizeMessageId(id));
    const received = await this.mail.ticketsOfMessages(tx, [...new Set(ids.filter((id): id is string => id !== null && !ticketIdOfMessageId(id)))]);
    for (const [i, id] of ids.entries()) {
      if (!id) continue;
      const ticketId = ticketIdOfMessageId(id) ?? received.get(id);
      const ticket = ticketId ? await this.findLocked(tx, ticketId) : null;
      if (ticket) return { ticket, reason: `reply to #${ticket.number} (${i === 0 ? 'In-Reply-To' : 'References'})` };
    }
    const number = subjectTicketNumber(m.subject);
    const ticket = number ? await this.findLocked(tx, number) : null;
    return ticket ? { ticket, reason: `subject token #${ticket.number}` } : null;
  }

  /**
   * A new ticket's group: the mailbox's group (the message was fetched from it), else the group
   * of the first recipient in routing order that is a group's inbound address, directly or by
   * plus-addressing; else none (there is no default group).
   */
  private async groupOf(tx: EntityManager, m: InboundEmailParsedPayload): Promise<{ route: { key: string; id: string; address: string | null }; why: string } | null> {
    if (m.groupKey) {
      // An address whose group was deleted since still makes a ticket, routed by recipient instead.
      const route = await this.groups.resolve(m.groupKey, 'groupKey', tx).catch((error: unknown) => {
        if (error instanceof UnprocessableError) return null;
        throw error;
      });
      if (route) return { route: { key: m.groupKey, id: route.id, address: route.address }, why: 'mailbox' };
    }
    const route = await this.groups.routeOfFirstAddress(routingAddresses(m.recipients), tx);
    return route ? { route, why: `recipient ${route.inboundAddress}` } : null;
  }

  /** Who was on the message (From, To, Cc), lower-case, without the shop's own group addresses. */
  private async participants(tx: EntityManager, m: InboundEmailParsedPayload): Promise<string[]> {
    const all = addressesOn(m);
    const own = await this.groups.inboundAddressesAmong(routingAddresses(all), tx);
    return all.filter((a) => !own.has(a) && !own.has(withoutSubaddress(a)));
  }

  private async findLocked(tx: EntityManager, ref: string): Promise<TicketRecord | null> {
    try {
      return await this.tickets.find(ref, tx, true);
    } catch (error) {
      if (error instanceof NotFoundError) return null;
      throw error;
    }
  }
}

/** Every address on the message (From, To, Cc), lower-case. */
function addressesOn(m: InboundEmailParsedPayload): string[] {
  return [...new Set([m.fromAddress, ...m.ccAddresses].map((a) => a.trim().toLowerCase()).filter((a) => a.includes('@')))];
}

/** The ticket a message opens. */
function newTicketDraft(m: InboundEmailParsedPayload, group: { key: string; id: string; address: string | null } | null, inboundMail: InboundMailContext): TicketDraft {
  return {
    subject: m.subject || '(no subject)',
    description: m.text || '(empty message)',
    customer: { email: m.fromAddress, name: m.fromName },
    channel: 'email',
    group,
    sourceInboundEmailId: m.inboundEmailId,
    inboundMail,
  };
}
