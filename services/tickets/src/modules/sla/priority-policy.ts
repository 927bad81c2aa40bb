import type { CarePolicy, Segment, TicketPriority, TicketType } from '@careflow/contracts';

const ORDER: readonly TicketPriority[] = ['low', 'normal', 'high', 'urgent'];

/** The part of a segment's care policy (`CarePolicy`, carried by customer.segment_changed) that tickets apply. */
export type TicketCarePolicy = Pick<CarePolicy, 'priorityBump' | 'slaPolicy'>;

function raise(priority: TicketPriority, steps: number): TicketPriority {
  return ORDER[Math.min(ORDER.indexOf(priority) + steps, ORDER.length - 1)]!;
}

/** Steps a customer's derived priorities are raised: the care policy's, else (events of releases before policies) one for a VIP. */
export function priorityBump(segment: Segment | null, policy: TicketCarePolicy | null): number {
  return policy ? policy.priorityBump : segment === 'vip' ? 1 : 0;
}

/**
 * A ticket's priority when nobody chose one: incidents about shipments are handled first
 * (at least high), then raised by the customer's care policy; without one (events of releases
 * before policies) VIP customers are raised one step.
 */
export function derivePriority(type: TicketType, segment: Segment | null, policy: TicketCarePolicy | null = null): TicketPriority {
  const base: TicketPriority = type === 'shipment_exception' ? 'high' : 'normal';
  return raise(base, priorityBump(segment, policy));
}

/**
 * Whose SLA targets a ticket takes: the care policy's, else its segment's; tickets of
 * customers without a segment get the `regular` policies.
 */
export function policySegment(segment: Segment | null, policy: TicketCarePolicy | null = null): Segment {
  return policy?.slaPolicy ?? segment ?? 'regular';
}

/** What tickets keep of an event's care policy; null when the event has none. */
export function ticketCarePolicy(policy: CarePolicy | null | undefined): TicketCarePolicy | null {
  return policy ? { priorityBump: policy.priorityBump, slaPolicy: policy.slaPolicy } : null;
}

/** A care policy as the customer projection stores it: both columns set together, or neither. */
export function storedCarePolicy(priorityBump: number | null, slaPolicy: Segment | null): TicketCarePolicy | null {
  return priorityBump !== null && slaPolicy !== null ? { priorityBump: Number(priorityBump), slaPolicy } : null;
}

export function sameCarePolicy(a: TicketCarePolicy | null, b: TicketCarePolicy | null): boolean {
  return a === b || (a !== null && b !== null && a.priorityBump === b.priorityBump && a.slaPolicy === b.slaPolicy);
}
