import type { Segment } from '@careflow/contracts';

/** What the tickets service knows of a customer: enough to address, greet and prioritise them. */
export interface CustomerProjectionRecord {
  externalId: string;
  email: string | null;
  name: string | null;
  locale: string | null;
  segment: Segment | null;
}
