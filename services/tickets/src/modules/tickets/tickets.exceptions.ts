import { DomainError } from '@careflow/platform';
import type { TicketStatus } from '@careflow/contracts';
import { transitionRefusal } from './status-machine.js';

export class InvalidTransitionError extends DomainError {
  readonly status = 409;
  readonly code = 'invalid-transition';
  readonly title = 'Status change not allowed';
  constructor(from: TicketStatus, to: TicketStatus) {
    super(transitionRefusal(from, to));
    this.extensions['from'] = from;
    this.extensions['to'] = to;
  }
}

export class TicketClosedError extends DomainError {
  readonly status = 409;
  readonly code = 'ticket-closed';
  readonly title = 'The ticket is closed';
  constructor(number: number) {
    super(`Ticket #${number} is closed and final; a customer reply opens a follow-up ticket`);
  }
}
