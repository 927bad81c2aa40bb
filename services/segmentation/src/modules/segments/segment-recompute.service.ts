import type { JobAttempt } from '@careflow/messaging';
import { LOGGER, type Logger } from '@careflow/platform';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { MembershipsRepository } from './memberships.repository.js';
import { RecomputesRepository } from './recomputes.repository.js';
import { SegmentRulesRepository } from './segment-rules.repository.js';

/** Changes applied (and events written) per transaction of a recompute. */
const APPLY_BATCH = 20_000;
const EVALUATION_TABLE = 'segment_recompute_evaluation';

/**
 * A recompute of every customer: one set-based evaluation into a session table, then the
 * differences applied in batches, each batch with its events in its own transaction, so
 * progress is visible and a crash loses nothing. A retried job starts over: what an earlier
 * attempt applied is no longer a difference, so no customer is announced twice.
 */
@Injectable()
export class SegmentRecomputeService {
  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    @InjectDataSource() private readonly db: DataSource,
    private readonly rules: SegmentRulesRepository,
    private readonly memberships: MembershipsRepository,
    private readonly recomputes: RecomputesRepository,
  ) {}

  async run(recomputeId: string, attempt?: JobAttempt): Promise<void> {
    const runner = this.db.createQueryRunner();
    await runner.connect();
    let locked = false;
    try {
      // One recompute at a time: a second PUT's recompute waits for the first, then applies the newest rules.
      await this.memberships.lockRecomputes(runner);
      locked = true;
      const { version, rules } = await this.rules.current(runner.manager);
      const started = await this.recomputes.start(recomputeId, version);
      if (!started) return;
      const startedAt = Date.now();
      const { evaluated, differing } = await this.memberships.evaluateAllInto(runner, EVALUATION_TABLE, rules);
      await this.recomputes.evaluated(recomputeId, evaluated, differing);
      const evaluatedAt = Date.now();
      let remaining = differing > 0;
      let changed = 0;
      while (remaining) {
        await runner.startTransaction();
        try {
          const batch = await this.memberships.applyBatch(runner, EVALUATION_TABLE, rules, APPLY_BATCH);
          await this.recomputes.addBatch(runner.manager, recomputeId, batch.applied, batch.changed);
          await runner.commitTransaction();
          remaining = batch.remaining;
          changed += batch.changed;
        } catch (error) {
          await runner.rollbackTransaction();
          throw error;
        }
      }
      await this.recomputes.finish(recomputeId, 'completed');
      this.logger.info(
        { recomputeId, rulesVersion: version, evaluated, differing, changed, evaluateMs: evaluatedAt - startedAt, applyMs: Date.now() - evaluatedAt },
        'segments recomputed',
      );
    } catch (error) {
      // The last attempt records the failure; earlier ones leave the recompute running for the retry.
      if (!attempt || attempt.attemptsMade + 1 >= attempt.attempts) {
        await this.recomputes.finish(recomputeId, 'failed', error instanceof Error ? error.message : String(error)).catch(() => undefined);
      }
      throw error;
    } finally {
      await this.memberships.dropEvaluation(runner, EVALUATION_TABLE).catch(() => undefined);
      if (locked) await this.memberships.unlockRecomputes(runner).catch(() => undefined);
      await runner.release();
    }
  }
}
