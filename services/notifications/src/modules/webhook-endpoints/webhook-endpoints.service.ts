import type { Page } from '@careflow/http';
import { ConflictError, LOGGER, NotFoundError, type Logger } from '@careflow/platform';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { NotificationsConfig } from '../../config/notifications.config.js';
import { WebhookMessages } from '../webhook-messages/webhook-messages.service.js';
import { WebhookSecrets } from '../webhook-secrets/webhook-secrets.js';
import type { CreateWebhookEndpointDto, UpdateWebhookEndpointDto } from './dto/webhook-endpoint.dto.js';
import { assertPublicUrl } from './ssrf-guard.js';
import type { WebhookEndpointRecord } from './webhook-endpoint.record.js';
import { WebhookEndpointsRepository } from './webhook-endpoints.repository.js';
import { newWebhookSecret, SECRET_OVERLAP_HOURS } from './webhook-secret.js';

const TEST_MESSAGE = 'A test event from Careflow.';

/** The shop's webhook endpoints: where they point, what they receive, their signing secrets. */
@Injectable()
export class WebhookEndpointsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly endpoints: WebhookEndpointsRepository,
    private readonly messages: WebhookMessages,
    private readonly secrets: WebhookSecrets,
    private readonly config: NotificationsConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** A new endpoint with its secret, which is returned here and never again (rotate-secret makes a new one). */
  async create(dto: CreateWebhookEndpointDto): Promise<{ endpoint: WebhookEndpointRecord; secret: string }> {
    await this.checkDestination(dto.url);
    const id = randomUUID();
    const secret = newWebhookSecret();
    const endpoint = await this.endpoints.insert({
      id,
      url: dto.url,
      events: dto.events,
      description: dto.description ?? null,
      rateLimit: dto.rateLimit ?? null,
      secret: this.secrets.seal(id, secret),
    });
    return { endpoint, secret };
  }

  list(limit: number, cursor?: string): Promise<Page<WebhookEndpointRecord>> {
    return this.endpoints.list(limit, cursor);
  }

  async get(id: string): Promise<WebhookEndpointRecord> {
    const endpoint = await this.endpoints.findById(id);
    if (!endpoint) throw new NotFoundError('webhook endpoint', id);
    return endpoint;
  }

  /** An empty PATCH changes nothing (and keeps the version). */
  async update(id: string, dto: UpdateWebhookEndpointDto): Promise<WebhookEndpointRecord> {
    if (Object.values(dto).every((v) => v === undefined)) return this.get(id);
    if (dto.url !== undefined) await this.checkDestination(dto.url);
    const endpoint = await this.endpoints.update(id, dto);
    if (!endpoint) throw new NotFoundError('webhook endpoint', id);
    return endpoint;
  }

  async delete(id: string): Promise<void> {
    if (!(await this.endpoints.delete(id))) throw new NotFoundError('webhook endpoint', id);
  }

  /** A new secret; the old one keeps signing beside it for SECRET_OVERLAP_HOURS. */
  async rotateSecret(id: string): Promise<{ secret: string; previousSecretExpiresAt: Date }> {
    const secret = newWebhookSecret();
    const rotated = await this.endpoints.rotateSecret(id, this.secrets.seal(id, secret), SECRET_OVERLAP_HOURS);
    if (!rotated) throw new NotFoundError('webhook endpoint', id);
    return { secret, previousSecretExpiresAt: rotated.previousSecretExpiresAt };
  }

  /**
   * A `webhook.test` message to this endpoint only, whatever it subscribes to: signed, retried
   * and logged like every other message. A disabled endpoint gets nothing (409).
   */
  async sendTest(id: string): Promise<{ messageId: string }> {
    const written = await this.db.transaction(async (tx) => {
      const endpoint = await this.endpoints.findById(id, tx);
      if (!endpoint) throw new NotFoundError('webhook endpoint', id);
      if (!endpoint.enabled) throw new ConflictError('webhook-endpoint-disabled', 'The endpoint is disabled; re-enable it (PATCH enabled: true) before testing it');
      const message = await this.messages.enqueue(tx, 'webhook.test', { endpointId: id, message: TEST_MESSAGE }, { endpointIds: [id] });
      // Disabled between the read and the write (the delivery engine's 410 handling): nothing was sent.
      if (!message || message.deliveries === 0) throw new ConflictError('webhook-endpoint-disabled', 'The endpoint was disabled meanwhile; nothing was sent');
      return message;
    });
    // Committed: the message goes out whatever happens next (the reconciler adds a lost job).
    await written.publish().catch((error: unknown) => this.logger.warn({ err: error, endpointId: id }, 'could not queue the test message now; the reconciler will'));
    return { messageId: written.messageId };
  }

  /**
   * Refuses a URL that points into a private network (400 naming `url`). The delivery worker
   * checks again before every connection, since a name can resolve elsewhere later.
   */
  private async checkDestination(url: string): Promise<void> {
    if (this.config.WEBHOOK_ALLOW_PRIVATE_URLS) return;
    await assertPublicUrl(url, { allowPrivate: false });
  }
}
