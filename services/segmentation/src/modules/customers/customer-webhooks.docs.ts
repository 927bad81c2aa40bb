import { Segment } from '@careflow/contracts';
import { webhookDocs } from '@careflow/http';
import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { CarePolicyDto } from '../segments/dto/segment.dto.js';

@ApiSchema({ name: 'CustomerUpsertedData' })
class CustomerUpsertedDataDto {
  @ApiProperty({ example: 'cus_1001' }) externalId!: string;
  @ApiProperty({ type: String, nullable: true, example: 'lan.nguyen@example.com' }) email!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Nguyễn Thị Lan' }) name!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '+84 912 345 678' }) phone!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'vi' }) locale!: string | null;
  @ApiProperty({ type: [String], example: ['newsletter'] }) tags!: string[];
  @ApiProperty({ type: Boolean, nullable: true, example: null }) vip!: boolean | null;
  @ApiProperty({ type: 'integer', example: 3, description: 'Increases with every change of the customer: discard a message whose version you have passed.' }) version!: number;
  @ApiProperty({ format: 'date-time', example: '2026-11-23T09:30:00.000Z' }) updatedAt!: string;
}

@ApiSchema({ name: 'CustomerSegmentChangedData' })
class CustomerSegmentChangedDataDto {
  @ApiProperty({ example: 'cus_1001' }) externalId!: string;
  @ApiProperty({ enum: Segment, nullable: true, example: 'regular', description: 'Null for a customer seen for the first time.' }) previousSegment!: Segment | null;
  @ApiProperty({ enum: Segment, example: 'vip' }) segment!: Segment;
  @ApiProperty({ type: [String], example: ['regular', 'online'] }) previousSegments!: string[];
  @ApiProperty({ type: [String], example: ['vip', 'regular', 'online'], description: 'Every segment the customer is a member of now, custom ones included.' }) segments!: string[];
  @ApiProperty({ type: CarePolicyDto, description: 'The care policy of the new primary segment.' }) policy!: CarePolicyDto;
  @ApiProperty({ type: 'integer', example: 4, description: 'Increases with every change of the customer\'s segments: discard a message whose version you have passed.' }) version!: number;
}

@ApiSchema({ name: 'CustomerErasedData' })
class CustomerErasedDataDto {
  @ApiProperty({ example: 'cus_1001' }) externalId!: string;
  @ApiProperty({
    type: [String],
    example: ['9f2b5c1e0d3a4b6c8e7f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d'],
    description: 'SHA-256 (hex) of each address the customer had, trimmed and lower-cased: match your own records without the address travelling.',
  })
  emailHashes!: string[];
  @ApiProperty({ type: 'integer', example: 4 }) version!: number;
  @ApiProperty({ type: 'integer', example: 5 }) segmentVersion!: number;
  @ApiProperty({ format: 'date-time', example: '2026-12-01T08:00:00.000Z' }) erasedAt!: string;
}

@ApiSchema({ name: 'CustomerUpsertedEvent' })
export class CustomerUpsertedEventDto {
  @ApiProperty({ enum: ['customer.upserted'] }) type!: string;
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
  @ApiProperty({ type: CustomerUpsertedDataDto }) data!: CustomerUpsertedDataDto;
}

@ApiSchema({ name: 'CustomerSegmentChangedEvent' })
export class CustomerSegmentChangedEventDto {
  @ApiProperty({ enum: ['customer.segment_changed'] }) type!: string;
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
  @ApiProperty({ type: CustomerSegmentChangedDataDto }) data!: CustomerSegmentChangedDataDto;
}

@ApiSchema({ name: 'CustomerErasedEvent' })
export class CustomerErasedEventDto {
  @ApiProperty({ enum: ['customer.erased'] }) type!: string;
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
  @ApiProperty({ type: CustomerErasedDataDto }) data!: CustomerErasedDataDto;
}

export const CUSTOMER_WEBHOOK_MODELS = [CustomerUpsertedEventDto, CustomerSegmentChangedEventDto, CustomerErasedEventDto];

export const CUSTOMER_WEBHOOKS = webhookDocs([
  {
    type: 'customer.upserted',
    summary: 'A customer was created or their contact data changed',
    description: 'By a PUT, or when a customer was first met on a ticket, in an inbound mail or in an order (then without contact data).',
    schema: CustomerUpsertedEventDto,
    example: {
      type: 'customer.upserted',
      timestamp: '2026-11-23T09:30:00.050Z',
      data: { externalId: 'cus_1001', email: 'lan.nguyen@example.com', name: 'Nguyễn Thị Lan', phone: '+84 912 345 678', locale: 'vi', tags: ['newsletter'], vip: null, version: 3, updatedAt: '2026-11-23T09:30:00.000Z' },
    },
  },
  {
    type: 'customer.segment_changed',
    summary: 'A customer\'s segments changed',
    description: 'After an order, a PUT (tags, `vip`, `segmentOverride`) or a rule change; a recompute announces only the customers whose memberships really changed. Carries the care policy of the new primary segment.',
    schema: CustomerSegmentChangedEventDto,
    example: {
      type: 'customer.segment_changed',
      timestamp: '2026-11-23T09:31:00.020Z',
      data: {
        externalId: 'cus_1001',
        previousSegment: 'regular',
        segment: 'vip',
        previousSegments: ['regular', 'online'],
        segments: ['vip', 'regular', 'online'],
        policy: { priorityBump: 1, slaPolicy: 'vip', preferredChannel: 'phone' },
        version: 4,
      },
    },
  },
  {
    type: 'customer.erased',
    summary: 'A customer was erased',
    description: 'After DELETE /v1/customers/{externalId}: every service has removed or anonymised the customer\'s personal data, or is doing so. Erase your copy too.',
    schema: CustomerErasedEventDto,
    example: {
      type: 'customer.erased',
      timestamp: '2026-12-01T08:00:00.030Z',
      data: { externalId: 'cus_1001', emailHashes: ['9f2b5c1e0d3a4b6c8e7f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d'], version: 4, segmentVersion: 5, erasedAt: '2026-12-01T08:00:00.000Z' },
    },
  },
]);
