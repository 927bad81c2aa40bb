import type { ShipmentStatus } from '@careflow/contracts';
import type { CustomerProjectionRecord } from '../customer-projection/customer-projection.record.js';
import type { OrderItem } from '../orders/order.record.js';

/** A shipment of an order. */
export interface ShipmentRecord {
  id: string;
  orderId: string;
  orderExternalId: string;
  carrier: string;
  trackingNumber: string;
  trackingUrl: string | null;
  items: OrderItem[];
  status: ShipmentStatus;
  /** When the current status happened (carrier time): older events never move it back. */
  statusAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A tracking event of a shipment, as its carrier reported it. */
export interface ShipmentEventRecord {
  id: string;
  shipmentId: string;
  eventId: string;
  status: ShipmentStatus;
  occurredAt: Date;
  description: string | null;
  receivedAt: Date;
}

/**
 * A shipment as its notices need it: what it is and whose it is (where it stands is decided by
 * the write that records an event, not read ahead).
 */
export interface ShipmentNoticeRecord {
  id: string;
  orderExternalId: string;
  customerExternalId: string;
  carrier: string;
  trackingNumber: string;
  trackingUrl: string | null;
  /** The customer projection's entry for the order's customer; null while segmentation has not announced them. */
  customer: CustomerProjectionRecord | null;
}
