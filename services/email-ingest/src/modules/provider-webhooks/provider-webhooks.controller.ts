import { ApiOperationDoc, Public, UnsupportedMediaTypeError, type ErrorStatus, type RouteProblem } from '@careflow/http';
import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { INBOUND_EMAIL_EXAMPLE, InboundEmailAcceptedDto } from '../inbound-emails/dto/inbound-email.dto.js';
import { MAILGUN_FORM_TYPES } from './provider-webhook-bodies.js';
import { InvalidWebhookCredentialsError } from './provider-webhooks.exceptions.js';
import { ProviderWebhooksService } from './provider-webhooks.service.js';

// 401 and 403 are the provider's credentials, declared as the route's problems (no API key is involved).
const ERRORS: ErrorStatus[] = [400, 404, 413, 415, 422, 429];
const ACCEPTED = { id: INBOUND_EMAIL_EXAMPLE.id, status: 'queued' as const };

const MAILGUN_DOC = {
  summary: 'Receive mail from Mailgun (route forward, raw MIME)',
  description:
    'For a Mailgun route whose action is `forward("https://<gateway>/v1/inbound/providers/mailgun/mime")`: Mailgun posts the raw ' +
    'message only to a URL ending in `mime`, so point the route at that alias of this path. No API key: the post is authenticated by ' +
    "Mailgun's signature (`signature` = hex HMAC-SHA256 of `timestamp` + `token` with `MAILGUN_WEBHOOK_SIGNING_KEY`); a timestamp more than " +
    '5 minutes off is refused, and so is a token seen before. The raw message in `body-mime` is stored as it arrived and processed like ' +
    'any other inbound message. 404 when `MAILGUN_WEBHOOK_SIGNING_KEY` is not set.',
  operationId: 'receiveMailgunInbound',
  problems: ['invalid-signature', 'stale-webhook', 'replayed-webhook'] as RouteProblem[],
  status: 200 as const,
  type: InboundEmailAcceptedDto,
  example: ACCEPTED,
  public: true,
  errors: ERRORS,
  errorDescriptions: {
    401: 'The signature does not match the signing key, a signed field is missing, or the timestamp is more than 5 minutes off.',
    403: 'The token was used before: a replayed post.',
    404: 'Mailgun is not configured for this installation (MAILGUN_WEBHOOK_SIGNING_KEY is unset).',
    422: 'The post has no `body-mime`: the route URL does not end in `mime`.',
    429: 'The posting address exceeded its request budget; retry after `Retry-After` seconds.',
  },
};

/**
 * Inbound mail posted by e-mail providers. Public for the API-key guard (a provider cannot
 * send a Careflow key; the gateway lets exactly these paths through without one), but still
 * only from the gateway (internal token); the provider's own credentials are checked here.
 */
@ApiTags('Inbound e-mail')
@Controller('v1/inbound/providers')
export class ProviderWebhooksController {
  constructor(private readonly providers: ProviderWebhooksService) {}

  @Post('mailgun')
  @Public()
  @ApiConsumes(...MAILGUN_FORM_TYPES)
  @ApiBody({
    required: true,
    description: "Mailgun's raw-MIME post: `body-mime` (the whole message), `timestamp`, `token`, `signature`, and the envelope fields it adds (`recipient`, `sender`, …).",
    schema: {
      type: 'object',
      required: ['body-mime', 'timestamp', 'token', 'signature'],
      properties: {
        'body-mime': { type: 'string', description: 'The raw RFC 5322 message.', example: 'From: Lan <lan.nguyen@example.com>\r\nTo: support@shop.example\r\nSubject: Where is my parcel?\r\n\r\nHello' },
        timestamp: { type: 'string', description: 'Seconds since the epoch, as Mailgun signed it.', example: '1764950400' },
        token: { type: 'string', description: 'A random string, new for every post.', example: 'c6a1fd5c7fa4b0a7e8ab3b1e2d1f0e9c8b7a6f5e4d3c2b1a09' },
        signature: { type: 'string', description: 'Hex HMAC-SHA256 of timestamp + token.', example: '3b5d5c3712955042212316173ccf37be800f0f2a1fa0b74a2b9c31bd3fe7e8a1' },
        recipient: { type: 'string', example: 'support@shop.example' },
      },
    },
  })
  @ApiOperationDoc(MAILGUN_DOC)
  receiveMailgun(@Req() req: Request): Promise<InboundEmailAcceptedDto> {
    return this.mailgun(req);
  }

  /** The same operation under a path ending in `mime`, which Mailgun requires to post the raw message. */
  @Post('mailgun/mime')
  @Public()
  @HttpCode(200)
  @ApiExcludeEndpoint()
  receiveMailgunMime(@Req() req: Request): Promise<InboundEmailAcceptedDto> {
    return this.mailgun(req);
  }

  @Post('postmark')
  @Public()
  @ApiConsumes('application/json')
  @ApiBody({
    required: true,
    description:
      "Postmark's inbound webhook payload. Only `RawEmail` is read (present when the inbound stream's setting \"Include raw email content in JSON payload\" is on); the parsed fields are ignored, the raw message is parsed here like any other.",
    schema: {
      type: 'object',
      required: ['RawEmail'],
      additionalProperties: true,
      properties: {
        RawEmail: { type: 'string', description: 'The raw RFC 5322 message.', example: 'From: Lan <lan.nguyen@example.com>\r\nTo: support@shop.example\r\nSubject: Where is my parcel?\r\n\r\nHello' },
        MessageID: { type: 'string', example: '22c74902-a0c1-4511-804f-341342852c90' },
        From: { type: 'string', example: 'lan.nguyen@example.com' },
        Subject: { type: 'string', example: 'Where is my parcel?' },
      },
    },
  })
  @ApiOperationDoc({
    summary: 'Receive mail from Postmark (inbound webhook)',
    description:
      'Set the inbound stream\'s webhook URL to `https://<user>:<password>@<gateway>/v1/inbound/providers/postmark` (Postmark sends them as HTTP ' +
      'Basic credentials, checked against `POSTMARK_INBOUND_USERNAME` and `POSTMARK_INBOUND_PASSWORD`; Postmark does not sign inbound posts) and turn ' +
      'on "Include raw email content in JSON payload". No API key. The message in `RawEmail` is stored as it arrived. 404 when the credentials are not configured.',
    operationId: 'receivePostmarkInbound',
    problems: ['invalid-credentials'],
    status: 200,
    type: InboundEmailAcceptedDto,
    example: ACCEPTED,
    public: true,
    errors: ERRORS,
    errorDescriptions: {
      401: 'Missing or wrong Basic credentials.',
      404: 'Postmark is not configured for this installation (POSTMARK_INBOUND_USERNAME/PASSWORD are unset).',
      422: 'The payload has no `RawEmail`: turn on "Include raw email content in JSON payload".',
      429: 'The posting address exceeded its request budget; retry after `Retry-After` seconds.',
    },
  })
  async receivePostmark(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<InboundEmailAcceptedDto> {
    try {
      const { id } = await this.providers.receivePostmark(req.headers.authorization, req.body);
      return { id, status: 'queued' };
    } catch (error) {
      if (error instanceof InvalidWebhookCredentialsError) res.setHeader('www-authenticate', 'Basic realm="careflow-inbound", charset="UTF-8"');
      throw error;
    }
  }

  private async mailgun(req: Request): Promise<InboundEmailAcceptedDto> {
    const raw: unknown = req.body;
    const contentType = req.headers['content-type'] ?? '';
    if (!Buffer.isBuffer(raw)) throw new UnsupportedMediaTypeError(req.headers['content-type'], MAILGUN_FORM_TYPES);
    const { id } = await this.providers.receiveMailgun(contentType, raw);
    return { id, status: 'queued' };
  }
}

