import { ApiProcessConfig } from '@careflow/platform';
import { IsInt, IsIP, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';

const URL_PATTERN = /^https?:\/\/[^\s/]+(\/.*)?$/;

export class GatewayConfig extends ApiProcessConfig {
  @IsInt()
  @Min(0)
  @Max(65535)
  GATEWAY_PORT: number = 3000;

  /** The gateway is the public entry, so it listens on every interface unless told otherwise. */
  @IsIP(undefined, { message: 'HOST must be an IP address to listen on (0.0.0.0, ::, 127.0.0.1)' })
  HOST: string = '0.0.0.0';

  /**
   * How many reverse proxies in front of the gateway append the client's address to
   * X-Forwarded-For (1 behind the Kubernetes ingress). The client address (failed
   * authentication limits, the X-Forwarded-For a service sees) is that many entries from the
   * right; 0 takes the connection's address and ignores the header, which a client could forge.
   */
  @IsInt()
  @Min(0)
  @Max(10)
  TRUST_PROXY_HOPS: number = 0;

  /** Bootstrap admin key. When unset, one is generated at first start and printed once. */
  @IsOptional()
  @IsString()
  @MinLength(24)
  ADMIN_API_KEY?: string;

  /**
   * The public base URL of this deployment (`https://care.example.com`), written into the
   * OpenAPI document's `servers` for generated clients; unset, the document names the local default.
   */
  @IsOptional()
  @Matches(URL_PATTERN, { message: 'PUBLIC_URL must be an http(s) URL' })
  PUBLIC_URL?: string;

  @Matches(URL_PATTERN)
  TICKETS_URL: string = 'http://127.0.0.1:3001';

  @Matches(URL_PATTERN)
  EMAIL_INGEST_URL: string = 'http://127.0.0.1:3002';

  @Matches(URL_PATTERN)
  NOTIFICATIONS_URL: string = 'http://127.0.0.1:3003';

  @Matches(URL_PATTERN)
  SEGMENTATION_URL: string = 'http://127.0.0.1:3004';

  /** Requests per API key per minute; 0 turns rate limiting off (benchmarks). */
  @IsInt()
  @Min(0)
  RATE_LIMIT_PER_MINUTE: number = 6000;

  /**
   * Failed authentications (no key, an unknown or a revoked one) per client address per
   * minute; past it the address gets 429 for any key the gateway would have to look up.
   * 0 turns it off.
   */
  @IsInt()
  @Min(0)
  AUTH_FAILURES_PER_MINUTE: number = 60;

  /** Largest JSON body; larger ones get 413 before reaching a service. */
  @Matches(/^\d+(kb|mb)$/)
  JSON_BODY_LIMIT: string = '1mb';

  /** Largest raw e-mail (message/rfc822) accepted by POST /v1/inbound/email. */
  @Matches(/^\d+(kb|mb)$/)
  EMAIL_BODY_LIMIT: string = '25mb';

  /** How long the gateway waits for a service's response before answering 504. */
  @IsInt()
  @Min(100)
  UPSTREAM_TIMEOUT_MS: number = 30_000;

  /** How long a key's authentication stays cached in a gateway process. */
  @IsInt()
  @Min(0)
  API_KEY_CACHE_TTL_MS: number = 30_000;

  /** How long an Idempotency-Key is remembered (API.md: at least 24 hours). */
  @IsInt()
  @Min(24)
  IDEMPOTENCY_TTL_HOURS: number = 24;
}
