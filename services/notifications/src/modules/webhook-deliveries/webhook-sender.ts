import type { LookupAddress, LookupOptions } from 'node:dns';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Agent, type Dispatcher } from 'undici';
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

/** The attempt ran out of WEBHOOK_TIMEOUT_MS. */
class AttemptTimeout extends Error {
  override readonly name = 'TimeoutError';
}

/**
 * Sends one signed attempt of a webhook message: the stored body bytes as they are, the
 * Standard Webhooks headers, no redirects followed, at most WEBHOOK_TIMEOUT_MS for all of it.
 * Never throws: every outcome, a refused address included, is an answer to log.
 *
 * It talks to undici's dispatcher directly: the status line and the first
 * RESPONSE_EXCERPT_BYTES of the answer are all an attempt keeps, so it needs none of what
 * `request()` builds per call (a body stream, an abort signal and its listeners), which cost
 * more CPU than the request itself.
 */
@Injectable()
export class WebhookSender implements OnApplicationShutdown {
  private readonly agent: Agent;
  /** Endpoint URLs as undici takes them, parsed once each (endpoints are few, deliveries many). */
  private readonly targets = new Map<string, { origin: string; path: string }>();

  constructor(private readonly config: NotificationsConfig) {
    this.agent = new Agent({
      keepAliveTimeout: 4_000,
      // Per origin, and several endpoints may share one (paths of one shop's host): the limit per
      // endpoint is EndpointThrottle's. A narrower pool would queue attempts inside undici, their
      // timeout running before they are even sent.
      connections: config.WEBHOOK_WORKER_CONCURRENCY,
      connect: { timeout: config.WEBHOOK_TIMEOUT_MS, ...(config.WEBHOOK_ALLOW_PRIVATE_URLS ? {} : { lookup: publicOnlyLookup }) },
    });
  }

  async send(req: WebhookRequest): Promise<WebhookResponse> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      // Literal IP hosts never reach the lookup: checked here (names are checked again on connect).
      if (!this.config.WEBHOOK_ALLOW_PRIVATE_URLS) await assertPublicAddress(req.url);
      const { statusCode, excerpt } = await this.post(req);
      return { statusCode, durationMs: elapsed(), responseExcerpt: excerpt, error: null };
    } catch (error) {
      return { statusCode: null, durationMs: elapsed(), responseExcerpt: null, error: describe(error, this.config.WEBHOOK_TIMEOUT_MS) };
    }
  }

  /**
   * The request, and the answer's status and excerpt. Rejects when no status came (refused,
   * timed out, reset); an answer cut off after its status line still has its status. Once the
   * excerpt is full the rest of the answer is not read: the connection is dropped instead.
   */
  private post(req: WebhookRequest): Promise<{ statusCode: number; excerpt: string | null }> {
    const timeoutMs = this.config.WEBHOOK_TIMEOUT_MS;
    const timestamp = Math.floor(Date.now() / 1000);
    const { origin, path } = this.target(req.url);
    return new Promise((resolve, reject) => {
      let controller: Dispatcher.DispatchController | null = null;
      let statusCode: number | null = null;
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      const settle = (error: Error | null) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (statusCode === null) reject(error ?? new Error('the connection closed without an answer'));
        else resolve({ statusCode, excerpt: excerptOf(chunks, size) });
      };
      // Made only when it happens (an Error captures a stack).
      const timedOut = () => new AttemptTimeout(`timed out after ${timeoutMs} ms`);
      const timer = setTimeout(() => {
        const error = timedOut();
        settle(error);
        controller?.abort(error);
      }, timeoutMs);
      const handler: Dispatcher.DispatchHandler = {
        onRequestStart(c) {
          controller = c;
          if (settled) c.abort(timedOut());
        },
        onResponseStart(_c, code) {
          statusCode = code;
        },
        onResponseData(c, chunk) {
          if (settled) return;
          chunks.push(chunk);
          size += chunk.length;
          if (size >= RESPONSE_EXCERPT_BYTES) {
            settle(null);
            c.abort(new Error('response excerpt complete'));
          }
        },
        onResponseEnd() {
          settle(null);
        },
        onResponseError(_c, error) {
          settle(error);
        },
      };
      try {
        this.agent.dispatch(
          {
            origin,
            path,
            method: 'POST',
            body: req.body,
            headers: {
              'content-type': 'application/json',
              'user-agent': 'Careflow-Webhooks/1.0',
              'webhook-id': req.messageId,
              'webhook-timestamp': String(timestamp),
              'webhook-signature': signatureHeader(req.secrets, req.messageId, timestamp, req.body),
            },
            headersTimeout: timeoutMs,
            bodyTimeout: timeoutMs,
          },
          handler,
        );
      } catch (error) {
        settle(error as Error);
      }
    });
  }

  private target(url: string): { origin: string; path: string } {
    let target = this.targets.get(url);
    if (!target) {
      const u = new URL(url);
      target = { origin: u.origin, path: `${u.pathname}${u.search}` };
      if (this.targets.size >= 10_000) this.targets.clear();
      this.targets.set(url, target);
    }
    return target;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.agent.close().catch(() => undefined);
  }
}

/** The first RESPONSE_EXCERPT_BYTES of an answer as text; null for an empty one. */
function excerptOf(chunks: readonly Buffer[], size: number): string | null {
  if (size === 0) return null;
  const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
  // toString replaces a multi-byte character cut in two; Postgres text takes no NUL.
  return bytes.subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8').replaceAll('\u0000', '');
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
