import { DomainError } from '@careflow/platform';
import type { Scope } from '@careflow/contracts';
import { MissingApiKeyError, MissingScopeError, hasScope } from '@careflow/http';
import { Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayConfig } from '../../config/gateway.config.js';
import { ApiKeyAuthenticator, type AuthenticatedKey } from '../api-keys/api-key-authenticator.js';
import { AuthFailureLimiter, type AuthFailureBlock } from '../rate-limit/auth-failure-limiter.js';
import { RateLimiter, rateLimitHeaders } from '../rate-limit/rate-limiter.js';
import { addressBucket, clientAddress } from './client-address.js';

export class RateLimitedError extends DomainError {
  readonly status = 429;
  readonly code = 'rate-limited';
  readonly title = 'Too many requests';
}

export class TooManyFailedAuthenticationsError extends DomainError {
  readonly status = 429;
  readonly code = 'authentication-rate-limited';
  readonly title = 'Too many failed authentications';
  constructor(block: AuthFailureBlock) {
    super(`More than ${block.limit} failed authentications from this address in a minute; retry in ${block.retryAfterSeconds} s`);
  }
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * The gateway's front door for every authenticated request, proxied or not: the bearer
 * key must be known and unrevoked (401), within its rate budget (429), and hold the scope
 * the route needs when the gateway itself knows it (403). Failed authentications are counted
 * per client address; an address past that budget gets 429 for any key that is not already
 * known valid here, without its key being looked up.
 */
@Injectable()
export class AccessControl {
  constructor(
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly rateLimiter: RateLimiter,
    private readonly failures: AuthFailureLimiter,
    private readonly config: GatewayConfig,
  ) {}

  async admit(req: IncomingMessage, res: ServerResponse, required?: readonly Scope[]): Promise<AuthenticatedKey> {
    const address = addressBucket(clientAddress(req, this.config.TRUST_PROXY_HOPS));
    const match = BEARER.exec(req.headers.authorization ?? '');
    if (!match) return this.refuse(address, res, 'Send the API key as `Authorization: Bearer <key>`');
    const key = await this.authenticator.authenticate(match[1]!, async () => {
      const block = await this.failures.blocked(address);
      if (block) throw this.throttled(block, res);
    });
    if (!key) return this.refuse(address, res, 'The API key is unknown or revoked');
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

  /**
   * A provider webhook comes without an API key (the service checks the provider's
   * credentials): its budget is per client address, and an address that failed
   * authentication too often (bad signatures count, see recordProviderRefusal) gets 429.
   */
  async admitProvider(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const address = addressBucket(clientAddress(req, this.config.TRUST_PROXY_HOPS));
    const block = await this.failures.blocked(address);
    if (block) throw this.throttled(block, res);
    const decision = await this.rateLimiter.consume(`address:${address}`);
    if (decision) {
      for (const [name, value] of Object.entries(rateLimitHeaders(decision))) res.setHeader(name, value);
      if (!decision.allowed) {
        throw new RateLimitedError(`This address's budget of ${decision.limit} requests per minute is spent; retry in ${decision.resetSeconds} s`);
      }
    }
  }

  /** Counts a provider webhook the service refused for its credentials (401) as a failed authentication of the address. */
  async recordProviderRefusal(req: IncomingMessage): Promise<void> {
    await this.failures.recordFailure(addressBucket(clientAddress(req, this.config.TRUST_PROXY_HOPS)));
  }

  /** 401 for a failed authentication, or 429 once the address has failed too often. */
  private async refuse(address: string, res: ServerResponse, detail: string): Promise<never> {
    const block = await this.failures.recordFailure(address);
    if (block) throw this.throttled(block, res);
    throw new MissingApiKeyError(detail);
  }

  private throttled(block: AuthFailureBlock, res: ServerResponse): TooManyFailedAuthenticationsError {
    res.setHeader('Retry-After', String(block.retryAfterSeconds));
    return new TooManyFailedAuthenticationsError(block);
  }
}
