import { OrderChannel, ShipmentStatus } from '@careflow/contracts';
import { ArrayOfObjects, EXTERNAL_ID_PATTERN, IsTimestamp, PageDto } from '@careflow/http';
import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsIn, IsInt, IsString, Length, Matches, Max, Min } from 'class-validator';

export const MONEY = /^\d{1,14}(\.\d{1,4})?$/;
const MONEY_MESSAGE = 'must be a decimal string such as "1250000.00" (no sign, up to 4 decimals)';
export const CURRENCY = /^[A-Z]{3}$/;

@ApiSchema({ name: 'OrderItem' })
export class OrderItemDto {
  @ApiProperty({ example: 'MUG-01' })
  @IsString()
  @Length(1, 100)
  sku!: string;

  @ApiProperty({ example: 'Cốc gốm Bát Tràng' })
  @IsString()
  @Length(1, 300)
  name!: string;

  @ApiProperty({ type: 'integer', example: 2, minimum: 1 })
  @IsInt()
  @Min(1)
  @Max(100000)
  quantity!: number;

  @ApiProperty({ example: '125000.00', description: 'Unit price, decimal string in the order currency.' })
  @Matches(MONEY, { message: `price ${MONEY_MESSAGE}` })
  price!: string;
}

@ApiSchema({ name: 'RecordOrderRequest' })
export class RecordOrderDto {
  @ApiProperty({ example: 'ord_1042' })
  @Matches(EXTERNAL_ID_PATTERN, { message: 'externalId must be 1-128 characters of letters, digits and . _ : @ -' })
  externalId!: string;

  @ApiProperty({ example: 'cus_1001' })
  @Matches(EXTERNAL_ID_PATTERN, { message: 'customerExternalId must be 1-128 characters of letters, digits and . _ : @ -' })
  customerExternalId!: string;

  @ApiProperty({ enum: OrderChannel, example: 'online' })
  @IsIn(OrderChannel)
  channel!: (typeof OrderChannel)[number];

  @ApiProperty({ example: '250000.00' })
  @Matches(MONEY, { message: `total ${MONEY_MESSAGE}` })
  total!: string;

  @ApiProperty({ example: 'VND', description: 'ISO 4217 code.' })
  @Matches(CURRENCY, { message: 'currency must be an ISO 4217 code such as VND or EUR' })
  currency!: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-20T08:15:00Z' })
  @IsTimestamp({ maxFutureSeconds: 24 * 3600 })
  placedAt!: string;

  @ApiPropertyOptional({ type: [OrderItemDto] })
  @ArrayOfObjects(() => OrderItemDto, { maxItems: 500 })
  items: OrderItemDto[] = [];
}

@ApiSchema({ name: 'ShipmentEvent' })
export class ShipmentEventViewDto {
  @ApiProperty({ example: 'evt_981' }) eventId!: string;
  @ApiProperty({ enum: ShipmentStatus.filter((s) => s !== 'created'), example: 'out_for_delivery' }) status!: string;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({ format: 'date-time' }) receivedAt!: string;
}

@ApiSchema({ name: 'Shipment' })
export class ShipmentViewDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'ord_1042' }) orderExternalId!: string;
  @ApiProperty({ example: 'ghn' }) carrier!: string;
  @ApiProperty({ example: 'GHN123456789' }) trackingNumber!: string;
  @ApiProperty({ type: String, nullable: true, example: 'https://donhang.ghn.vn/?order_code=GHN123456789' }) trackingUrl!: string | null;
  @ApiProperty({ enum: ShipmentStatus, example: 'in_transit', description: '`created` until the first tracking event.' }) status!: string;
  @ApiProperty({ type: [OrderItemDto] }) items!: OrderItemDto[];
  @ApiProperty({ type: [ShipmentEventViewDto] }) events!: ShipmentEventViewDto[];
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

@ApiSchema({ name: 'Order' })
export class OrderViewDto {
  @ApiProperty({ example: 'ord_1042' }) externalId!: string;
  @ApiProperty({ example: 'cus_1001' }) customerExternalId!: string;
  @ApiProperty({ enum: OrderChannel }) channel!: string;
  @ApiProperty({ example: '250000.00' }) total!: string;
  @ApiProperty({ example: 'VND' }) currency!: string;
  @ApiProperty({ format: 'date-time' }) placedAt!: string;
  @ApiProperty({ type: [OrderItemDto] }) items!: OrderItemDto[];
  @ApiProperty({ type: [ShipmentViewDto] }) shipments!: ShipmentViewDto[];
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

@ApiSchema({ name: 'OrderPage' })
export class OrderPageDto extends PageDto {
  @ApiProperty({ type: [OrderViewDto] }) data!: OrderViewDto[];
}

export const ORDER_EXAMPLE: OrderViewDto = {
  externalId: 'ord_1042',
  customerExternalId: 'cus_1001',
  channel: 'online',
  total: '250000.00',
  currency: 'VND',
  placedAt: '2026-11-20T08:15:00.000Z',
  items: [{ sku: 'MUG-01', name: 'Cốc gốm Bát Tràng', quantity: 2, price: '125000.00' }],
  shipments: [],
  createdAt: '2026-11-20T08:15:02.000Z',
  updatedAt: '2026-11-20T08:15:02.000Z',
};
