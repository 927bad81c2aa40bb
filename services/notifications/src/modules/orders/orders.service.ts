import { NotFoundError } from '@careflow/platform';
import { decodeCursor, toPage, type Page } from '@careflow/http';
import { Outbox } from '@careflow/persistence';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ShipmentsService } from '../shipments/shipments.service.js';
import type { OrderViewDto, RecordOrderDto } from './dto/order.dto.js';
import type { OrderRecord } from './order.record.js';
import { OrdersRepository } from './orders.repository.js';

/** Decimal strings as the API shows money: trailing zeros of numeric(18,4) trimmed to 2 places. */
export function money(value: string): string {
  const [whole, fraction = ''] = value.split('.');
  const trimmed = fraction.replace(/0+$/, '');
  return `${whole}.${trimmed.padEnd(2, '0')}`;
}

@Injectable()
export class OrdersService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly orders: OrdersRepository,
    private readonly shipments: ShipmentsService,
    private readonly outbox: Outbox,
  ) {}

  /** Upsert by the shop's id; a change (or a new order) is announced for segment statistics. */
  async record(dto: RecordOrderDto): Promise<{ order: OrderViewDto; created: boolean }> {
    const result = await this.db.transaction(async (tx) => {
      const recorded = await this.orders.upsert(tx, dto);
      if (recorded) {
        const { order } = recorded;
        await this.outbox.enqueue(tx, 'order.recorded', {
          externalId: order.externalId,
          customerExternalId: order.customerExternalId,
          channel: order.channel,
          total: money(order.total),
          currency: order.currency,
          placedAt: order.placedAt,
          version: order.version,
        });
      }
      return { created: recorded?.inserted === true };
    });
    return { order: await this.get(dto.externalId), created: result.created };
  }

  async get(externalId: string): Promise<OrderViewDto> {
    const order = await this.orders.findByExternalId(externalId);
    if (!order) throw new NotFoundError('order', externalId);
    const [view] = await this.views([order]);
    return view!;
  }

  async list(customerExternalId: string | undefined, limit: number, cursor?: string): Promise<Page<OrderViewDto>> {
    const [after, afterId] = cursor ? decodeCursor(cursor, ['timestamp', 'uuid']) : [null, null];
    const orders = await this.orders.list(customerExternalId ?? null, after === null ? null : { createdAt: String(after), id: String(afterId) }, limit + 1);
    const page = toPage(orders, limit, (o) => [o.createdCursor, o.id], (o) => o);
    return { data: await this.views(page.data), nextCursor: page.nextCursor };
  }

  /** Orders with their shipments and each shipment's events, in three queries for any number of orders. */
  private async views(orders: OrderRecord[]): Promise<OrderViewDto[]> {
    if (orders.length === 0) return [];
    const shipments = await this.shipments.viewsByOrder(orders.map((o) => o.id));
    return orders.map((o) => ({
      externalId: o.externalId,
      customerExternalId: o.customerExternalId,
      channel: o.channel,
      total: money(o.total),
      currency: o.currency,
      placedAt: o.placedAt.toISOString(),
      items: o.items,
      shipments: shipments.get(o.id) ?? [],
      createdAt: o.createdAt.toISOString(),
      updatedAt: o.updatedAt.toISOString(),
    }));
  }
}
