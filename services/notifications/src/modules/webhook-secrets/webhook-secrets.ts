import { LOGGER, parseEncryptionKey, SecretBox, type Logger } from '@careflow/platform';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { NotificationsConfig } from '../../config/notifications.config.js';
import { WebhookSecretsRepository } from './webhook-secrets.repository.js';

/** A secret as stored encrypted: `sealed:` + the key's fingerprint + `:` + base64(IV ‖ tag ‖ ciphertext). */
const SEALED = /^sealed:(k1:[0-9a-f]{16}):([A-Za-z0-9+/]+={0,2})$/;
/** Secrets opened, kept for the delivery path (each claim reads its endpoint's secrets). */
const MAX_OPENED = 10_000;

/** Why a stored secret cannot sign: an attempt fails with it (and retries). */
export class SecretUnreadableError extends Error {}

/**
 * Webhook signing secrets at rest. With WEBHOOK_SECRET_ENCRYPTION_KEY, what the endpoints
 * store is sealed (SecretBox, the endpoint id as associated data) and opened where a delivery
 * signs; secrets stored in the clear before the key was set are sealed when a process starts.
 * Without the key, secrets are stored and read as they are.
 */
@Injectable()
export class WebhookSecrets implements OnApplicationBootstrap {
  private readonly box: SecretBox | null;
  private readonly opened = new Map<string, string>();

  constructor(
    config: NotificationsConfig,
    private readonly secrets: WebhookSecretsRepository,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.box = config.WEBHOOK_SECRET_ENCRYPTION_KEY ? new SecretBox(parseEncryptionKey(config.WEBHOOK_SECRET_ENCRYPTION_KEY, 'WEBHOOK_SECRET_ENCRYPTION_KEY')) : null;
  }

  /** What to store for an endpoint's secret. */
  seal(endpointId: string, secret: string): string {
    return this.box ? `sealed:${this.box.keyId}:${this.box.seal(endpointId, secret).toString('base64')}` : secret;
  }

  /** The secret to sign with, from what is stored; throws SecretUnreadableError when it cannot be read. */
  open(endpointId: string, stored: string): string {
    const sealed = SEALED.exec(stored);
    if (!sealed) return stored;
    const cacheKey = `${endpointId} ${stored}`;
    const known = this.opened.get(cacheKey);
    if (known !== undefined) return known;
    if (!this.box) throw new SecretUnreadableError(`the signing secret is encrypted (key ${sealed[1]}) and WEBHOOK_SECRET_ENCRYPTION_KEY is not set`);
    if (sealed[1] !== this.box.keyId) throw new SecretUnreadableError(`the signing secret was encrypted with another WEBHOOK_SECRET_ENCRYPTION_KEY (${sealed[1]})`);
    let secret: string;
    try {
      secret = this.box.open(endpointId, Buffer.from(sealed[2]!, 'base64'));
    } catch {
      throw new SecretUnreadableError('the signing secret does not decrypt (altered, or not this endpoint’s)');
    }
    if (this.opened.size >= MAX_OPENED) this.opened.clear();
    this.opened.set(cacheKey, secret);
    return secret;
  }

  /** Seals the secrets stored in the clear (before the key was set); says so when some cannot be read. */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.box) {
      const sealed = await this.secrets.countSealed();
      if (sealed > 0) this.logger.error({ endpoints: sealed }, 'webhook secrets are encrypted but WEBHOOK_SECRET_ENCRYPTION_KEY is not set: their deliveries fail until it is');
      return;
    }
    const clear = await this.secrets.inClear();
    let sealedNow = 0;
    for (const e of clear) {
      const secret = SEALED.test(e.secret) ? e.secret : this.seal(e.id, e.secret);
      const previous = e.previousSecret === null || SEALED.test(e.previousSecret) ? e.previousSecret : this.seal(e.id, e.previousSecret);
      if (await this.secrets.replace(e, { secret, previousSecret: previous })) sealedNow++;
    }
    if (sealedNow > 0) this.logger.info({ endpoints: sealedNow }, 'webhook secrets stored in the clear are now encrypted');
  }
}
