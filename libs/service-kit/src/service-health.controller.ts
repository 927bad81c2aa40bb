import { HealthController, Probe, type HealthReport } from '@careflow/http';
import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';

/** A service's `/health` is its readiness: what the gateway's system health asks every service. */
@ApiExcludeController()
@Controller('health')
export class ServiceHealthController extends HealthController {
  @Probe()
  @Get()
  health(@Res({ passthrough: true }) res: Response): Promise<HealthReport> {
    return this.ready(res);
  }
}
