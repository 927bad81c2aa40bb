import { DomainError } from '@careflow/platform';
import type { Scope } from '@careflow/contracts';
import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { PUBLIC_KEY, SCOPES_KEY } from './auth.decorators.js';

export class MissingApiKeyError extends DomainError {
  readonly status = 401;
  readonly code = 'unauthorized';
  readonly title = 'Missing or invalid API key';
}

export class MissingScopeError extends DomainError {
  readonly status = 403;
  readonly code = 'forbidden';
  readonly title = 'The API key lacks the required scope';
  constructor(required: readonly Scope[]) {
    super(`This operation needs the scope ${required.join(' or ')}`);
    this.extensions['requiredScopes'] = required;
  }
}

/** The principal the gateway authenticated, forwarded to services in trusted headers. */
export interface Principal {
  keyId: string;
  scopes: readonly Scope[];
}

/**
 * Who is calling, as the gateway tells a service: the authenticated key and its scopes (set by
 * the gateway, trusted because of the internal token), and the agent a change is made on
 * behalf of (the client's `On-Behalf-Of`, passed through and checked by the service).
 */
export const PRINCIPAL_HEADERS = { keyId: 'x-careflow-key-id', scopes: 'x-careflow-scopes', onBehalfOf: 'on-behalf-of' } as const;

/**
 * A service's answer to an erasure (DELETE /v1/customers/{id}) carries the erased personal
 * data in this header, base64url JSON of strings, for the gateway alone: the responses it
 * keeps for Idempotency-Key replays may hold copies, and it erases those. Never relayed.
 */
export const ERASURE_HEADER = 'x-careflow-erased-data';

export function hasScope(granted: readonly Scope[], required: readonly Scope[]): boolean {
  return granted.includes('admin') || required.some((s) => granted.includes(s));
}

/** Route metadata: which scopes a route needs, or that it is public; undefined = undeclared. */
export function routeAccess(reflector: Reflector, context: ExecutionContext): readonly Scope[] | 'public' | undefined {
  const targets = [context.getHandler(), context.getClass()];
  if (reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return 'public';
  return reflector.getAllAndOverride<Scope[]>(SCOPES_KEY, targets);
}

/**
 * A service's scope check. The gateway authenticated the key and forwards its scopes; the
 * service trusts them because InternalTokenGuard proved the call came from the gateway.
 * A route that declares nothing is refused (fail closed).
 */
@Injectable()
export class ServiceScopeGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const access = routeAccess(this.reflector, context);
    if (access === 'public') return true;
    const req = context.switchToHttp().getRequest<Request>();
    const keyId = req.header(PRINCIPAL_HEADERS.keyId);
    if (!keyId) throw new MissingApiKeyError('No authenticated API key was forwarded');
    const required = access ?? [];
    const granted = (req.header(PRINCIPAL_HEADERS.scopes) ?? '').split(',').filter(Boolean) as Scope[];
    if (required.length === 0 || !hasScope(granted, required)) throw new MissingScopeError(required);
    return true;
  }
}
