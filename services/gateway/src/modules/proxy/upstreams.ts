import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'undici';
import { GatewayConfig } from '../../config/gateway.config.js';
import { SERVICES, type ServiceName } from './service-routes.js';

/** One keep-alive connection pool per backend service. */
@Injectable()
export class Upstreams implements OnApplicationShutdown {
  private readonly pools: Map<ServiceName, Pool>;
  readonly urls: Record<ServiceName, string>;

  constructor(config: GatewayConfig) {
    this.urls = {
      tickets: config.TICKETS_URL,
      'email-ingest': config.EMAIL_INGEST_URL,
      notifications: config.NOTIFICATIONS_URL,
      segmentation: config.SEGMENTATION_URL,
    };
    this.pools = new Map(
      SERVICES.map((s) => [
        s,
        new Pool(this.urls[s], {
          connections: 64,
          pipelining: 1,
          keepAliveTimeout: 30_000,
          connect: { timeout: 2_000 },
          headersTimeout: config.UPSTREAM_TIMEOUT_MS,
          bodyTimeout: config.UPSTREAM_TIMEOUT_MS,
        }),
      ]),
    );
  }

  pool(service: ServiceName): Pool {
    return this.pools.get(service)!;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.close()));
  }
}
