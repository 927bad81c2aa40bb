import { beginRequest, ERASURE_HEADER, hasScope, INTERNAL_TOKEN_HEADER, pathOf, PRINCIPAL_HEADERS, REQUEST_ID_HEADER, sendProblem, toProblem } from '@careflow/http';
import { DomainError, type Logger, LOGGER, RequestContext } from '@careflow/platform';
import { Inject, Injectable } from '@nestjs/common';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { GatewayConfig } from '../../config/gateway.config.js';
import type { AuthenticatedKey } from '../api-keys/api-key-authenticator.js';
import { AccessControl } from '../auth/access-control.js';
import { clientAddress } from '../auth/client-address.js';
import { IdempotencyKeyInFlightError, IdempotencyStore } from '../idempotency/idempotency-store.js';
import type { StoredResponse } from '../idempotency/idempotency.record.js';
import { byteSize, readRequestBody } from './request-body.js';
import { isProviderWebhook, serviceFor, takesEmailBody, type ServiceName } from './service-routes.js';
import { Upstreams } from './upstreams.js';

export class ServiceUnavailableError extends DomainError {
  readonly status = 503;
  readonly code = 'service-unavailable';
  readonly title = 'Service unavailable';
  constructor(service: ServiceName) {
    super(`The ${service} service is not reachable; retry shortly`);
    this.extensions['service'] = service;
  }
}

export class UpstreamTimeoutError extends DomainError {
  readonly status = 504;
  readonly code = 'upstream-timeout';
  readonly title = 'Upstream timed out';
  constructor(service: ServiceName) {
    super(`The ${service} service did not answer in time`);
    this.extensions['service'] = service;
  }
}

class InvalidIdempotencyKeyError extends DomainError {
  readonly status = 400;
  readonly code = 'validation-error';
  readonly title = 'Request validation failed';
  override readonly errors = [{ field: 'Idempotency-Key', message: 'Idempotency-Key must be 1-255 visible ASCII characters' }];
}

/** Request headers a service may see; everything else (cookies, the API key) stays here. */
const FORWARDED_REQUEST_HEADERS = ['content-type', 'accept', 'accept-language', 'user-agent', 'if-match', 'if-none-match', PRINCIPAL_HEADERS.onBehalfOf];
/** Response headers passed back to the client. */
const RETURNED_RESPONSE_HEADERS = ['content-type', 'content-disposition', 'location', 'retry-after', 'etag', 'link', 'www-authenticate'];
/** A provider webhook's credentials are the provider's own (Postmark's Basic auth), never a Careflow key: the service checks them. */
const PROVIDER_REQUEST_HEADERS = ['content-type', 'accept', 'user-agent', 'authorization'];

const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const TIMEOUT_ERRORS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * The reverse proxy for every /v1 path a service owns. It takes those requests from the HTTP
 * server before Express sees them (every API call passes here; Express's routing and request
 * decoration were a fifth of the gateway's CPU): authenticate and rate-limit (the service
 * checks the scope), read the body within its size limit, apply Idempotency-Key, forward with
 * the internal token, relay the answer.
 */
@Injectable()
export class ProxyHandler {
  private readonly jsonLimit: number;
  private readonly emailLimit: number;

  constructor(
    private readonly access: AccessControl,
    private readonly upstreams: Upstreams,
    private readonly idempotency: IdempotencyStore,
    private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.jsonLimit = byteSize(config.JSON_BODY_LIMIT);
    this.emailLimit = byteSize(config.EMAIL_BODY_LIMIT);
  }

  /** Takes the request when its path belongs to a service (true); false leaves it to Express. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const service = serviceFor(pathOf(req.url));
    if (!service) return false;
    const requestId = beginRequest(req, res, this.logger);
    RequestContext.run({ requestId }, () => {
      this.proxy(service, req, res, requestId).catch((error: unknown) => {
        const body = toProblem(error, req);
        // Refused before its body was read (401, 429, 413): close rather than read the rest to reuse the connection.
        if (!req.complete) res.setHeader('connection', 'close');
        if (body.status >= 500 && body.status !== 503 && body.status !== 504) {
          this.logger.error({ err: error, service }, 'proxy failure');
        }
        sendProblem(res, body);
      });
    });
    return true;
  }

  private async proxy(service: ServiceName, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    if (isProviderWebhook(req.method, pathOf(req.url))) {
      await this.proxyProviderWebhook(service, req, res, requestId);
      return;
    }
    const key = await this.access.admit(req, res);
    const body = await readRequestBody(req, this.bodyLimit(req, key));
    const url = req.url ?? '/';
    const method = req.method ?? 'GET';

    const idempotencyKey = req.method === 'POST' ? headerValue(req.headers['idempotency-key']) : undefined;
    if (idempotencyKey === undefined) {
      this.send(res, await this.forward(service, req, requestId, body, key));
      return;
    }
    if (!IdempotencyStore.validKey(idempotencyKey)) throw new InvalidIdempotencyKeyError();
    const fingerprint = IdempotencyStore.fingerprint(method, url, body);
    const claim = await this.idempotency.claim(key.id, idempotencyKey, method, url, fingerprint).catch((error: unknown) => {
      if (error instanceof IdempotencyKeyInFlightError) res.setHeader('Retry-After', String(error.retryAfterSeconds));
      throw error;
    });
    if (claim.kind === 'replay') {
      res.setHeader('Idempotent-Replayed', 'true');
      this.send(res, claim.response);
      return;
    }
    let response: StoredResponse;
    try {
      response = await this.forward(service, req, requestId, body, key);
    } catch (error) {
      await this.idempotency.release(key.id, idempotencyKey);
      throw error;
    }
    if (response.status >= 500) await this.idempotency.release(key.id, idempotencyKey);
    else await this.idempotency.complete(key.id, idempotencyKey, response);
    this.send(res, response);
  }

  /**
   * A mail provider's post: no API key, so no principal headers and no Idempotency-Key (the
   * provider retries with a new signature; duplicates are recognised when processed). The
   * service's 401 for bad provider credentials counts as a failed authentication here.
   */
  private async proxyProviderWebhook(service: ServiceName, req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    await this.access.admitProvider(req, res);
    const body = await readRequestBody(req, this.emailLimit);
    const response = await this.forward(service, req, requestId, body, null);
    if (response.status === 401) await this.access.recordProviderRefusal(req);
    this.send(res, response);
  }

  /**
   * The large limit belongs to the inbound e-mail route, and only for a key that may use it;
   * everything else is held to the JSON limit, so no key can push e-mail-sized bodies at
   * any route by choosing a Content-Type.
   */
  private bodyLimit(req: IncomingMessage, key: AuthenticatedKey): number {
    const email = takesEmailBody(req.method, pathOf(req.url)) && hasScope(key.scopes, ['inbound:write']);
    return email ? this.emailLimit : this.jsonLimit;
  }

  private async forward(
    service: ServiceName,
    req: IncomingMessage,
    requestId: string,
    body: Buffer,
    key: AuthenticatedKey | null,
  ): Promise<StoredResponse> {
    const headers: Record<string, string> = {
      [INTERNAL_TOKEN_HEADER]: this.config.INTERNAL_TOKEN,
      [REQUEST_ID_HEADER]: requestId,
      'x-forwarded-for': clientAddress(req, this.config.TRUST_PROXY_HOPS),
      'x-forwarded-proto': (req.socket as TLSSocket).encrypted ? 'https' : 'http',
    };
    // Without a key (a provider webhook) the service sees no principal at all.
    if (key) {
      headers[PRINCIPAL_HEADERS.keyId] = key.id;
      headers[PRINCIPAL_HEADERS.scopes] = key.scopes.join(',');
    }
    copyHeaders(req.headers, headers, key ? FORWARDED_REQUEST_HEADERS : PROVIDER_REQUEST_HEADERS);
    try {
      const upstream = await this.upstreams.pool(service).request({
        path: req.url ?? '/',
        method: req.method as 'GET',
        headers,
        body: body.length > 0 ? body : undefined,
      });
      const responseBody = Buffer.from(await upstream.body.arrayBuffer());
      const erased = upstream.headers[ERASURE_HEADER];
      if (typeof erased === 'string' && upstream.statusCode < 300) await this.idempotency.forgetMentioning(erasedData(erased));
      const returned: Record<string, string> = {};
      copyHeaders(upstream.headers as IncomingHttpHeaders, returned, RETURNED_RESPONSE_HEADERS);
      return { status: upstream.statusCode, headers: returned, body: responseBody };
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (CONNECTION_ERRORS.has(code)) throw new ServiceUnavailableError(service);
      if (TIMEOUT_ERRORS.has(code)) throw new UpstreamTimeoutError(service);
      throw error;
    }
  }

  private send(res: ServerResponse, response: StoredResponse): void {
    res.statusCode = response.status;
    for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
    res.end(response.body);
  }
}

/** The erased personal data a service named (ERASURE_HEADER); nothing when the header does not decode. */
function erasedData(header: string): string[] {
  try {
    const value: unknown = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v.length >= 3) : [];
  } catch {
    return [];
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function copyHeaders(from: IncomingHttpHeaders, to: Record<string, string>, names: readonly string[]): void {
  for (const name of names) {
    const value = from[name];
    if (typeof value === 'string') to[name] = value;
    else if (Array.isArray(value)) to[name] = value.join(', ');
  }
}
