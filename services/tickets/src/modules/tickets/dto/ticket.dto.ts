import { Channel, SlaMetric, TicketPriority, TicketStatus, TicketType } from '@careflow/contracts';
import { PageDto } from '@careflow/http';
import { ApiProperty, ApiSchema } from '@nestjs/swagger';

@ApiSchema({ name: 'TicketCustomer' })
export class TicketCustomerDto {
  @ApiProperty({ type: String, nullable: true, example: 'cus_1001' })
  externalId!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'lan.nguyen@example.com' })
  email!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Nguyễn Thị Lan' })
  name!: string | null;
}

@ApiSchema({ name: 'Ticket' })
export class TicketDto {
  @ApiProperty({ format: 'uuid', example: '0b6f3c9e-3f7e-4a4e-9a55-6f0a3b5d2c11' })
  id!: string;
  @ApiProperty({ type: 'integer', example: 1042, description: 'Human ticket number, used in e-mail subjects as [#1042].' })
  number!: number;
  @ApiProperty({ example: 'Đơn hàng #1042 chưa được giao' })
  subject!: string;
  @ApiProperty({ example: 'My order was due on Monday.' })
  description!: string;
  @ApiProperty({ enum: TicketStatus, example: 'new' })
  status!: TicketStatus;
  @ApiProperty({ enum: TicketPriority, example: 'high' })
  priority!: TicketPriority;
  @ApiProperty({ enum: TicketType, example: 'question' })
  type!: TicketType;
  @ApiProperty({ enum: Channel, example: 'web' })
  channel!: Channel;
  @ApiProperty({ type: String, nullable: true, example: 'vip', description: 'The customer\'s segment when the ticket was last evaluated.' })
  segment!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'support' })
  group!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'agent_7' })
  assignee!: string | null;
  @ApiProperty({ type: [String], example: ['delivery'] })
  tags!: string[];
  @ApiProperty({ type: TicketCustomerDto })
  customer!: TicketCustomerDto;
  @ApiProperty({ type: String, nullable: true, example: 'ord_1042' })
  orderExternalId!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid', example: null, description: 'The shipment of an incident ticket.' })
  shipmentId!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid', example: null, description: 'The closed ticket this one follows up.' })
  followUpOf!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', example: '2026-11-23T10:30:00.000Z' })
  firstResponseDueAt!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', example: null })
  firstRespondedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', example: null, description: 'Set while the customer waits for an answer to a reply.' })
  nextResponseDueAt!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', example: '2026-11-24T09:30:00.000Z' })
  resolutionDueAt!: string | null;
  @ApiProperty({ enum: SlaMetric, isArray: true, example: [], description: 'SLA targets already missed.' })
  slaBreaches!: SlaMetric[];
  @ApiProperty({ type: String, nullable: true, format: 'date-time', example: null })
  solvedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', example: null })
  closedAt!: string | null;
  @ApiProperty({ format: 'date-time', example: '2026-11-23T09:30:00.000Z' })
  createdAt!: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-23T09:30:00.000Z' })
  updatedAt!: string;
}

@ApiSchema({ name: 'TicketPage' })
export class TicketPageDto extends PageDto {
  @ApiProperty({ type: [TicketDto] })
  data!: TicketDto[];
}

export const TICKET_EXAMPLE: TicketDto = {
  id: '0b6f3c9e-3f7e-4a4e-9a55-6f0a3b5d2c11',
  number: 1042,
  subject: 'Đơn hàng #1042 chưa được giao',
  description: 'My order was due on Monday and the tracking page has not moved since.',
  status: 'new',
  priority: 'high',
  type: 'question',
  channel: 'web',
  segment: 'vip',
  group: 'support',
  assignee: null,
  tags: ['delivery'],
  customer: { externalId: 'cus_1001', email: 'lan.nguyen@example.com', name: 'Nguyễn Thị Lan' },
  orderExternalId: 'ord_1042',
  shipmentId: null,
  followUpOf: null,
  firstResponseDueAt: '2026-11-23T10:00:00.000Z',
  firstRespondedAt: null,
  nextResponseDueAt: null,
  resolutionDueAt: '2026-11-23T17:30:00.000Z',
  slaBreaches: [],
  solvedAt: null,
  closedAt: null,
  createdAt: '2026-11-23T09:30:00.000Z',
  updatedAt: '2026-11-23T09:30:00.000Z',
};
