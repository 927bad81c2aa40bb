import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { SegmentRules } from './segment-rules.js';

export interface RuleSetRecord {
  version: number;
  rules: SegmentRules;
  createdAt: Date;
}

/** The version of the rule set in force (an SQL expression), for statements that read it beside their own work. */
export const RULES_VERSION_IN_FORCE_SQL = `(SELECT max(version) FROM segmentation.rule_sets)`;

/** The versioned rule sets: every PUT stores a new version; the highest is in force. */
@Injectable()
export class SegmentRulesRepository {
  private cached: RuleSetRecord | null = null;

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The rule set of `version` (the one in force, read by the caller's statement): the parsed document kept while it is the newest. */
  async atVersion(tx: EntityManager, version: number): Promise<RuleSetRecord> {
    if (this.cached?.version === version) return this.cached;
    const rows: Array<{ version: number; rules: SegmentRules; created_at: Date }> = await tx.query(
      `SELECT version, rules, created_at FROM segmentation.rule_sets WHERE version = $1`,
      [version],
    );
    const row = rows[0];
    if (!row) throw new Error(`segment rule set ${version} not found`);
    const found = { version: row.version, rules: row.rules, createdAt: row.created_at };
    if (!this.cached || this.cached.version < found.version) this.cached = found;
    return found;
  }

  /**
   * The rule set in force (the rules API, a recompute; an evaluation reads the version with its
   * lock, MembershipsRepository.lockForEvaluation). The parsed document is kept while its
   * version is the newest: the check is one index lookup.
   */
  async current(tx: EntityManager = this.db.manager): Promise<RuleSetRecord> {
    const [head]: Array<{ version: number }> = await tx.query(`SELECT ${RULES_VERSION_IN_FORCE_SQL} AS version`);
    return this.atVersion(tx, head!.version);
  }

  /** Stores the next version; concurrent PUTs serialize on the table lock and get consecutive versions. */
  async add(tx: EntityManager, rules: SegmentRules): Promise<RuleSetRecord> {
    await tx.query(`LOCK TABLE segmentation.rule_sets IN SHARE ROW EXCLUSIVE MODE`);
    const rows: Array<{ version: number; created_at: Date }> = await tx.query(
      `INSERT INTO segmentation.rule_sets (version, rules)
       SELECT coalesce(max(version), 0) + 1, $1::jsonb FROM segmentation.rule_sets
       RETURNING version, created_at`,
      [JSON.stringify(rules)],
    );
    return { version: rows[0]!.version, rules, createdAt: rows[0]!.created_at };
  }
}
