import type { Segment, TicketPriority } from '@careflow/contracts';

/** Promised times (seconds, calendar time) for tickets of one segment and priority. */
export interface SlaTargets {
  firstResponseSeconds: number;
  nextResponseSeconds: number;
  resolutionSeconds: number;
}

export interface SlaPolicyRecord extends SlaTargets {
  segment: Segment;
  priority: TicketPriority;
}
