import type { Segment } from '@careflow/contracts';
import type { TicketCarePolicy } from '../sla/priority-policy.js';

/** What the tickets service knows of a customer: enough to address, greet and prioritise them. */
export interface CustomerProjectionRecord {
  externalId: string;
  email: string | null;
  name: string | null;
  locale: string | null;
  segment: Segment | null;
  /** The care policy of the customer's primary segment; null when segmentation sent none. */
  carePolicy: TicketCarePolicy | null;
  /** When the customer was erased: the row is a tombstone, without personal data. */
  erasedAt: Date | null;
}

/** What the projection knew of an erased customer just before it became a tombstone. */
export interface ErasedCustomerRecord {
  email: string | null;
  name: string | null;
  phone: string | null;
}
