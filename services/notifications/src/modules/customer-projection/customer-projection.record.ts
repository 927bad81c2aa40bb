/**
 * What notifications knows about a customer of the segmentation service (its projection of
 * them, kept from `customer.upserted`): where to write, in which language, whether it bounces.
 */
export interface CustomerProjectionRecord {
  externalId: string;
  email: string | null;
  name: string | null;
  locale: string | null;
  /** Why mail to this address is known not to arrive; null while it may. */
  undeliverableReason: string | null;
  /** When the customer was erased: the row is a tombstone, without personal data. */
  erasedAt: Date | null;
}
