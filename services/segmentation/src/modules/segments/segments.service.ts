import { NotFoundError } from '@careflow/platform';
import { RequestValidationError } from '@careflow/http';
import { Outbox } from '@careflow/persistence';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { MembershipsRepository } from './memberships.repository.js';
import { RecomputesRepository, type RecomputeRecord } from './recomputes.repository.js';
import { normalizeSegmentRules, segmentRulesProblems, type SegmentRules } from './segment-rules.js';
import { SegmentRulesRepository, type RuleSetRecord } from './segment-rules.repository.js';

/** Segment definitions, the rules in force, and the evaluation of customers against them. */
@Injectable()
export class SegmentsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly rules: SegmentRulesRepository,
    private readonly memberships: MembershipsRepository,
    private readonly recomputes: RecomputesRepository,
    private readonly outbox: Outbox,
  ) {}

  async currentRules(): Promise<RuleSetRecord> {
    return this.rules.current();
  }

  async listWithCounts(): Promise<{ ruleSet: RuleSetRecord; members: Map<string, number>; primary: Map<string, number> }> {
    const [ruleSet, counts] = await Promise.all([this.rules.current(), this.memberships.counts(this.db.manager)]);
    return { ruleSet, ...counts };
  }

  /**
   * Stores a new rule set version and queues the recompute of every customer, in one
   * transaction: a rule set is never in force without the recompute that applies it.
   */
  async replaceRules(input: unknown): Promise<{ ruleSet: RuleSetRecord; recompute: RecomputeRecord }> {
    const problems = segmentRulesProblems(input);
    if (problems.length) throw new RequestValidationError(problems);
    const rules = normalizeSegmentRules(input as SegmentRules);
    return this.db.transaction(async (tx) => {
      const ruleSet = await this.rules.add(tx, rules);
      const recompute = await this.recomputes.create(tx, ruleSet.version);
      await this.outbox.enqueue(tx, 'segments.recompute', { recomputeId: recompute.id });
      return { ruleSet, recompute };
    });
  }

  /**
   * Queues a recompute of every customer under the rules in force when none was created
   * within `hours` (a PUT's counts too). Returns it, or null when none was due.
   */
  async scheduleRecomputeIfDue(hours: number): Promise<RecomputeRecord | null> {
    return this.db.transaction(async (tx) => {
      if (!(await this.recomputes.scheduledDue(tx, hours))) return null;
      const { version } = await this.rules.current(tx);
      const recompute = await this.recomputes.create(tx, version, 'scheduled');
      await this.outbox.enqueue(tx, 'segments.recompute', { recomputeId: recompute.id });
      return recompute;
    });
  }

  async recompute(id: string): Promise<RecomputeRecord> {
    const found = await this.recomputes.find(id);
    if (!found) throw new NotFoundError('recompute', id);
    return found;
  }

  /**
   * Re-evaluates customers whose inputs the caller's transaction just changed (an order, a
   * PUT), under the rules in force; the changes and their events commit with the caller.
   */
  async evaluate(tx: EntityManager, customerIds: readonly string[]): Promise<number> {
    if (customerIds.length === 0) return 0;
    const version = await this.memberships.lockForEvaluation(tx, customerIds);
    const { rules } = await this.rules.atVersion(tx, version);
    return this.memberships.evaluateLocked(tx, rules, customerIds);
  }
}
