import type { TicketStatus } from '@careflow/contracts';

/**
 * Which status a ticket may move to from each status (API.md, "Ticket rules"). `new` is
 * only ever the first status; `closed` is final and is reached through `solved` only.
 */
const ALLOWED: Readonly<Record<TicketStatus, readonly TicketStatus[]>> = {
  new: ['open', 'pending', 'on_hold', 'solved'],
  open: ['pending', 'on_hold', 'solved'],
  pending: ['open', 'on_hold', 'solved'],
  on_hold: ['open', 'pending', 'solved'],
  solved: ['open', 'closed'],
  closed: [],
};

export function canTransition(from: TicketStatus, to: TicketStatus): boolean {
  return ALLOWED[from].includes(to);
}

export function transitionRefusal(from: TicketStatus, to: TicketStatus): string {
  if (from === 'closed') return `A closed ticket is final: ${from} → ${to} is not allowed (a customer reply opens a follow-up ticket)`;
  if (to === 'new') return `${from} → new is not allowed: new is only the first status of a ticket`;
  if (to === 'closed') return `${from} → closed is not allowed: solve the ticket first (solved → closed)`;
  return `${from} → ${to} is not allowed`;
}

/** The status a public customer reply moves a ticket to (closed is handled by a follow-up). */
export function statusAfterCustomerReply(status: TicketStatus): TicketStatus {
  return status === 'solved' || status === 'pending' || status === 'on_hold' ? 'open' : status;
}

/** SLA clocks stop while a ticket is solved or closed. */
export function slaRunning(status: TicketStatus): boolean {
  return status !== 'solved' && status !== 'closed';
}
