import { Segment, type CarePolicy } from '@careflow/contracts';
import { Outbox, SqlParams } from '@careflow/persistence';
import { RequestContext } from '@careflow/platform';
import { Injectable } from '@nestjs/common';
import type { EntityManager, QueryRunner } from 'typeorm';
import type { RuleNode, SegmentRules } from './segment-rules.js';

const DAY_MS = 86_400_000;

/**
 * A rule set compiled to SQL over `segmentation.customers c` LEFT JOIN the per-customer order
 * aggregates `a`: every condition becomes a boolean expression, and every quantity a rule
 * needs (a count in a window, a sum in a currency) one aggregate column, computed in the one
 * pass over the orders that all rules share.
 */
class CompiledRules {
  private readonly aggregates = new Map<string, string>();
  readonly builtIn: Record<Segment, string>;
  readonly custom: Array<{ key: string; condition: string }>;

  constructor(
    private readonly q: SqlParams,
    readonly rules: SegmentRules,
    private readonly now: Date,
  ) {
    const byKey = new Map(rules.segments.map((s) => [s.key, s]));
    this.builtIn = Object.fromEntries(Segment.map((key) => [key, this.condition(byKey.get(key)!.rule)])) as Record<Segment, string>;
    this.custom = rules.segments
      .filter((s) => !(Segment as readonly string[]).includes(s.key))
      .map((s) => ({ key: s.key, condition: this.condition(s.rule) }));
  }

  /** `expr AS aN` for the aggregate CTE; at least one, so the CTE is valid when rules read no orders. */
  aggregateColumns(): string {
    const columns = [...this.aggregates.entries()].map(([expr, alias]) => `${expr} AS ${alias}`);
    return columns.length ? columns.join(', ') : 'count(*) AS a_none';
  }

  private readonly params = new Map<string, string>();

  /** One placeholder per distinct value, so equal conditions compile to equal text and share their aggregate. */
  private param(value: unknown, cast: string): string {
    const key = `${cast}:${JSON.stringify(value)}`;
    let placeholder = this.params.get(key);
    if (!placeholder) {
      placeholder = `${this.q.add(value)}::${cast}`;
      this.params.set(key, placeholder);
    }
    return placeholder;
  }

  private cutoff(days: number): string {
    return this.param(new Date(this.now.getTime() - days * DAY_MS).toISOString(), 'timestamptz');
  }

  private aggregate(expr: string): string {
    let alias = this.aggregates.get(expr);
    if (!alias) {
      alias = `a${this.aggregates.size}`;
      this.aggregates.set(expr, alias);
    }
    return `a.${alias}`;
  }

  private since(days: number | undefined): string | null {
    return days === undefined ? null : `o.placed_at >= ${this.cutoff(days)}`;
  }

  private count(filters: Array<string | null>): string {
    const where = filters.filter((f): f is string => f !== null);
    return `coalesce(${this.aggregate(where.length ? `count(*) FILTER (WHERE ${where.join(' AND ')})` : 'count(*)')}, 0)`;
  }

  private condition(node: RuleNode): string {
    if ('all' in node) return `(${node.all.map((n) => this.condition(n)).join(' AND ')})`;
    if ('any' in node) return `(${node.any.map((n) => this.condition(n)).join(' OR ')})`;
    if ('not' in node) return `(NOT ${this.condition(node.not)})`;
    const parts: string[] = [];
    if ('ordersCount' in node) {
      const { min, max, withinDays } = node.ordersCount;
      const n = this.count([this.since(withinDays)]);
      if (min !== undefined) parts.push(`${n} >= ${this.param(min, 'int')}`);
      if (max !== undefined) parts.push(`${n} <= ${this.param(max, 'int')}`);
    } else if ('totalSpent' in node) {
      const { currency, min, max, withinDays } = node.totalSpent;
      const where = [`o.currency = ${this.param(currency, 'text')}`, this.since(withinDays)].filter((f): f is string => f !== null);
      const sum = `coalesce(${this.aggregate(`sum(o.total) FILTER (WHERE ${where.join(' AND ')})`)}, 0)`;
      if (min !== undefined) parts.push(`${sum} >= ${this.param(min, 'numeric')}`);
      if (max !== undefined) parts.push(`${sum} <= ${this.param(max, 'numeric')}`);
    } else if ('lastOrder' in node) {
      const last = this.aggregate('max(o.placed_at)');
      if (node.lastOrder.withinDays !== undefined) parts.push(`coalesce(${last} >= ${this.cutoff(node.lastOrder.withinDays)}, false)`);
      // Lapsed: no order within the window, customers who never ordered included.
      if (node.lastOrder.notWithinDays !== undefined) parts.push(`coalesce(${last} < ${this.cutoff(node.lastOrder.notWithinDays)}, true)`);
    } else if ('channelShare' in node) {
      const { channel, min, max, withinDays } = node.channelShare;
      const window = this.since(withinDays);
      const inChannel = this.count([`o.channel = ${this.param(channel, 'text')}`, window]);
      const all = this.count([window]);
      parts.push(`${inChannel} >= 1`);
      if (min !== undefined) parts.push(`${inChannel} >= ${this.param(min, 'numeric')} * ${all}`);
      if (max !== undefined) parts.push(`${inChannel} <= ${this.param(max, 'numeric')} * ${all}`);
    } else {
      const tags = node.tags;
      if (tags.any) parts.push(`c.tags && ${this.param(tags.any, 'text[]')}`);
      if (tags.all) parts.push(`c.tags @> ${this.param(tags.all, 'text[]')}`);
      if (tags.none) parts.push(`NOT (c.tags && ${this.param(tags.none, 'text[]')})`);
    }
    return `(${parts.join(' AND ')})`;
  }
}

/** Which customers an evaluation covers: everyone, or the ones named (by the caller's locked rows). */
type Scope = { all: true } | { ids: readonly string[] };

export interface RecomputeBatch {
  changed: number;
}

/**
 * Segment memberships: evaluates the rules for customers set-based (one statement whatever
 * their number), writes the memberships that changed and their `customer.segment_changed`
 * events in the same statement.
 */
@Injectable()
export class MembershipsRepository {
  constructor(private readonly outbox: Outbox) {}

  /**
   * The evaluation as a SELECT: per customer, the memberships the rules give now beside the
   * ones stored, and `inputs_version` as it was read.
   */
  private evaluationSql(q: SqlParams, rules: SegmentRules, scope: Scope, now: Date): string {
    const compiled = new CompiledRules(q, rules, now);
    const ids = 'ids' in scope ? q.add(scope.ids) : null;
    const custom = compiled.custom.length
      ? `array_remove(ARRAY[${compiled.custom.map((s) => `CASE WHEN ${s.condition} THEN ${q.add(s.key)}::text END`).join(', ')}], NULL)`
      : `'{}'::text[]`;
    const b = compiled.builtIn;
    return `
      WITH a AS (
        SELECT o.customer_id, ${compiled.aggregateColumns()}
          FROM segmentation.orders o ${ids ? `WHERE o.customer_id = ANY(${ids}::uuid[])` : ''}
         GROUP BY o.customer_id
      ), matched AS (
        SELECT c.id, c.inputs_version, c.segment AS previous_segment, c.segments AS previous_segments, c.segment_override,
               coalesce(c.vip, ${b.vip}) AS m_vip, ${b.regular} AS m_regular, ${b.online} AS m_online, ${b.walk_in} AS m_walk_in,
               ${custom} AS m_custom
          FROM segmentation.customers c LEFT JOIN a ON a.customer_id = c.id
          ${ids ? `WHERE c.id = ANY(${ids}::uuid[])` : ''}
      ), decided AS (
        SELECT m.*, CASE
                 WHEN m.segment_override IS NOT NULL THEN m.segment_override
                 WHEN m.m_vip THEN 'vip' WHEN m.m_regular THEN 'regular' WHEN m.m_online THEN 'online' WHEN m.m_walk_in THEN 'walk_in'
                 ELSE ${q.add(rules.fallbackSegment)}::text END AS segment
          FROM matched m
      )
      SELECT d.id, d.inputs_version, d.previous_segment, d.previous_segments, d.segment,
             array_remove(ARRAY[
               CASE WHEN d.segment = 'vip' OR d.m_vip THEN 'vip' END,
               CASE WHEN d.segment = 'regular' OR d.m_regular THEN 'regular' END,
               CASE WHEN d.segment = 'online' OR d.m_online THEN 'online' END,
               CASE WHEN d.segment = 'walk_in' OR d.m_walk_in THEN 'walk_in' END], NULL) || d.m_custom AS segments
        FROM decided d`;
  }

  /**
   * CTEs (`locked`, `changed`, `events`) that write the memberships of `source` (rows of the
   * evaluation) differing from the stored ones, and one `customer.segment_changed` per customer
   * that changed, in the one statement they end up in; `events` has a row per event.
   * `guardInputs`: apply only where the customer's inputs are still the ones evaluated (a
   * recompute working from a snapshot; a newer per-customer evaluation has the last word).
   */
  private applySql(q: SqlParams, source: string, rules: SegmentRules, guardInputs: boolean): string {
    const policies = Object.fromEntries(rules.segments.filter((s) => s.policy).map((s) => [s.key, s.policy as CarePolicy]));
    return `
      locked AS (
        SELECT c.id, c.segment, c.segments FROM segmentation.customers c JOIN ${source} e ON e.id = c.id
         ${guardInputs ? 'WHERE c.inputs_version = e.inputs_version' : ''}
         FOR UPDATE OF c
      ), changed AS (
        UPDATE segmentation.customers c
           SET segment = e.segment, segments = e.segments, segment_version = c.segment_version + 1, segments_changed_at = now()
          FROM ${source} e JOIN locked l ON l.id = e.id
         WHERE c.id = e.id AND (l.segment, l.segments) IS DISTINCT FROM (e.segment, e.segments)
        RETURNING c.external_id, l.segment AS previous_segment, l.segments AS previous_segments, c.segment, c.segments, c.segment_version
      ), events AS (
        INSERT INTO ${this.outbox.table} (event, payload, request_id)
        SELECT 'customer.segment_changed', jsonb_build_object(
                 'externalId', ch.external_id, 'previousSegment', ch.previous_segment, 'segment', ch.segment,
                 'previousSegments', to_jsonb(ch.previous_segments), 'segments', to_jsonb(ch.segments),
                 'policy', ${q.add(JSON.stringify(policies))}::jsonb -> ch.segment, 'version', ch.segment_version),
               ${q.add(RequestContext.requestId() ?? null)}::text
          FROM changed ch
        RETURNING 1
      )`;
  }

  /**
   * Re-evaluates the named customers (whose rows the caller's transaction has written or
   * locked) and announces what changed. Returns how many changed.
   */
  async evaluate(tx: EntityManager, rules: SegmentRules, customerIds: readonly string[], now = new Date()): Promise<number> {
    if (customerIds.length === 0) return 0;
    const q = new SqlParams();
    const sql = `WITH e AS (${this.evaluationSql(q, rules, { ids: customerIds }, now)}), ${this.applySql(q, 'e', rules, false)}
      SELECT count(*)::int AS changed FROM events`;
    const rows: Array<{ changed: number }> = await tx.query(sql, q.values);
    return rows[0]?.changed ?? 0;
  }

  /**
   * The first half of a recompute of everyone: evaluates every customer in one statement (a
   * parallel scan of the orders, one hash aggregate) into a temporary table of the session,
   * keeping only the customers whose memberships differ. Returns how many customers were
   * evaluated and how many differ.
   */
  async evaluateAllInto(runner: QueryRunner, table: string, rules: SegmentRules, now = new Date()): Promise<{ evaluated: number; differing: number }> {
    const q = new SqlParams();
    await runner.query(`DROP TABLE IF EXISTS ${table}`);
    // The aggregate holds a row per customer: a million of them hash in memory, not on disk.
    await runner.query(`SET work_mem = '256MB'`);
    try {
      await runner.query(
        `CREATE TEMPORARY TABLE ${table} AS
           SELECT * FROM (${this.evaluationSql(q, rules, { all: true }, now)}) e
            WHERE (e.previous_segment, e.previous_segments) IS DISTINCT FROM (e.segment, e.segments)`,
        q.values,
      );
    } finally {
      await runner.query(`RESET work_mem`);
    }
    await runner.query(`ALTER TABLE ${table} ADD PRIMARY KEY (id)`);
    const [{ evaluated }]: Array<{ evaluated: number }> = await runner.query(`SELECT count(*)::int AS evaluated FROM segmentation.customers`);
    const [{ differing }]: Array<{ differing: number }> = await runner.query(`SELECT count(*)::int AS differing FROM ${table}`);
    return { evaluated: evaluated!, differing: differing! };
  }

  /**
   * The second half: applies up to `limit` rows of the evaluated table (and removes them from
   * it) in the caller's transaction, with their events. Returns how many customers changed;
   * `remaining` tells whether rows are left.
   */
  async applyBatch(runner: QueryRunner, table: string, rules: SegmentRules, limit: number): Promise<{ applied: number; changed: number; remaining: boolean }> {
    const q = new SqlParams();
    const sql = `
      WITH batch AS (
        DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} ORDER BY id LIMIT ${q.add(limit)}::int) RETURNING *
      ), ${this.applySql(q, 'batch', rules, true)}
      SELECT (SELECT count(*)::int FROM events) AS changed, (SELECT count(*)::int FROM batch) AS applied`;
    const rows: Array<{ changed: number; applied: number }> = await runner.query(sql, q.values);
    const left: unknown[] = await runner.query(`SELECT 1 FROM ${table} LIMIT 1`);
    return { applied: rows[0]?.applied ?? 0, changed: rows[0]?.changed ?? 0, remaining: left.length > 0 };
  }

  /** A session lock of the runner's connection: recomputes run one at a time. */
  async lockRecomputes(runner: QueryRunner): Promise<void> {
    await runner.query(`SELECT pg_advisory_lock(hashtext('segmentation.recompute'))`);
  }

  async unlockRecomputes(runner: QueryRunner): Promise<void> {
    await runner.query(`SELECT pg_advisory_unlock(hashtext('segmentation.recompute'))`);
  }

  async dropEvaluation(runner: QueryRunner, table: string): Promise<void> {
    await runner.query(`DROP TABLE IF EXISTS ${table}`);
  }

  /** Members per segment (any membership) and per primary segment. */
  async counts(db: EntityManager): Promise<{ members: Map<string, number>; primary: Map<string, number> }> {
    const members: Array<{ key: string; n: number }> = await db.query(
      `SELECT k AS key, count(*)::int AS n FROM segmentation.customers, unnest(segments) AS k GROUP BY k`,
    );
    const primary: Array<{ key: string; n: number }> = await db.query(
      `SELECT segment AS key, count(*)::int AS n FROM segmentation.customers WHERE segment IS NOT NULL GROUP BY segment`,
    );
    return { members: new Map(members.map((r) => [r.key, r.n])), primary: new Map(primary.map((r) => [r.key, r.n])) };
  }
}
