import { ApiOperationDoc, RequireScopes, type Page } from '@careflow/http';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ListNotificationsQuery, NotificationDto, NotificationPageDto } from './dto/notification.dto.js';
import { NotificationsLogService } from './notifications-log.service.js';

const EXAMPLE: NotificationDto = {
  id: 'e4b0d7a2-1c3f-4a5b-9d8e-7f6a5b4c3d2e',
  channel: 'email',
  to: 'lan.nguyen@example.com',
  template: 'shipment_created',
  locale: 'vi',
  subject: 'Đơn hàng ord_1042 đã được gửi đi',
  status: 'sent',
  sentAt: '2026-11-21T10:00:01.000Z',
  error: null,
  messageId: '<8f2c1e7a9b@shop.test>',
  attempts: 1,
  customerExternalId: 'cus_1001',
  ticketId: null,
  shipmentId: '7d1e4c2a-5b9f-4e3d-8a6c-1f2e3d4c5b6a',
  createdAt: '2026-11-21T10:00:00.500Z',
};

@ApiTags('Notifications')
@Controller('v1/notifications')
export class NotificationsLogController {
  constructor(private readonly log: NotificationsLogService) {}

  @Get()
  @RequireScopes('customers:read')
  @ApiOperationDoc({
    operationId: 'listNotifications',
    summary: 'The outbound message log',
    description: 'Every e-mail the product sent, is sending, failed to send or suppressed (with the reason), newest first.',
    status: 200,
    type: NotificationPageDto,
    example: { data: [EXAMPLE], nextCursor: null },
    errors: [400],
  })
  async list(@Query() q: ListNotificationsQuery): Promise<Page<NotificationDto>> {
    return this.log.list(q);
  }
}
