import { ArrayOfObjects, IsTimestamp, OptionalField } from '@careflow/http';
import { ShipmentStatus } from '@careflow/contracts';
import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsIn, IsString, IsUrl, Length, MaxLength, ValidateBy } from 'class-validator';
import { OrderItemDto } from '../../orders/dto/order.dto.js';
import { normalizeCarrier } from '../carriers.js';

@ApiSchema({ name: 'CreateShipmentRequest' })
export class CreateShipmentDto {
  @ApiProperty({ example: 'ghn', description: 'Carrier code or name (UPS, USPS, FedEx, DHL, VNPost, Viettel Post, GHN, GHTK, J&T, Omniva, DPD, Smartpost, …).' })
  @IsString()
  @Length(1, 64)
  @ValidateBy({
    name: 'isCarrierName',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && normalizeCarrier(value) !== '',
      defaultMessage: () => 'carrier must contain a letter or a digit',
    },
  })
  carrier!: string;

  @ApiProperty({ example: 'GHN123456789' })
  @IsString()
  @Length(1, 64)
  trackingNumber!: string;

  @ApiPropertyOptional({ example: 'https://carrier.example/track/GHN123456789', description: 'Optional. Left out, it is built from Careflow\'s carrier table; for a carrier the table does not know (or one without a tracking page per parcel) the shipment is recorded with `trackingUrl: null` and the shopper\'s notice names the carrier and the tracking number without a link. Send it for those carriers if you have one; a URL you send always wins.' })
  @OptionalField()
  @IsUrl({ protocols: ['https', 'http'], require_protocol: true }, { message: 'trackingUrl must be an http(s) URL' })
  @MaxLength(2048)
  trackingUrl?: string;

  @ApiPropertyOptional({ type: [OrderItemDto] })
  @OptionalField()
  @ArrayOfObjects(() => OrderItemDto, { maxItems: 500 })
  items?: OrderItemDto[];
}

export const EVENT_STATUSES = ShipmentStatus.filter((s) => s !== 'created');

@ApiSchema({ name: 'RecordShipmentEventRequest' })
export class ShipmentEventDto {
  @ApiProperty({ example: 'evt_981', description: 'The carrier\'s (or your) id of the event; a resend with the same id changes nothing.' })
  @IsString()
  @Length(1, 128)
  eventId!: string;

  @ApiProperty({ enum: EVENT_STATUSES, example: 'out_for_delivery' })
  @IsIn(EVENT_STATUSES)
  status!: (typeof ShipmentStatus)[number];

  @ApiProperty({ format: 'date-time', example: '2026-11-23T07:45:00Z' })
  @IsTimestamp({ maxFutureSeconds: 24 * 3600 })
  occurredAt!: string;

  @ApiPropertyOptional({ example: 'Đang giao hàng' })
  @OptionalField()
  @IsString()
  @MaxLength(2000)
  description?: string;
}

@ApiSchema({ name: 'ShipmentEventAccepted' })
export class ShipmentEventAcceptedDto {
  @ApiProperty({ example: true, description: 'False when an event with this id was already recorded (nothing changed).' })
  accepted!: boolean;
  @ApiProperty({ enum: ShipmentStatus, example: 'out_for_delivery', description: 'The shipment\'s current status after this event.' })
  status!: string;
}
