import type { Scope } from '@careflow/contracts';
import { DomainError, MissingApiKeyError, MissingScopeError, hasScope } from '@careflow/http';
import { Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiKeyAuthenticator, type AuthenticatedKey } from '../api-keys/api-key-authenticator.js';
import { RateLimiter, rateLimitHeaders } from '../rate-limit/rate-limiter.js';

export class RateLimitedError extends DomainError {
  readonly status = 429;
  readonly code = 'rate-limited';
  readonly title = 'Too many requests';
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * The gateway's front door for every authenticated request, proxied or not: the bearer
 * key must be known and unrevoked (401), within its rate budget (429), and hold the scope
 * the route needs when the gateway itself knows it (403).
 */
@Injectable()
export class AccessControl {
  constructor(
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly rateLimiter: RateLimiter,
  ) {}

  async admit(req: IncomingMessage, res: ServerResponse, required?: readonly Scope[]): Promise<AuthenticatedKey> {
    const match = BEARER.exec(req.headers.authorization ?? '');
    if (!match) throw new MissingApiKeyError('Send the API key as `Authorization: Bearer <key>`');
    const key = await this.authenticator.authenticate(match[1]!);
    if (!key) throw new MissingApiKeyError('The API key is unknown or revoked');
    const decision = await this.rateLimiter.consume(key.id);
    if (decision) {
      for (const [name, value] of Object.entries(rateLimitHeaders(decision))) res.setHeader(name, value);
      if (!decision.allowed) {
        throw new RateLimitedError(`The key's budget of ${decision.limit} requests per minute is spent; retry in ${decision.resetSeconds} s`);
      }
    }
    if (required && required.length > 0 && !hasScope(key.scopes, required)) throw new MissingScopeError(required);
    return key;
  }
}
