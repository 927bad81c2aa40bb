import { acceptOrCreateRequestId, RequestContext, type Logger } from '@careflow/platform';
import type { INestApplication } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { answerUnparsableRequests } from './client-error.js';
import { UnsupportedMediaTypeError } from './request-errors.js';
import { refuseBodiesWithoutInternalToken } from './internal-token.guard.js';
import { INVALID_UTF8, toProblem } from './problem-details.filter.js';
import { sendProblem } from './problem.js';
import { pathOf } from './request-path.js';

export const REQUEST_ID_HEADER = 'x-request-id';

export interface HttpAppOptions {
  logger: Logger;
  /** Largest JSON body accepted; larger ones get 413. */
  jsonLimit?: string;
  /** Extra raw body types and their limits (message/rfc822 for inbound mail). */
  rawBodies?: Array<{ type: string; limit: string }>;
  /**
   * Bodies read differently on one route (POST only): its own types and limit, parsed as JSON
   * or kept raw. A provider posting a whole e-mail as a form or as JSON needs the e-mail limit
   * on its route alone, not on every JSON route.
   */
  routeBodies?: RouteBody[];
  /** A service's INTERNAL_TOKEN: a body sent without it is refused (401) before it is read. */
  internalToken?: string;
}

export interface RouteBody {
  /** The exact path (`/v1/inbound/providers/postmark`). */
  path: string;
  types: string[];
  limit: string;
  parse: 'json' | 'raw';
}

declare module 'express-serve-static-core' {
  interface Request {
    requestId?: string;
  }
}

/**
 * The Express layer every Careflow app shares: request id, body limits with 413, body
 * parse errors as problem+json, and one structured log line per request.
 */
export function configureHttpApp(app: INestApplication, options: HttpAppOptions): void {
  const { logger } = options;
  const http = app.getHttpAdapter().getInstance() as express.Express;
  http.disable('x-powered-by');
  http.set('etag', false);
  answerUnparsableRequests(app.getHttpServer() as Server, logger);

  http.use((req: Request, res: Response, next: NextFunction) => {
    req.requestId = beginRequest(req, res, logger);
    next();
  });
  if (options.internalToken) http.use(refuseBodiesWithoutInternalToken(options.internalToken));
  const routeBodies = options.routeBodies ?? [];
  const hasOwnBodyRules = (req: Request) => req.method === 'POST' && routeBodies.some((route) => route.path === req.path);
  for (const route of routeBodies) http.use(routeBodyParser(route));
  const acceptedTypes = ['application/json', 'application/*+json', ...(options.rawBodies ?? []).map((r) => r.type)];
  http.use((req: Request, _res: Response, next: NextFunction) => {
    // A body the API cannot read is refused, not silently treated as empty (a route with its own body rules decided already).
    if (!hasOwnBodyRules(req) && req.headers['content-length'] !== '0' && hasBody(req) && !req.is(acceptedTypes)) {
      next(new UnsupportedMediaTypeError(req.headers['content-type'], acceptedTypes));
      return;
    }
    next();
  });
  http.use(express.json({ limit: options.jsonLimit ?? '1mb', type: ['application/json', 'application/*+json'], verify: requireUtf8 }));
  for (const raw of options.rawBodies ?? []) http.use(express.raw({ type: raw.type, limit: raw.limit }));
  // Body parser errors (malformed JSON, too large) never reach Nest's filters: answer here.
  http.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (!error) return next();
    sendProblem(res, toProblem(error, req));
  });
  // The request context starts after body parsing: stream callbacks would drop it.
  http.use((req: Request, _res: Response, next: NextFunction) => {
    RequestContext.run({ requestId: req.requestId! }, next);
  });
}

/** Reads the body of POST `route.path` by the route's own rules; other requests pass by. */
function routeBodyParser(route: RouteBody): express.RequestHandler {
  const parse =
    route.parse === 'json' ? express.json({ limit: route.limit, type: route.types, verify: requireUtf8 }) : express.raw({ type: route.types, limit: route.limit });
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'POST' || req.path !== route.path) return next();
    if (req.headers['content-length'] !== '0' && hasBody(req) && !req.is(route.types)) {
      next(new UnsupportedMediaTypeError(req.headers['content-type'], route.types));
      return;
    }
    parse(req, res, next);
  };
}

/**
 * What every request gets, whoever handles it: its request id (the caller's, if valid, else a
 * new one) in the response, and one structured log line when it is answered. Returns the id.
 */
export function beginRequest(req: IncomingMessage, res: ServerResponse, logger: Logger): string {
  const requestId = acceptOrCreateRequestId(req.headers[REQUEST_ID_HEADER]);
  res.setHeader(REQUEST_ID_HEADER, requestId);
  // Browsers must not guess a type (a problem body or a relayed one) into something runnable.
  res.setHeader('x-content-type-options', 'nosniff');
  const started = process.hrtime.bigint();
  res.on('finish', () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const line = { requestId, method: req.method, path: pathOf(req.url), status: res.statusCode, ms: Math.round(ms * 10) / 10 };
    if (res.statusCode >= 500) logger.error(line, 'request');
    else logger.info(line, 'request');
  });
  return requestId;
}

/**
 * JSON bodies must be well-formed UTF-8: the decoder would otherwise turn stray bytes (FF FE,
 * an overlong C0 80, an encoded surrogate ED A0 80) into U+FFFD, storing what the client did
 * not send. Thrown here, body-parser answers 400 (see toProblem).
 */
function requireUtf8(_req: IncomingMessage, _res: ServerResponse, body: Buffer): void {
  if (!isUtf8(body)) throw Object.assign(new Error('The request body is not valid UTF-8'), { status: 400, type: INVALID_UTF8 });
}

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}
