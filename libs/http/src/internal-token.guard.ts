import { DomainError, ServiceConfig } from '@careflow/platform';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PROBE_KEY } from './auth.decorators.js';
import { toProblem } from './problem-details.filter.js';
import { sendProblem } from './problem.js';

export const INTERNAL_TOKEN_HEADER = 'x-internal-token';

export class NotFromGatewayError extends DomainError {
  readonly status = 401;
  readonly code = 'internal-token-required';
  readonly title = 'Services accept calls from the gateway only';
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** A service answers only the gateway, which presents INTERNAL_TOKEN; probes are exempt. */
@Injectable()
export class InternalTokenGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly config: ServiceConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean>(PROBE_KEY, [context.getHandler(), context.getClass()])) return true;
    const token = context.switchToHttp().getRequest<Request>().header(INTERNAL_TOKEN_HEADER);
    if (!token || !safeEqual(token, this.config.INTERNAL_TOKEN)) throw new NotFromGatewayError();
    return true;
  }
}

/**
 * Refuses a request that carries a body but not the internal token before anything reads
 * the body: a service must not parse (up to its body limit) what anyone but the gateway
 * sends. Requests without a body go on to InternalTokenGuard, which knows the routes and
 * lets the probes through; probes carry no body.
 */
export function refuseBodiesWithoutInternalToken(internalToken: string) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const declaresBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    const token = req.headers[INTERNAL_TOKEN_HEADER];
    if (!declaresBody || (typeof token === 'string' && safeEqual(token, internalToken))) {
      next();
      return;
    }
    // Closing the connection after the answer spares reading the unread body to reuse it.
    res.setHeader('connection', 'close');
    sendProblem(res, toProblem(new NotFromGatewayError(), req));
  };
}
