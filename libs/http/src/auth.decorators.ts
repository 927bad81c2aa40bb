import type { Scope } from '@careflow/contracts';
import { SetMetadata, applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiSecurity } from '@nestjs/swagger';

export const SCOPES_KEY = 'careflow:scopes';
export const PUBLIC_KEY = 'careflow:public';
export const PROBE_KEY = 'careflow:probe';

/** The OpenAPI security scheme name of API keys. */
export const BEARER_SCHEME = 'apiKey';

/** API keys are opaque strings, not JWTs: `cf_<8-character prefix>_<secret>`. */
export const API_KEY_FORMAT = 'cf_ API key';
export const API_KEY_SCHEME_DESCRIPTION =
  'An opaque API key, sent as `Authorization: Bearer cf_…` (`cf_`, an 8-character prefix shown in listings, `_`, the secret). ' +
  'Create keys with `POST /v1/api-keys`; a key is shown once. Each operation lists the scopes that admit it as alternatives ' +
  '(any one of them suffices); `admin` admits every operation.';

/**
 * The scope an API key needs for this route (any one of those listed; `admin` always passes).
 * Every route carries this or @Public(): a test fails on one that carries neither.
 */
export function RequireScopes(...scopes: Scope[]): MethodDecorator & ClassDecorator {
  // One security requirement per scope: OpenAPI reads the scopes of one requirement as all needed.
  return applyDecorators(SetMetadata(SCOPES_KEY, scopes), ...scopes.map((scope) => ApiSecurity(BEARER_SCHEME, [scope])));
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
