import { ApiOperationDoc, decodeCursor, RequireScopes, toPage, type Page } from '@careflow/http';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ListNotificationsQuery, NotificationDto, NotificationPageDto } from './dto/notification.dto.js';

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
  constructor(@InjectDataSource() private readonly db: DataSource) {}

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
    const [after, afterId] = q.cursor ? decodeCursor(q.cursor, ['timestamp', 'uuid']) : [null, null];
    const rows: Array<Record<string, unknown>> = await this.db.query(
      `SELECT *, created_at::text AS cursor_at FROM notifications.outbound_messages
        WHERE ($1::text IS NULL OR customer_external_id = $1) AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR template = $3)
          AND ($4::timestamptz IS NULL OR (created_at, id) < ($4::timestamptz, $5::uuid))
        ORDER BY created_at DESC, id DESC LIMIT $6`,
      [q.customerExternalId ?? null, q.status ?? null, q.template ?? null, after, afterId, q.limit + 1],
    );
    return toPage(rows, q.limit, (r) => [r['cursor_at'] as string, r['id'] as string], (r) => ({
      id: r['id'] as string,
      channel: r['channel'] as string,
      to: r['to_address'] as string | null,
      template: r['template'] as string,
      locale: r['locale'] as string,
      subject: r['subject'] as string,
      status: r['status'] as string,
      sentAt: (r['sent_at'] as Date | null)?.toISOString() ?? null,
      error: r['error'] as string | null,
      messageId: r['message_id'] as string,
      attempts: Number(r['attempts']),
      customerExternalId: r['customer_external_id'] as string | null,
      ticketId: r['ticket_id'] as string | null,
      shipmentId: r['shipment_id'] as string | null,
      createdAt: (r['created_at'] as Date).toISOString(),
    }));
  }
}
