import { NotificationStatus } from '@careflow/contracts';
import { EXTERNAL_ID_PATTERN, PageDto, PageQuery, OptionalField } from '@careflow/http';
import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { IsIn, Matches } from 'class-validator';

export const TEMPLATES = ['shipment_created', 'shipment_in_transit', 'shipment_out_for_delivery', 'shipment_delivered', 'shipment_exception', 'ticket_acknowledged', 'ticket_reply', 'webhook_endpoint_disabled'] as const;

export class ListNotificationsQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'cus_1001' })
  @OptionalField()
  @Matches(EXTERNAL_ID_PATTERN, { message: 'customerExternalId must be a customer external id' })
  customerExternalId?: string;

  @ApiPropertyOptional({ enum: NotificationStatus })
  @OptionalField()
  @IsIn(NotificationStatus)
  status?: (typeof NotificationStatus)[number];

  @ApiPropertyOptional({ enum: TEMPLATES, enumName: 'NotificationTemplate' })
  @OptionalField()
  @IsIn(TEMPLATES)
  template?: string;
}

@ApiSchema({ name: 'Notification' })
export class NotificationDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: ['email'], example: 'email' }) channel!: string;
  @ApiProperty({ type: String, nullable: true, example: 'lan.nguyen@example.com' }) to!: string | null;
  @ApiProperty({ enum: TEMPLATES, enumName: 'NotificationTemplate', example: 'shipment_created' }) template!: string;
  @ApiProperty({ example: 'vi' }) locale!: string;
  @ApiProperty({ example: 'Đơn hàng ord_1042 đã được gửi đi' }) subject!: string;
  @ApiProperty({ enum: NotificationStatus, example: 'sent' }) status!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) sentAt!: string | null;
  @ApiProperty({ type: String, nullable: true, example: null, description: 'Why it failed or was suppressed.' }) error!: string | null;
  @ApiProperty({ example: '<8f2c1e7a9b@shop.test>' }) messageId!: string;
  @ApiProperty({ type: 'integer', example: 1 }) attempts!: number;
  @ApiProperty({ type: String, nullable: true }) customerExternalId!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) ticketId!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) shipmentId!: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

@ApiSchema({ name: 'NotificationPage' })
export class NotificationPageDto extends PageDto {
  @ApiProperty({ type: [NotificationDto] }) data!: NotificationDto[];
}
