import type { JobAttempt } from '@careflow/messaging';
import { LOGGER, type Logger } from '@careflow/platform';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, QueryRunner } from 'typeorm';
import { SegmentationConfig } from '../../config/segmentation.config.js';
import { customerRanges, MembershipsRepository, type CustomerRange } from './memberships.repository.js';
import { RecomputesRepository } from './recomputes.repository.js';
import type { SegmentRules } from './segment-rules.js';
import { SegmentRulesRepository } from './segment-rules.repository.js';

const EVALUATION_TABLE = 'segment_recompute_evaluation';

interface RangeOutcome {
  differing: number;
  changed: number;
  evaluateMs: number;
}

/**
 * A recompute of every customer. The customers are split into SEGMENT_RECOMPUTE_PARALLELISM
 * ranges, each worked on its own database session at the same time: one set-based
 * evaluation of the range into a session table, then the differences applied in batches,
 * each batch with its events in its own transaction, so progress is visible and a crash
 * loses nothing. A retried job starts over: what an earlier attempt applied is no longer a
 * difference, so no customer is announced twice.
 */
@Injectable()
export class SegmentRecomputeService {
  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: SegmentationConfig,
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
      const started = await this.recomputes.start(recomputeId, version, await this.memberships.countCustomers(runner));
      if (!started) return;
      const startedAt = Date.now();
      const now = new Date();
      const ranges = customerRanges(this.config.SEGMENT_RECOMPUTE_PARALLELISM);
      // A range that fails stops the others at their next batch, and the attempt ends only once
      // every range has: nothing of it may still be writing when the retry starts.
      const abort = { failed: false };
      const settled = await Promise.allSettled(
        ranges.map((range) =>
          this.runRange(recomputeId, rules, range, ranges.length, now, abort).catch((error: unknown) => {
            abort.failed = true;
            throw error;
          }),
        ),
      );
      const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failure) throw failure.reason;
      const parts = settled.map((r) => (r as PromiseFulfilledResult<RangeOutcome>).value);
      await this.recomputes.finish(recomputeId, 'completed');
      this.logger.info(
        {
          recomputeId,
          rulesVersion: version,
          differing: parts.reduce((n, p) => n + p.differing, 0),
          changed: parts.reduce((n, p) => n + p.changed, 0),
          evaluateMs: Math.max(...parts.map((p) => p.evaluateMs)),
          totalMs: Date.now() - startedAt,
        },
        'segments recomputed',
      );
    } catch (error) {
      // The last attempt records the failure; earlier ones leave the recompute running for the retry.
      if (!attempt || attempt.attemptsMade + 1 >= attempt.attempts) {
        await this.recomputes.finish(recomputeId, 'failed', error instanceof Error ? error.message : String(error)).catch(() => undefined);
      }
      throw error;
    } finally {
      if (locked) await this.memberships.unlockRecomputes(runner).catch(() => undefined);
      await runner.release();
    }
  }

  /** One range of customers on a session of its own: evaluate, then apply in batches. */
  private async runRange(
    recomputeId: string,
    rules: SegmentRules,
    range: CustomerRange,
    ranges: number,
    now: Date,
    abort: { failed: boolean },
  ): Promise<RangeOutcome> {
    const runner: QueryRunner = this.db.createQueryRunner();
    await runner.connect();
    try {
      const startedAt = Date.now();
      const differing = await this.memberships.evaluateRangeInto(runner, EVALUATION_TABLE, rules, range, now);
      const evaluateMs = Date.now() - startedAt;
      await this.recomputes.rangeEvaluated(recomputeId, differing, ranges);
      let remaining = differing > 0;
      let changed = 0;
      while (remaining && !abort.failed) {
        await runner.startTransaction();
        try {
          const batch = await this.memberships.applyBatch(runner, EVALUATION_TABLE, rules, this.config.SEGMENT_RECOMPUTE_BATCH);
          await this.recomputes.addBatch(runner.manager, recomputeId, batch.applied, batch.changed);
          await runner.commitTransaction();
          remaining = batch.remaining;
          changed += batch.changed;
        } catch (error) {
          await runner.rollbackTransaction();
          throw error;
        }
      }
      return { differing, changed, evaluateMs };
    } finally {
      await this.memberships.dropEvaluation(runner, EVALUATION_TABLE).catch(() => undefined);
      await runner.release();
    }
  }
}
