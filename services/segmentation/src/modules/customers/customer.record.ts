import type { Segment } from '@careflow/contracts';

export type CustomerOrigin = 'api' | 'ticket' | 'inbound_email' | 'order';

/** A customer's order statistics over all time (rules read their own windows from the orders). */
export interface CustomerStats {
  ordersCount: number;
  /** Per currency, decimal strings. */
  totalSpent: Record<string, string>;
  firstOrderAt: Date | null;
  lastOrderAt: Date | null;
  onlineOrders: number;
  inStoreOrders: number;
}

export interface CustomerRecord {
  id: string;
  externalId: string;
  email: string | null;
  name: string | null;
  phone: string | null;
  locale: string | null;
  tags: string[];
  vip: boolean | null;
  segmentOverride: Segment | null;
  origin: CustomerOrigin;
  /** The primary segment; null only inside the transaction that creates the customer. */
  segment: Segment | null;
  segments: string[];
  segmentVersion: number;
  stats: CustomerStats;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** The contact fields a PUT replaces, and the manual segment controls beside them. */
export interface CustomerFields {
  email: string | null;
  name: string | null;
  phone: string | null;
  locale: string | null;
  tags: string[];
  vip: boolean | null;
  segmentOverride: Segment | null;
}
