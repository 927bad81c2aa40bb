import { decodeCursor, toPage, type Page } from '@careflow/http';
import { Injectable } from '@nestjs/common';
import { OutboundMessagesRepository } from '../mail/outbound-messages.repository.js';
import type { ListNotificationsQuery, NotificationDto } from './dto/notification.dto.js';

/** The outbound message log as the API shows it. */
@Injectable()
export class NotificationsLogService {
  constructor(private readonly messages: OutboundMessagesRepository) {}

  /** Newest first, filtered; one message more than the page is read to know whether another follows. */
  async list(q: ListNotificationsQuery): Promise<Page<NotificationDto>> {
    const [after, afterId] = q.cursor ? decodeCursor(q.cursor, ['timestamp', 'uuid']) : [null, null];
    const messages = await this.messages.list(
      { customerExternalId: q.customerExternalId ?? null, status: q.status ?? null, template: q.template ?? null },
      after === null ? null : { createdAt: String(after), id: String(afterId) },
      q.limit + 1,
    );
    return toPage(messages, q.limit, (m) => [m.createdCursor, m.id], (m) => ({
      id: m.id,
      channel: m.channel,
      to: m.toAddress,
      template: m.template,
      locale: m.locale,
      subject: m.subject,
      status: m.status,
      sentAt: m.sentAt?.toISOString() ?? null,
      error: m.error,
      messageId: m.messageId,
      attempts: m.attempts,
      customerExternalId: m.customerExternalId,
      ticketId: m.ticketId,
      shipmentId: m.shipmentId,
      createdAt: m.createdAt.toISOString(),
    }));
  }
}
