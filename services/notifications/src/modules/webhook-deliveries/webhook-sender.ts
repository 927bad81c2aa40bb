import type { LookupAddress, LookupOptions } from 'node:dns';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Agent, request } from 'undici';
import { NotificationsConfig } from '../../config/notifications.config.js';
import { assertPublicAddress, resolvePublicAddress, UnsafeAddressError } from './delivery-address.js';
import { signatureHeader } from './webhook-signature.js';

/** How much of a receiver's answer the attempt log keeps. */
export const RESPONSE_EXCERPT_BYTES = 1024;

export interface WebhookRequest {
  url: string;
  messageId: string;
  body: string;
  /** The endpoint's secret, and the previous one while it still signs (rotation). */
  secrets: readonly string[];
}

export interface WebhookResponse {
  statusCode: number | null;
  durationMs: number;
  responseExcerpt: string | null;
  error: string | null;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * The connection's own DNS lookup when private addresses are refused: the address checked
 * is the address connected to, so a name that changes its answer between a check and the
 * connection (DNS rebinding) gets nowhere.
 */
function publicOnlyLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  resolvePublicAddress(hostname).then(
    ({ address, family }) => (options.all ? callback(null, [{ address, family }]) : callback(null, address, family)),
    (error: NodeJS.ErrnoException) => callback(error, ''),
  );
}

/**
 * Sends one signed attempt of a webhook message: the stored body bytes as they are, the
 * Standard Webhooks headers, no redirects followed, at most WEBHOOK_TIMEOUT_MS for all of it.
 * Never throws: every outcome, a refused address included, is an answer to log.
 */
@Injectable()
export class WebhookSender implements OnApplicationShutdown {
  private readonly agent: Agent;

  constructor(private readonly config: NotificationsConfig) {
    this.agent = new Agent({
      keepAliveTimeout: 4_000,
      connections: config.WEBHOOK_ENDPOINT_CONCURRENCY,
      connect: { timeout: config.WEBHOOK_TIMEOUT_MS, ...(config.WEBHOOK_ALLOW_PRIVATE_URLS ? {} : { lookup: publicOnlyLookup }) },
    });
  }

  async send(req: WebhookRequest): Promise<WebhookResponse> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      // Literal IP hosts never reach the lookup: checked here (names are checked again on connect).
      if (!this.config.WEBHOOK_ALLOW_PRIVATE_URLS) await assertPublicAddress(req.url);
      const timestamp = Math.floor(Date.now() / 1000);
      const response = await request(req.url, {
        method: 'POST',
        dispatcher: this.agent,
        body: req.body,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Careflow-Webhooks/1.0',
          'webhook-id': req.messageId,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signatureHeader(req.secrets, req.messageId, timestamp, req.body),
        },
        signal: AbortSignal.timeout(this.config.WEBHOOK_TIMEOUT_MS),
        headersTimeout: this.config.WEBHOOK_TIMEOUT_MS,
        bodyTimeout: this.config.WEBHOOK_TIMEOUT_MS,
      });
      const excerpt = await readExcerpt(response.body);
      return { statusCode: response.statusCode, durationMs: elapsed(), responseExcerpt: excerpt, error: null };
    } catch (error) {
      return { statusCode: null, durationMs: elapsed(), responseExcerpt: null, error: describe(error, this.config.WEBHOOK_TIMEOUT_MS) };
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.agent.close().catch(() => undefined);
  }
}

/** The first RESPONSE_EXCERPT_BYTES of an answer (the rest is not read). */
async function readExcerpt(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= RESPONSE_EXCERPT_BYTES) break;
    }
  } catch {
    // An answer cut off after its status line still has its status.
  } finally {
    body.destroy();
  }
  if (size === 0) return null;
  // toString replaces a multi-byte character cut in two; Postgres text takes no NUL.
  return Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8').replaceAll('\u0000', '');
}

function describe(error: unknown, timeoutMs: number): string {
  if (error instanceof UnsafeAddressError) return error.message;
  // Refused by the connection's own lookup (the name changed its answer since the check).
  if ((error as { cause?: unknown }).cause instanceof UnsafeAddressError) return ((error as { cause: Error }).cause).message;
  const e = error as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError' || e.code === 'UND_ERR_HEADERS_TIMEOUT' || e.code === 'UND_ERR_BODY_TIMEOUT' || e.code === 'UND_ERR_CONNECT_TIMEOUT') {
    return `timed out after ${timeoutMs} ms`;
  }
  const message = e.cause?.message && e.cause.message !== e.message ? `${e.message}: ${e.cause.message}` : (e.message ?? String(error));
  const code = e.code ?? e.cause?.code;
  return (code && !message.includes(code) ? `${code}: ${message}` : message).slice(0, 1000);
}
