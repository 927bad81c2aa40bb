import type { Segment, TicketPriority, TicketType } from '@careflow/contracts';

const ORDER: readonly TicketPriority[] = ['low', 'normal', 'high', 'urgent'];

function raise(priority: TicketPriority): TicketPriority {
  return ORDER[Math.min(ORDER.indexOf(priority) + 1, ORDER.length - 1)]!;
}

/**
 * A ticket's priority when nobody chose one: incidents about shipments are handled first
 * (at least high), and VIP customers are raised one step.
 */
export function derivePriority(type: TicketType, segment: Segment | null): TicketPriority {
  const base: TicketPriority = type === 'shipment_exception' ? 'high' : 'normal';
  return segment === 'vip' ? raise(base) : base;
}

/** Tickets of customers without a segment get the `regular` policies. */
export function policySegment(segment: Segment | null): Segment {
  return segment ?? 'regular';
}
