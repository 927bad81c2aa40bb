import type { CustomerObservedPayload } from '@careflow/contracts';
import { isEmail } from 'class-validator';
import type { CustomerProjectionRecord } from '../customer-projection/customer-projection.record.js';

/**
 * What a new ticket tells segmentation about its customer (`customer.observed`), or null when
 * it tells nothing new: segmentation already announced the customer with an e-mail address,
 * or the ticket names neither an address nor a name. A customer the projection knows without
 * an address is observed when the ticket gives one, so notifications learns where to write
 * (segmentation answers with customer.upserted). An address the contract would refuse is not
 * passed on: the observation would only fail at segmentation's door.
 */
export function customerObservation(
  customer: { externalId?: string | null; email: string | null; name?: string | null },
  known: CustomerProjectionRecord | null,
  observedAt: Date,
): CustomerObservedPayload | null {
  const email = customer.email && isEmail(customer.email) ? customer.email : null;
  const name = customer.name ?? null;
  const observe = known ? known.email === null && email !== null : email !== null || name !== null;
  if (!observe) return null;
  return { externalId: customer.externalId ?? known?.externalId ?? null, email, name, source: 'ticket', observedAt };
}
