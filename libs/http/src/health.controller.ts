import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiProcessConfig, SERVICE_NAME } from '@careflow/platform';
import { Probe } from './auth.decorators.js';
import { ReusedAnswer } from './reused-answer.js';

export interface HealthCheck {
  name: string;
  check(): Promise<void>;
}

export const HEALTH_CHECKS = Symbol('HEALTH_CHECKS');

export interface HealthReport {
  status: 'ok' | 'unavailable';
  service: string;
  checks: Record<string, { status: 'up' | 'down'; error?: string; latencyMs: number }>;
}

export async function runChecks(service: string, checks: HealthCheck[], timeoutMs = 2_000): Promise<HealthReport> {
  const results = await Promise.all(
    checks.map(async (c) => {
      const started = performance.now();
      try {
        await Promise.race([
          c.check(),
          new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs).unref()),
        ]);
        return [c.name, { status: 'up' as const, latencyMs: Math.round(performance.now() - started) }] as const;
      } catch (error) {
        const latencyMs = Math.round(performance.now() - started);
        return [c.name, { status: 'down' as const, error: (error as Error).message, latencyMs }] as const;
      }
    }),
  );
  const status = results.every(([, r]) => r.status === 'up') ? 'ok' : 'unavailable';
  return { status, service, checks: Object.fromEntries(results) };
}

/**
 * Liveness (the process answers) and readiness (its Postgres and Redis answer) of one process.
 * The routes are open to anyone and a check costs round trips, so an answer is reused for
 * HEALTH_CACHE_MS and callers arriving together share one check. A process adds `GET /health`
 * by extending this controller: a service's own readiness, the gateway's the whole system's.
 */
@ApiExcludeController()
@Controller('health')
export class HealthController {
  private readonly readiness: ReusedAnswer<HealthReport>;

  constructor(
    @Inject(HEALTH_CHECKS) checks: HealthCheck[],
    @Inject(SERVICE_NAME) service: string,
    config: ApiProcessConfig,
  ) {
    this.readiness = new ReusedAnswer(config.HEALTH_CACHE_MS, () => runChecks(service, checks));
  }

  @Probe()
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Probe()
  @Get('ready')
  async ready(@Res({ passthrough: true }) res: Response): Promise<HealthReport> {
    const report = await this.readiness.get();
    res.status(report.status === 'ok' ? 200 : 503);
    return report;
  }
}
