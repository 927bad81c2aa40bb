import type { Scope } from '@careflow/contracts';
import { SetMetadata, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';

export const SCOPES_KEY = 'careflow:scopes';
export const PUBLIC_KEY = 'careflow:public';
export const PROBE_KEY = 'careflow:probe';

/** The OpenAPI security scheme name of API keys. */
export const BEARER_SCHEME = 'apiKey';

/**
 * The scope an API key needs for this route (any one of those listed; `admin` always passes).
 * Every route carries this or @Public(): a test fails on one that carries neither.
 */
export function RequireScopes(...scopes: Scope[]): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(SCOPES_KEY, scopes), ApiSecurity(BEARER_SCHEME, scopes));
}

/** Open to callers without an API key (documentation, health). */
export function Public(): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(PUBLIC_KEY, true), ApiSecurity({}));
}

/**
 * A liveness/readiness probe: public, and reachable without the internal token, because
 * orchestrators probe services directly.
 */
export function Probe(): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(PROBE_KEY, true), SetMetadata(PUBLIC_KEY, true));
}

export { ApiBearerAuth };
