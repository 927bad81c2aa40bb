import { TicketStatus } from '@careflow/contracts';
import { describe, expect, it } from 'vitest';
import { canTransition, statusAfterCustomerReply, transitionRefusal } from './status-machine.js';

describe('ticket status machine', () => {
  const allowed = new Set([
    'new>open', 'new>pending', 'new>on_hold', 'new>solved',
    'open>pending', 'open>on_hold', 'open>solved',
    'pending>open', 'pending>on_hold', 'pending>solved',
    'on_hold>open', 'on_hold>pending', 'on_hold>solved',
    'solved>open', 'solved>closed',
  ]);

  it.each(TicketStatus.flatMap((from) => TicketStatus.filter((to) => to !== from).map((to) => [from, to] as const)))(
    '%s → %s',
    (from, to) => {
      expect(canTransition(from, to)).toBe(allowed.has(`${from}>${to}`));
    },
  );

  it('explains a refusal naming both statuses', () => {
    expect(transitionRefusal('closed', 'open')).toContain('closed → open');
    expect(transitionRefusal('open', 'closed')).toContain('solve the ticket first');
  });

  it('reopens solved, pending and on-hold tickets on a customer reply', () => {
    expect(statusAfterCustomerReply('solved')).toBe('open');
    expect(statusAfterCustomerReply('pending')).toBe('open');
    expect(statusAfterCustomerReply('on_hold')).toBe('open');
    expect(statusAfterCustomerReply('new')).toBe('new');
    expect(statusAfterCustomerReply('open')).toBe('open');
  });
});
