import { HEALTH_CHECKS, HealthController, Probe, ReusedAnswer, runChecks, type HealthCheck, type HealthReport } from '@careflow/http';
import { SERVICE_NAME } from '@careflow/platform';
import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { GatewayConfig } from '../../config/gateway.config.js';
import { SERVICES, type ServiceName } from '../proxy/service-routes.js';
import { Upstreams } from '../proxy/upstreams.js';

export interface SystemHealth {
  status: 'ok' | 'unavailable';
  /** When this answer was computed: it is reused for HEALTH_CACHE_MS. */
  checkedAt: string;
  gateway: HealthReport;
  services: Record<ServiceName, HealthReport | { status: 'unavailable'; error: string }>;
}

/**
 * The whole system's health: the gateway's Postgres and Redis, and each service's /health.
 * Liveness and this replica's readiness come from the lib's HealthController; this adds
 * `GET /health`, reused for HEALTH_CACHE_MS like them (it also asks every service).
 */
@ApiExcludeController()
@Controller('health')
export class SystemHealthController extends HealthController {
  private readonly systemHealth: ReusedAnswer<SystemHealth>;

  constructor(
    @Inject(HEALTH_CHECKS) private readonly checks: HealthCheck[],
    @Inject(SERVICE_NAME) service: string,
    private readonly upstreams: Upstreams,
    config: GatewayConfig,
  ) {
    super(checks, service, config);
    this.systemHealth = new ReusedAnswer(config.HEALTH_CACHE_MS, () => this.checkSystem());
  }

  /** The whole system: this gateway and every service. */
  @Probe()
  @Get()
  async system(@Res({ passthrough: true }) res: Response): Promise<SystemHealth> {
    const health = await this.systemHealth.get();
    res.status(health.status === 'ok' ? 200 : 503);
    return health;
  }

  private async checkSystem(): Promise<SystemHealth> {
    const [gateway, ...services] = await Promise.all([
      runChecks('gateway', this.checks),
      ...SERVICES.map((s) => this.service(s)),
    ]);
    const byService = Object.fromEntries(SERVICES.map((s, i) => [s, services[i]!])) as SystemHealth['services'];
    const ok = gateway.status === 'ok' && services.every((s) => s.status === 'ok');
    return { status: ok ? 'ok' : 'unavailable', checkedAt: new Date().toISOString(), gateway, services: byService };
  }

  private async service(service: ServiceName): Promise<HealthReport | { status: 'unavailable'; error: string }> {
    try {
      const res = await this.upstreams.pool(service).request({ path: '/health', method: 'GET', headersTimeout: 2_500, bodyTimeout: 2_500 });
      return (await res.body.json()) as HealthReport;
    } catch (error) {
      return { status: 'unavailable', error: (error as Error).message || (error as { code?: string }).code || 'unreachable' };
    }
  }
}
