import { RequestValidationError } from '@careflow/http';
import { Injectable } from '@nestjs/common';
import { EmailIngestConfig } from '../../config/email-ingest.config.js';
import { InboundEmailsService } from '../inbound-emails/inbound-emails.service.js';
import { basicCredentials, sameSecret } from './basic-credentials.js';
import { MalformedFormError, parseFormFields } from './form-fields.js';
import { MAILGUN_MAX_SKEW_SECONDS, verifyMailgunSignature } from './mailgun-signature.js';
import {
  InvalidWebhookCredentialsError,
  InvalidWebhookSignatureError,
  MissingRawMessageError,
  ProviderNotConfiguredError,
  ReplayedWebhookError,
  StaleWebhookError,
} from './provider-webhooks.exceptions.js';
import { WebhookTokens } from './webhook-tokens.js';

/** Longest Mailgun token accepted (Mailgun's are 50 characters). */
const MAX_TOKEN_LENGTH = 256;

/**
 * Mail posted by a provider (Mailgun, Postmark): the provider's credentials are checked here
 * (the gateway lets these routes through without an API key), and the raw message goes
 * through the same door as every other inbound message.
 */
@Injectable()
export class ProviderWebhooksService {
  constructor(
    private readonly config: EmailIngestConfig,
    private readonly emails: InboundEmailsService,
    private readonly tokens: WebhookTokens,
  ) {}

  /** A Mailgun route's `forward()` to a URL ending in `mime`: the raw message in `body-mime`, signed. */
  async receiveMailgun(contentType: string, body: Buffer): Promise<{ id: string }> {
    const key = this.config.MAILGUN_WEBHOOK_SIGNING_KEY;
    if (!key) throw new ProviderNotConfiguredError('Mailgun', 'MAILGUN_WEBHOOK_SIGNING_KEY');
    let fields: Map<string, Buffer>;
    try {
      fields = parseFormFields(contentType, body);
    } catch (error) {
      if (error instanceof MalformedFormError) throw new RequestValidationError([{ field: 'body', message: error.message }]);
      throw error;
    }
    const text = (name: string) => fields.get(name)?.toString('utf8') ?? '';
    const signed = { timestamp: text('timestamp'), token: text('token'), signature: text('signature') };
    if (!signed.timestamp || !signed.token || !signed.signature || signed.token.length > MAX_TOKEN_LENGTH) {
      throw new InvalidWebhookSignatureError('The post lacks the timestamp, token and signature fields Mailgun signs every post with');
    }
    const verdict = verifyMailgunSignature(key, signed);
    if (verdict === 'bad-signature') throw new InvalidWebhookSignatureError('The signature does not match MAILGUN_WEBHOOK_SIGNING_KEY');
    if (verdict === 'stale') throw new StaleWebhookError(MAILGUN_MAX_SKEW_SECONDS);
    const raw = fields.get('body-mime');
    if (!raw || raw.length === 0) {
      throw new MissingRawMessageError('body-mime', "the post holds no raw message: Mailgun posts it only to a forward() URL ending in `mime` (…/v1/inbound/providers/mailgun/mime)");
    }
    // Remembered beyond the skew window on both sides: a replay is either refused here or stale.
    if (!(await this.tokens.claim('mailgun', signed.token, 2 * MAILGUN_MAX_SKEW_SECONDS + 60))) throw new ReplayedWebhookError();
    try {
      return await this.emails.receive(raw, 'mailgun');
    } catch (error) {
      await this.tokens.release('mailgun', signed.token).catch(() => undefined);
      throw error;
    }
  }

  /** Postmark's inbound webhook (JSON), with "Include raw email content" on: the message in `RawEmail`. */
  async receivePostmark(authorization: string | undefined, body: unknown): Promise<{ id: string }> {
    const { POSTMARK_INBOUND_USERNAME: username, POSTMARK_INBOUND_PASSWORD: password } = this.config;
    if (!username || !password) throw new ProviderNotConfiguredError('Postmark', 'POSTMARK_INBOUND_USERNAME and POSTMARK_INBOUND_PASSWORD');
    const given = basicCredentials(authorization);
    // Both compared, always: which of the two was wrong is not told by the time taken.
    const userOk = sameSecret(given?.username ?? '', username);
    const passwordOk = sameSecret(given?.password ?? '', password);
    if (!given || !userOk || !passwordOk) {
      throw new InvalidWebhookCredentialsError("Send the user name and password of the webhook URL (https://user:password@…) as HTTP Basic credentials");
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new RequestValidationError([{ field: 'body', message: 'body must be the JSON object of a Postmark inbound webhook' }]);
    }
    const raw = (body as Record<string, unknown>)['RawEmail'];
    if (raw !== undefined && typeof raw !== 'string') throw new RequestValidationError([{ field: 'RawEmail', message: 'RawEmail must be a string' }]);
    if (!raw) {
      throw new MissingRawMessageError(
        'RawEmail',
        'the payload holds no raw message: enable "Include raw email content in JSON payload" in the settings of the Postmark inbound stream',
      );
    }
    return this.emails.receive(Buffer.from(raw, 'utf8'), 'postmark');
  }
}
