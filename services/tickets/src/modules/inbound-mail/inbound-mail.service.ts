import type { InboundEmailParsedPayload, TicketActor } from '@careflow/contracts';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CommentsService } from '../comments/comments.service.js';
import { GroupsService } from '../groups/groups.service.js';
import { TicketsRepository } from '../tickets/tickets.repository.js';
import { TicketChanges } from '../tickets/ticket-changes.js';
import type { TicketRecord } from '../tickets/ticket.record.js';

/**
 * A parsed inbound e-mail becomes a new ticket, or a customer comment on the ticket it replies
 * to. The inbound message id is unique on tickets and comments, so a redelivered message
 * creates nothing twice even beyond the job ledger.
 */
@Injectable()
export class InboundMailService {
  constructor(
    private readonly tickets: TicketsRepository,
    private readonly changes: TicketChanges,
    private readonly comments: CommentsService,
    private readonly groups: GroupsService,
  ) {}

  async handle(tx: EntityManager, m: InboundEmailParsedPayload): Promise<TicketRecord> {
    const actor: TicketActor = { type: 'customer', id: null };
    const seen = await this.tickets.findBySourceEmail(tx, m.inboundEmailId);
    if (seen) return seen;
    if (await this.comments.existsFromInboundEmail(tx, m.inboundEmailId)) return this.tickets.findBySourceEmail(tx, m.inboundEmailId) as Promise<TicketRecord>;

    const ticketId: string | null = null;
    if (ticketId) {
      const ticket = await this.tickets.find(ticketId, tx, true);
      const { ticket: after } = await this.comments.addTo(
        tx,
        ticket,
        {
          body: m.text,
          html: m.html,
          public: true,
          author: { type: 'customer', id: null, email: m.fromAddress, name: m.fromName },
          attachments: m.attachments,
          sourceInboundEmailId: m.inboundEmailId,
        },
        actor,
      );
      return after;
    }
    // An address whose group was deleted since still makes a ticket, just without the group.
    const group = m.groupKey ? await this.groups.resolve(m.groupKey, 'group', tx).then((g) => ({ key: m.groupKey!, ...g }), () => null) : null;
    return this.changes.open(
      tx,
      {
        subject: m.subject || '(no subject)',
        description: m.text || '(empty message)',
        customer: { email: m.fromAddress, name: m.fromName },
        channel: 'email',
        group,
        sourceInboundEmailId: m.inboundEmailId,
      },
      actor,
    );
  }
}
