import { LOGGER, type Logger } from '@careflow/platform';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SegmentationConfig } from '../../config/segmentation.config.js';
import { SegmentsService } from './segments.service.js';

/** How often a replica looks whether a scheduled recompute is due. */
const CHECK_EVERY_MS = 10 * 60_000;

/**
 * Recomputes every customer each SEGMENT_RECOMPUTE_INTERVAL_HOURS, so the rules' windows
 * ("2 orders within 180 days") move along with time, not only when an order or a PUT
 * re-evaluates a customer. Every replica looks; one decides (SegmentsService).
 */
@Injectable()
export class RecomputeSchedule implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly segments: SegmentsService,
    private readonly config: SegmentationConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.SEGMENT_RECOMPUTE_INTERVAL_HOURS === 0) return;
    this.tick();
    this.timer = setInterval(() => this.tick(), CHECK_EVERY_MS);
    this.timer.unref();
  }

  private tick(): void {
    this.running ??= this.segments
      .scheduleRecomputeIfDue(this.config.SEGMENT_RECOMPUTE_INTERVAL_HOURS)
      .then((recompute) => {
        if (recompute) this.logger.info({ recomputeId: recompute.id, rulesVersion: recompute.rulesVersion }, 'scheduled segment recompute queued');
      })
      .catch((error: unknown) => this.logger.warn({ err: error }, 'scheduling a segment recompute failed'))
      .finally(() => (this.running = undefined));
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
