import { ShipmentStatus } from '@careflow/contracts';
import { webhookDocs } from '@careflow/http';
import { ApiProperty, ApiSchema } from '@nestjs/swagger';

/** What `shipment.status_changed` carries (contracts: ShipmentStatusChangedPayload). */
@ApiSchema({ name: 'ShipmentStatusChangedData' })
class ShipmentStatusChangedDataDto {
  @ApiProperty({ format: 'uuid', example: '7d1e4c2a-5b9f-4e3d-8a6c-1f2e3d4c5b6a' }) shipmentId!: string;
  @ApiProperty({ example: 'ord_1042' }) orderExternalId!: string;
  @ApiProperty({ type: String, nullable: true, example: 'cus_1001' }) customerExternalId!: string | null;
  @ApiProperty({ example: 'ghn' }) carrier!: string;
  @ApiProperty({ example: 'GHN123456789VN' }) trackingNumber!: string;
  @ApiProperty({ type: String, nullable: true, example: 'https://tracking.example/GHN123456789VN' }) trackingUrl!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Out for delivery from the Cầu Giấy hub', description: 'The carrier\'s text of the event.' }) description!: string | null;
  @ApiProperty({
    format: 'date-time',
    example: '2026-11-22T07:30:00.000Z',
    description: 'When the carrier says it happened. Messages are not ordered: keep the status with the latest `occurredAt`.',
  })
  occurredAt!: string;
  @ApiProperty({ enum: ShipmentStatus, nullable: true, example: 'in_transit', description: 'The status before; null when unknown.' }) previousStatus!: ShipmentStatus | null;
  @ApiProperty({ enum: ShipmentStatus.filter((s) => s !== 'created'), example: 'out_for_delivery' }) status!: ShipmentStatus;
}

@ApiSchema({ name: 'ShipmentStatusChangedEvent' })
export class ShipmentStatusChangedEventDto {
  @ApiProperty({ enum: ['shipment.status_changed'] }) type!: string;
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
  @ApiProperty({ type: ShipmentStatusChangedDataDto }) data!: ShipmentStatusChangedDataDto;
}

export const SHIPMENT_WEBHOOK_MODELS = [ShipmentStatusChangedEventDto];

export const SHIPMENT_WEBHOOKS = webhookDocs([
  {
    type: 'shipment.status_changed',
    summary: 'A shipment\'s status changed',
    description:
      'A tracking event (POST /v1/shipments/{id}/events) moved the shipment to another status. A late event that the shipment has passed ' +
      '(an `in_transit` after `delivered`) changes nothing and announces nothing.',
    schema: ShipmentStatusChangedEventDto,
    example: {
      type: 'shipment.status_changed',
      timestamp: '2026-11-22T07:30:00.120Z',
      data: {
        shipmentId: '7d1e4c2a-5b9f-4e3d-8a6c-1f2e3d4c5b6a',
        orderExternalId: 'ord_1042',
        customerExternalId: 'cus_1001',
        carrier: 'ghn',
        trackingNumber: 'GHN123456789VN',
        trackingUrl: 'https://tracking.example/GHN123456789VN',
        description: 'Out for delivery from the Cầu Giấy hub',
        occurredAt: '2026-11-22T07:30:00.000Z',
        previousStatus: 'in_transit',
        status: 'out_for_delivery',
      },
    },
  },
]);
