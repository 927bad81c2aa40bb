import { decodeCursor, toPage, type Page } from '@careflow/http';
import { LOGGER, NotFoundError, type Logger } from '@careflow/platform';
import { Inject, Injectable } from '@nestjs/common';
import { DeliveryJobs } from './delivery-jobs.js';
import type { DeliveryRetryAcceptedDto, ListDeliveriesQuery, RecoverAcceptedDto, WebhookDeliveryDto } from './dto/webhook-delivery.dto.js';
import { WebhookDeliveriesRepository } from './webhook-deliveries.repository.js';
import type { DueDeliveryRecord } from './webhook-delivery.record.js';
import { WebhookTargetsRepository } from './webhook-targets.repository.js';

/** The delivery log of an endpoint, and replays (one delivery, or every failed one since a time). */
@Injectable()
export class WebhookDeliveriesService {
  constructor(
    private readonly deliveries: WebhookDeliveriesRepository,
    private readonly targets: WebhookTargetsRepository,
    private readonly jobs: DeliveryJobs,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async list(endpointId: string, q: ListDeliveriesQuery): Promise<Page<WebhookDeliveryDto>> {
    await this.endpoint(endpointId);
    const [after, afterId] = q.cursor ? decodeCursor(q.cursor, ['timestamp', 'uuid']) : [null, null];
    const rows = await this.deliveries.list(
      endpointId,
      { status: q.status ?? null, eventType: q.eventType ?? null },
      after === null ? null : { createdAt: String(after), id: String(afterId) },
      q.limit + 1,
    );
    return toPage(rows, q.limit, (d) => [d.createdCursor, d.id], (d) => ({
      id: d.id,
      messageId: d.messageId,
      eventType: d.eventType,
      status: d.status,
      attempts: d.attempts.map((a) => ({ ...a, startedAt: a.startedAt.toISOString() })),
      nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
      createdAt: d.createdAt.toISOString(),
    }));
  }

  /** One more attempt now, with the same message (same `webhook-id`); a failed delivery becomes pending. */
  async retry(endpointId: string, deliveryId: string): Promise<DeliveryRetryAcceptedDto> {
    await this.endpoint(endpointId);
    const due = await this.deliveries.replay(endpointId, deliveryId);
    if (!due) throw new NotFoundError('webhook delivery', deliveryId);
    if (!due.underWay) await this.publish([due]);
    return { id: due.id, status: 'pending', nextAttemptAt: due.nextAttemptAt.toISOString() };
  }

  /** Every failed delivery of the endpoint created since `since` is attempted again. */
  async recover(endpointId: string, since: Date): Promise<RecoverAcceptedDto> {
    await this.endpoint(endpointId);
    const due = await this.deliveries.recover(endpointId, since);
    await this.publish(due);
    return { recovered: due.length };
  }

  private async endpoint(id: string): Promise<void> {
    if (!(await this.targets.exists(id))) throw new NotFoundError('webhook endpoint', id);
  }

  /** The jobs of what a replay made due; Redis being away now only delays them (the reconciler). */
  private async publish(due: DueDeliveryRecord[]): Promise<void> {
    try {
      await this.jobs.schedule(due);
    } catch (error) {
      this.logger.warn({ err: error, deliveries: due.length }, 'could not queue replayed webhook deliveries now; the reconciler will');
    }
  }
}
