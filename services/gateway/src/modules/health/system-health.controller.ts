import { HEALTH_CHECKS, Probe, runChecks, type HealthCheck, type HealthReport } from '@careflow/http';
import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { GatewayConfig } from '../../config/gateway.config.js';
import { SERVICES, type ServiceName } from '../proxy/service-routes.js';
import { Upstreams } from '../proxy/upstreams.js';
import { ReusedAnswer } from './reused-answer.js';

export interface SystemHealth {
  status: 'ok' | 'unavailable';
  /** When this answer was computed: it is reused for HEALTH_CACHE_MS. */
  checkedAt: string;
  gateway: HealthReport;
  services: Record<ServiceName, HealthReport | { status: 'unavailable'; error: string }>;
}

/**
 * The whole system's health: the gateway's Postgres and Redis, and each service's /health.
 * These routes are public and each check costs round trips to Postgres, Redis and every
 * service, so an answer is reused for HEALTH_CACHE_MS and concurrent callers share one check.
 */
@ApiExcludeController()
@Controller('health')
export class SystemHealthController {
  private readonly system: ReusedAnswer<SystemHealth>;
  private readonly gateway: ReusedAnswer<HealthReport>;

  constructor(
    @Inject(HEALTH_CHECKS) private readonly checks: HealthCheck[],
    private readonly upstreams: Upstreams,
    config: GatewayConfig,
  ) {
    this.system = new ReusedAnswer(config.HEALTH_CACHE_MS, () => this.checkSystem());
    this.gateway = new ReusedAnswer(config.HEALTH_CACHE_MS, () => runChecks('gateway', this.checks));
  }

  @Probe()
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness of this gateway replica alone (its Postgres and Redis): what a load balancer asks. */
  @Probe()
  @Get('ready')
  async readyAlone(@Res({ passthrough: true }) res: Response): Promise<HealthReport> {
    const report = await this.gateway.get();
    res.status(report.status === 'ok' ? 200 : 503);
    return report;
  }

  /** The whole system: this gateway and every service. */
  @Probe()
  @Get()
  async ready(@Res({ passthrough: true }) res: Response): Promise<SystemHealth> {
    const health = await this.system.get();
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
