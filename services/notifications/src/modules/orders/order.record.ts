import type { OrderChannel } from '@careflow/contracts';

/** A line of an order or of a shipment, as the shop sent it. */
export interface OrderItem {
  sku: string;
  name: string;
  quantity: number;
  /** Unit price, a decimal string in the order's currency. */
  price: string;
}

/** An order as the shop recorded it (the latest version of it). */
export interface OrderRecord {
  id: string;
  externalId: string;
  customerExternalId: string;
  channel: OrderChannel;
  /** numeric(18,4) as Postgres prints it: four decimals. */
  total: string;
  currency: string;
  placedAt: Date;
  items: OrderItem[];
  /** Counts the changes of the order; consumers of `order.recorded` keep the newest. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
  /** created_at at full precision, for keyset cursors. */
  createdCursor: string;
}

/** What the shop sends to record an order. */
export type NewOrder = Pick<OrderRecord, 'externalId' | 'customerExternalId' | 'channel' | 'total' | 'currency' | 'items'> & {
  /** As the shop sent it (RFC 3339). */
  placedAt: string;
};
