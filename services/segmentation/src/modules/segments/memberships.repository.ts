import { Segment, type CarePolicy } from '@careflow/contracts';
import { Outbox, SqlParams } from '@careflow/persistence';
import { RequestContext } from '@careflow/platform';
import { Injectable } from '@nestjs/common';
import type { EntityManager, QueryRunner } from 'typeorm';
import type { RuleNode, SegmentRules } from './segment-rules.js';
import { RULES_VERSION_IN_FORCE_SQL } from './segment-rules.repository.js';

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

  /**
   * `q` takes the placeholders of the conditions, `aggregateQ` those of the aggregates: the
   * same object when both end up in one statement, two when a recompute computes the
   * aggregates in a statement of their own (a placeholder a statement does not use fails it).
   */
  constructor(
    private readonly q: SqlParams,
    readonly rules: SegmentRules,
    private readonly now: Date,
    private readonly aggregateQ: SqlParams = q,
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

  private readonly params = new Map<SqlParams, Map<string, string>>();

  /** One placeholder per distinct value, so equal conditions compile to equal text and share their aggregate. */
  private param(value: unknown, cast: string, q: SqlParams = this.q): string {
    const key = `${cast}:${JSON.stringify(value)}`;
    const known = this.params.get(q) ?? new Map<string, string>();
    this.params.set(q, known);
    let placeholder = known.get(key);
    if (!placeholder) {
      placeholder = `${q.add(value)}::${cast}`;
      known.set(key, placeholder);
    }
    return placeholder;
  }

  private cutoff(days: number, q: SqlParams = this.q): string {
    return this.param(new Date(this.now.getTime() - days * DAY_MS).toISOString(), 'timestamptz', q);
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
    return days === undefined ? null : `o.placed_at >= ${this.cutoff(days, this.aggregateQ)}`;
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
      const where = [`o.currency = ${this.param(currency, 'text', this.aggregateQ)}`, this.since(withinDays)].filter((f): f is string => f !== null);
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
      const inChannel = this.count([`o.channel = ${this.param(channel, 'text', this.aggregateQ)}`, window]);
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

/** A range of customer ids (half-open, null ends open): a recompute's share for one session. */
export interface CustomerRange {
  from: string | null;
  to: string | null;
}

/** `parts` ranges of equal width over the uuid space (ids are random, so about equal in customers). */
export function customerRanges(parts: number): CustomerRange[] {
  const bound = (k: number) => `${Math.floor((k * 0x1_0000_0000) / parts).toString(16).padStart(8, '0')}-0000-0000-0000-000000000000`;
  return Array.from({ length: parts }, (_, k) => ({ from: k === 0 ? null : bound(k), to: k === parts - 1 ? null : bound(k + 1) }));
}

/**
 * Segment memberships: evaluates the rules for customers set-based (one statement whatever
 * their number), writes the memberships that changed and their `customer.segment_changed`
 * events in the same statement.
 */
@Injectable()
export class MembershipsRepository {
  constructor(private readonly outbox: Outbox) {}

  /** The per-customer aggregates the rules read, as a SELECT over the orders (all, or the named customers'). */
  private aggregateSql(compiled: CompiledRules, where: ((column: string) => string) | null): string {
    return `SELECT o.customer_id, ${compiled.aggregateColumns()}
              FROM segmentation.orders o ${where ? `WHERE ${where('o.customer_id')}` : ''}
             GROUP BY o.customer_id`;
  }

  /**
   * The evaluation as a SELECT: per customer, the memberships the rules give now beside the
   * stored ones, and `inputs_version` as it was read. `aggregates` is a relation of the
   * per-customer aggregates (a CTE, or a table a recompute filled beforehand).
   */
  private evaluationSql(q: SqlParams, compiled: CompiledRules, aggregates: string, where: ((column: string) => string) | null): string {
    const custom = compiled.custom.length
      ? `array_remove(ARRAY[${compiled.custom.map((s) => `CASE WHEN ${s.condition} THEN ${q.add(s.key)}::text END`).join(', ')}], NULL)`
      : `'{}'::text[]`;
    const b = compiled.builtIn;
    return `
      WITH matched AS (
        SELECT c.id, c.external_id, c.inputs_version, m.segment AS previous_segment, m.segments AS previous_segments, c.segment_override,
               coalesce(c.vip, ${b.vip}) AS m_vip, ${b.regular} AS m_regular, ${b.online} AS m_online, ${b.walk_in} AS m_walk_in,
               ${custom} AS m_custom
          FROM segmentation.customers c
          LEFT JOIN segmentation.memberships m ON m.customer_id = c.id
          LEFT JOIN ${aggregates} a ON a.customer_id = c.id
          ${where ? `WHERE ${where('c.id')}` : ''}
      ), decided AS (
        SELECT m.*, CASE
                 WHEN m.segment_override IS NOT NULL THEN m.segment_override
                 WHEN m.m_vip THEN 'vip' WHEN m.m_regular THEN 'regular' WHEN m.m_online THEN 'online' WHEN m.m_walk_in THEN 'walk_in'
                 ELSE ${q.add(compiled.rules.fallbackSegment)}::text END AS segment
          FROM matched m
      )
      SELECT d.id, d.external_id, d.inputs_version, d.previous_segment, d.previous_segments, d.segment,
             array_remove(ARRAY[
               CASE WHEN d.segment = 'vip' OR d.m_vip THEN 'vip' END,
               CASE WHEN d.segment = 'regular' OR d.m_regular THEN 'regular' END,
               CASE WHEN d.segment = 'online' OR d.m_online THEN 'online' END,
               CASE WHEN d.segment = 'walk_in' OR d.m_walk_in THEN 'walk_in' END], NULL) || d.m_custom AS segments
        FROM decided d`;
  }

  /**
   * CTEs (`locked`, `previous`, `changed`, `events`) that write the memberships of `source`
   * (rows of the evaluation) differing from the stored ones, and one `customer.segment_changed`
   * per customer that changed, in the one statement they end up in; `events` has a row per
   * event. The caller has locked the memberships first, in a statement of its own
   * (lockMemberships), so this statement's snapshot sees what the writer before it committed:
   * a recompute working from an older evaluation, with `guardInputs`, leaves a customer whose
   * inputs changed since (an order recorded meanwhile) to that order's own evaluation.
   */
  private applySql(q: SqlParams, source: string, rules: SegmentRules, guardInputs: boolean): string {
    const policies = Object.fromEntries(rules.segments.filter((s) => s.policy).map((s) => [s.key, s.policy as CarePolicy]));
    return `
      locked AS (
        SELECT c.id, c.external_id, c.segment_version_base, e.segment, e.segments
          FROM ${source} e JOIN segmentation.customers c ON c.id = e.id
         ${guardInputs ? 'WHERE c.inputs_version = e.inputs_version' : ''}
      ), previous AS (
        SELECT l.*, m.segment AS previous_segment, m.segments AS previous_segments, coalesce(m.version, l.segment_version_base) AS previous_version
          FROM locked l LEFT JOIN segmentation.memberships m ON m.customer_id = l.id
         WHERE (m.segment, m.segments) IS DISTINCT FROM (l.segment, l.segments)
      ), changed AS (
        INSERT INTO segmentation.memberships AS m (customer_id, segment, segments, version)
        SELECT p.id, p.segment, p.segments, p.previous_version + 1 FROM previous p
        ON CONFLICT (customer_id) DO UPDATE SET segment = excluded.segment, segments = excluded.segments, version = excluded.version, changed_at = now()
        RETURNING m.customer_id, m.version
      ), events AS (
        INSERT INTO ${this.outbox.table} (event, payload, request_id)
        SELECT 'customer.segment_changed', jsonb_build_object(
                 'externalId', p.external_id, 'previousSegment', p.previous_segment, 'segment', p.segment,
                 'previousSegments', coalesce(to_jsonb(p.previous_segments), '[]'::jsonb), 'segments', to_jsonb(p.segments),
                 'policy', ${q.add(JSON.stringify(policies))}::jsonb -> p.segment, 'version', ch.version),
               ${q.add(RequestContext.requestId() ?? null)}::text
          FROM changed ch JOIN previous p ON p.id = ch.customer_id
        RETURNING 1
      )`;
  }

  /**
   * Re-evaluates the named customers (whose rows the caller's transaction has written or
   * locked) and announces what changed. Returns how many changed.
   */
  async evaluate(tx: EntityManager, rules: SegmentRules, customerIds: readonly string[], now = new Date()): Promise<number> {
    if (customerIds.length === 0) return 0;
    await this.lockForEvaluation(tx, customerIds);
    return this.evaluateLocked(tx, rules, customerIds, now);
  }

  /**
   * Locks the memberships of the customers about to be evaluated (see lockMemberships) and
   * returns the version of the rule set in force, read by the same statement.
   *
   * It also has the rest of the transaction run its prepared statements with their generic
   * plans. The evaluation's generic plan is the plan Postgres picks for it with the values
   * known (index scans from the customers named: measured over 200 000 customers with a
   * million orders, for 1 and for 200 of them); but its estimate for `= ANY($n)` (10 rows)
   * looks dearer than a custom plan for one customer, so left alone Postgres would plan the
   * statement again on every call: 1.2 ms each time, more than it takes to run.
   */
  async lockForEvaluation(tx: EntityManager, customerIds: readonly string[]): Promise<number> {
    const [row]: Array<{ version: number }> = await tx.query(
      `SELECT ${RULES_VERSION_IN_FORCE_SQL} AS version,
              set_config('plan_cache_mode', 'force_generic_plan', true) AS plan_cache_mode,
              (SELECT count(*) FROM (${this.lockSql(`SELECT unnest($1::uuid[])`)}) locked) AS locked`,
      [customerIds],
    );
    return row!.version;
  }

  /** Evaluates customers whose memberships the caller's transaction locked (lockForEvaluation) and announces what changed. */
  async evaluateLocked(tx: EntityManager, rules: SegmentRules, customerIds: readonly string[], now = new Date()): Promise<number> {
    if (customerIds.length === 0) return 0;
    const q = new SqlParams();
    const compiled = new CompiledRules(q, rules, now);
    const ids = q.add(customerIds);
    const named = (column: string) => `${column} = ANY(${ids}::uuid[])`;
    const sql = `
      WITH a AS (${this.aggregateSql(compiled, named)}),
           e AS (${this.evaluationSql(q, compiled, 'a', named)}),
           ${this.applySql(q, 'e', rules, false)}
      SELECT count(*)::int AS changed FROM events`;
    const rows: Array<{ changed: number }> = await tx.query(sql, q.values);
    return rows[0]?.changed ?? 0;
  }

  /**
   * The first half of a recompute, for the customers whose ids lie in `range` (half-open;
   * null ends are open), in two statements on the runner's session: the per-customer
   * aggregates of their orders (into a temporary table), then their evaluation against them,
   * keeping only the customers whose memberships differ (in `table`). A recompute runs one
   * range per session in parallel (SegmentRecomputeService). Returns how many differ.
   */
  async evaluateRangeInto(runner: QueryRunner, table: string, rules: SegmentRules, range: CustomerRange, now: Date): Promise<number> {
    const aggregates = `${table}_orders`;
    await runner.query(`DROP TABLE IF EXISTS ${table}, ${aggregates}`);
    // Half a million customers' aggregates hash in memory, not on disk; a statement this size
    // gains nothing from JIT compilation, which costs seconds; the parallelism is the ranges'.
    await runner.query(`SET work_mem = '512MB'`);
    await runner.query(`SET jit = off`);
    await runner.query(`SET max_parallel_workers_per_gather = 0`);
    try {
      const q = new SqlParams();
      const aggregateQ = new SqlParams();
      const compiled = new CompiledRules(q, rules, now, aggregateQ);
      const within = (p: SqlParams) => {
        const from = range.from === null ? null : p.add(range.from);
        const to = range.to === null ? null : p.add(range.to);
        return (column: string) =>
          [from && `${column} >= ${from}::uuid`, to && `${column} < ${to}::uuid`].filter(Boolean).join(' AND ') || 'true';
      };
      await runner.query(`CREATE TEMPORARY TABLE ${aggregates} AS ${this.aggregateSql(compiled, within(aggregateQ))}`, aggregateQ.values);
      await runner.query(`ANALYZE ${aggregates}`);
      await runner.query(
        `CREATE TEMPORARY TABLE ${table} AS
           SELECT * FROM (${this.evaluationSql(q, compiled, aggregates, within(q))}) e
            WHERE (e.previous_segment, e.previous_segments) IS DISTINCT FROM (e.segment, e.segments)`,
        q.values,
      );
    } finally {
      await runner.query(`RESET work_mem`);
      await runner.query(`RESET jit`);
      await runner.query(`RESET max_parallel_workers_per_gather`);
      await runner.query(`DROP TABLE IF EXISTS ${aggregates}`);
    }
    await runner.query(`ALTER TABLE ${table} ADD PRIMARY KEY (id)`);
    const [{ differing }]: Array<{ differing: number }> = await runner.query(`SELECT count(*)::int AS differing FROM ${table}`);
    return differing!;
  }

  async countCustomers(runner: QueryRunner): Promise<number> {
    const [{ n }]: Array<{ n: number }> = await runner.query(`SELECT count(*)::int AS n FROM segmentation.customers`);
    return n!;
  }

  /**
   * The second half: applies up to `limit` rows of the evaluated table (and removes them from
   * it) in the caller's transaction, with their events. Returns how many were applied and how
   * many customers changed; `remaining` tells whether rows are left.
   */
  async applyBatch(runner: QueryRunner, table: string, rules: SegmentRules, limit: number): Promise<{ applied: number; changed: number; remaining: boolean }> {
    await this.lockMemberships(runner.manager, `SELECT id FROM ${table} ORDER BY id LIMIT $1::int`, [limit]);
    // The batch's customers are found by their keys: a plan that reads the million rows to join them is the wrong one.
    await runner.query(`SET LOCAL random_page_cost = 1.1`);
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

  /**
   * Locks the memberships of the customers `ids` (a SELECT of customer ids), in id order so
   * two writers never wait on each other, in a statement of its own: the next statement of the
   * transaction then sees what the previous holder committed.
   */
  private async lockMemberships(tx: EntityManager, ids: string, values: unknown[]): Promise<void> {
    await tx.query(this.lockSql(ids), values);
  }

  private lockSql(ids: string): string {
    return `SELECT 1 FROM segmentation.memberships WHERE customer_id IN (${ids}) ORDER BY customer_id FOR UPDATE`;
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
      `SELECT k AS key, count(*)::int AS n FROM segmentation.memberships, unnest(segments) AS k GROUP BY k`,
    );
    const primary: Array<{ key: string; n: number }> = await db.query(
      `SELECT segment AS key, count(*)::int AS n FROM segmentation.memberships GROUP BY segment`,
    );
    return { members: new Map(members.map((r) => [r.key, r.n])), primary: new Map(primary.map((r) => [r.key, r.n])) };
  }
}
