import { Segment } from '@careflow/contracts';
import { PageDto } from '@careflow/http';
import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import type { CustomerRecord } from '../customer.record.js';

@ApiSchema({ name: 'CustomerStats' })
export class CustomerStatsDto {
  @ApiProperty({ type: 'integer', example: 3, description: 'Orders recorded for the customer (each counted once, with its latest version).' })
  ordersCount!: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string', pattern: '^-?\\d+(\\.\\d+)?$' },
    example: { VND: '3750000', EUR: '89.9' },
    description: 'Total spent per currency (ISO 4217 code → decimal string), over all orders.',
  })
  totalSpent!: Record<string, string>;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2026-06-02T10:00:00.000Z' })
  firstOrderAt!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2026-11-20T16:45:00.000Z' })
  lastOrderAt!: string | null;
  @ApiProperty({ type: 'integer', example: 2 })
  onlineOrders!: number;
  @ApiProperty({ type: 'integer', example: 1 })
  inStoreOrders!: number;
}

@ApiSchema({ name: 'Customer' })
export class CustomerDto {
  @ApiProperty({ example: 'cus_1001' })
  externalId!: string;
  @ApiProperty({ type: String, nullable: true, example: 'lan.nguyen@example.com' })
  email!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Nguyễn Thị Lan' })
  name!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '+84 912 345 678' })
  phone!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'vi' })
  locale!: string | null;
  @ApiProperty({ type: [String], example: ['newsletter'] })
  tags!: string[];
  @ApiProperty({ type: Boolean, nullable: true, example: null })
  vip!: boolean | null;
  @ApiProperty({ enum: Segment, nullable: true, example: null, description: 'Manual primary segment: wins over the VIP flag and every rule.' })
  segmentOverride!: Segment | null;
  @ApiProperty({ enum: Segment, example: 'regular', description: 'The primary segment: the override, else VIP by flag, else the first built-in rule that matches (vip > regular > online > walk_in), else the fallback.' })
  segment!: Segment;
  @ApiProperty({ type: [String], example: ['regular', 'online'], description: 'Every segment the customer is a member of, the primary one and custom ones included.' })
  segments!: string[];
  @ApiProperty({ type: CustomerStatsDto })
  stats!: CustomerStatsDto;
  @ApiProperty({ enum: ['api', 'ticket', 'inbound_email', 'order'], enumName: 'CustomerOrigin', example: 'api', description: 'How the customer became known: the shop\'s PUT, a ticket, an inbound mail, or an order for an id not PUT yet.' })
  origin!: CustomerRecord['origin'];
  @ApiProperty({ format: 'date-time', example: '2026-11-23T09:30:00.000Z' })
  createdAt!: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-23T09:30:00.000Z' })
  updatedAt!: string;

  static from(c: CustomerRecord): CustomerDto {
    return {
      externalId: c.externalId,
      email: c.email,
      name: c.name,
      phone: c.phone,
      locale: c.locale,
      tags: c.tags,
      vip: c.vip,
      segmentOverride: c.segmentOverride,
      // Evaluated in the transaction that creates the customer: null never leaves it.
      segment: c.segment!,
      segments: c.segments,
      stats: {
        ordersCount: c.stats.ordersCount,
        totalSpent: c.stats.totalSpent,
        firstOrderAt: c.stats.firstOrderAt?.toISOString() ?? null,
        lastOrderAt: c.stats.lastOrderAt?.toISOString() ?? null,
        onlineOrders: c.stats.onlineOrders,
        inStoreOrders: c.stats.inStoreOrders,
      },
      origin: c.origin,
      createdAt: c.createdAt.toISOString(),
      updatedAt: c.updatedAt.toISOString(),
    };
  }
}

@ApiSchema({ name: 'CustomerPage' })
export class CustomerPageDto extends PageDto {
  @ApiProperty({ type: [CustomerDto] }) data!: CustomerDto[];
}

export const CUSTOMER_EXAMPLE: CustomerDto = {
  externalId: 'cus_1001',
  email: 'lan.nguyen@example.com',
  name: 'Nguyễn Thị Lan',
  phone: '+84 912 345 678',
  locale: 'vi',
  tags: ['newsletter'],
  vip: null,
  segmentOverride: null,
  segment: 'regular',
  segments: ['regular', 'online'],
  stats: {
    ordersCount: 3,
    totalSpent: { VND: '3750000' },
    firstOrderAt: '2026-06-02T10:00:00.000Z',
    lastOrderAt: '2026-11-20T16:45:00.000Z',
    onlineOrders: 2,
    inStoreOrders: 1,
  },
  origin: 'api',
  createdAt: '2026-11-23T09:30:00.000Z',
  updatedAt: '2026-11-23T09:30:00.000Z',
};
