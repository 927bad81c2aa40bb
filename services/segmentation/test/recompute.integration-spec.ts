import { Outbox, createDataSource } from '@careflow/persistence';
import { createLogger, loadConfig } from '@careflow/platform';
import { createTestDatabase, serviceTestEnv, type TestDatabase } from '@careflow/testing';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SegmentationConfig } from '../src/config/segmentation.config.js';
import { MembershipsRepository } from '../src/modules/segments/memberships.repository.js';
import { RecomputesRepository } from '../src/modules/segments/recomputes.repository.js';
import { SegmentRecomputeService } from '../src/modules/segments/segment-recompute.service.js';
import { DEFAULT_SEGMENT_RULES, type SegmentRules } from '../src/modules/segments/segment-rules.js';
import { SegmentRulesRepository } from '../src/modules/segments/segment-rules.repository.js';
import { SegmentsService } from '../src/modules/segments/segments.service.js';

/**
 * A recompute against real Postgres: killed after its first batch and run again, every
 * customer who changes is announced exactly once; an order recorded between its evaluation
 * and its writes keeps the newer evaluation.
 */
describe('segment recompute', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let config: SegmentationConfig;
  let memberships: MembershipsRepository;
  let recomputes: RecomputesRepository;
  let rules: SegmentRulesRepository;
  const logger = createLogger('test', 'silent');

  /** VIP from 3 orders within a year: the customers with 3 orders move. */
  const VIP_BY_COUNT: SegmentRules = {
    ...DEFAULT_SEGMENT_RULES,
    segments: DEFAULT_SEGMENT_RULES.segments.map((s) => (s.key === 'vip' ? { ...s, rule: { ordersCount: { min: 3, withinDays: 365 } } } : s)),
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = createDataSource({ url: db.url, schema: 'segmentation', entities: [], migrations: [], applicationName: 'recompute-test' });
    await dataSource.initialize();
    config = loadConfig(SegmentationConfig, serviceTestEnv(db.url, 'unused', { SEGMENT_RECOMPUTE_BATCH: '10', SEGMENT_RECOMPUTE_PARALLELISM: '2' }));
    memberships = new MembershipsRepository(new Outbox('segmentation'));
    recomputes = new RecomputesRepository(dataSource);
    rules = new SegmentRulesRepository(dataSource);
  });
  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  /** 60 customers: every other one with 3 online orders in the last month, the rest with 1. */
  beforeEach(async () => {
    await dataSource.query(`TRUNCATE segmentation.customers, segmentation.recomputes, segmentation.outbox CASCADE`);
    await dataSource.query(`DELETE FROM segmentation.rule_sets WHERE version > 1`);
    await dataSource.query(
      `INSERT INTO segmentation.customers (external_id, origin) SELECT 'rc_' || i, 'api' FROM generate_series(1, 60) AS i`,
    );
    await dataSource.query(
      `INSERT INTO segmentation.orders (external_id, customer_id, channel, total, currency, placed_at, version)
       SELECT 'o_' || c.external_id || '_' || j, c.id, 'online', 10, 'EUR', now() - j * interval '1 day', 1
         FROM segmentation.customers c, generate_series(1, CASE WHEN split_part(c.external_id, '_', 2)::int % 2 = 0 THEN 3 ELSE 1 END) AS j`,
    );
    // Everyone as the default rules have them (online), announced; then a clean outbox.
    await dataSource.transaction(async (tx) => {
      const ids: Array<{ id: string }> = await tx.query(`SELECT id FROM segmentation.customers`);
      await memberships.evaluate(tx, DEFAULT_SEGMENT_RULES, ids.map((r) => r.id));
    });
    await dataSource.query(`DELETE FROM segmentation.outbox`);
  });

  async function newRecompute(r: SegmentRules): Promise<string> {
    return dataSource.transaction(async (tx) => {
      const ruleSet = await rules.add(tx, r);
      return (await recomputes.create(tx, ruleSet.version)).id;
    });
  }

  async function events(): Promise<Array<{ externalId: string; segment: string; previousSegment: string; version: number }>> {
    const rows: Array<{ payload: { externalId: string; segment: string; previousSegment: string; version: number } }> = await dataSource.query(
      `SELECT payload FROM segmentation.outbox WHERE event = 'customer.segment_changed' ORDER BY seq`,
    );
    return rows.map((r) => r.payload);
  }

  it('announces each changed customer once when killed after its first batch and run again', async () => {
    const id = await newRecompute(VIP_BY_COUNT);
    let batches = 0;
    let firstBatchChanged = 0;
    // The worker dies once a batch has committed: the job fails and BullMQ runs it again.
    // Which range's batch comes first, and so how many of its customers change (the ranges
    // split random ids), is up to the scheduler: the first batch reports it.
    const dying = Object.create(memberships) as MembershipsRepository;
    dying.applyBatch = async (...args: Parameters<MembershipsRepository['applyBatch']>) => {
      if (++batches > 1) throw new Error('worker killed');
      const batch = await memberships.applyBatch(...args);
      firstBatchChanged = batch.changed;
      return batch;
    };
    await expect(new SegmentRecomputeService(logger, dataSource, config, rules, dying, recomputes).run(id, { attemptsMade: 0, attempts: 5 })).rejects.toThrow(
      'worker killed',
    );
    const interrupted = await recomputes.find(id);
    expect(firstBatchChanged).toBeGreaterThan(0);
    expect(firstBatchChanged).toBeLessThanOrEqual(10);
    expect(interrupted).toMatchObject({ state: 'running', customersChanged: firstBatchChanged });
    expect(await events()).toHaveLength(firstBatchChanged);

    await new SegmentRecomputeService(logger, dataSource, config, rules, memberships, recomputes).run(id, { attemptsMade: 1, attempts: 5 });
    const done = await recomputes.find(id);
    expect(done).toMatchObject({ state: 'completed', customersChanged: 30, customersTotal: 60 });
    const announced = await events();
    expect(announced).toHaveLength(30);
    expect(new Set(announced.map((e) => e.externalId)).size).toBe(30);
    expect(announced.every((e) => e.segment === 'vip' && e.previousSegment === 'regular' && e.version === 2)).toBe(true);
    const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM segmentation.memberships WHERE segment = 'vip'`);
    expect(n).toBe(30);

    // Run once more: nothing differs, nothing is announced.
    const again = await newRecompute(VIP_BY_COUNT);
    await new SegmentRecomputeService(logger, dataSource, config, rules, memberships, recomputes).run(again);
    expect(await recomputes.find(again)).toMatchObject({ state: 'completed', customersChanged: 0 });
    expect(await events()).toHaveLength(30);
  });

  it('keeps the evaluation of an order recorded between a recompute\'s evaluation and its writes', async () => {
    const id = await newRecompute(VIP_BY_COUNT);
    // rc_2 has 3 orders (VIP under the new rules); while the recompute evaluates, one of them is
    // replaced by an order of last year's and the customer is re-evaluated, as OrderStatsService does.
    const racing = Object.create(memberships) as MembershipsRepository;
    racing.evaluateRangeInto = async (...args: Parameters<MembershipsRepository['evaluateRangeInto']>) => {
      const differing = await memberships.evaluateRangeInto(...args);
      await dataSource.transaction(async (tx) => {
        const [{ id: customer }] = await tx.query(`SELECT id FROM segmentation.customers WHERE external_id = 'rc_2' FOR UPDATE`);
        const moved: unknown[] = await tx.query(
          `UPDATE segmentation.orders SET placed_at = now() - interval '400 days', version = 2 WHERE external_id = 'o_rc_2_1' AND version = 1 RETURNING 1`,
        );
        if (moved.length === 0) return; // the other range's session: done already
        await tx.query(`UPDATE segmentation.customers SET inputs_version = inputs_version + 1 WHERE id = $1`, [customer]);
        await memberships.evaluate(tx, (await rules.current(tx)).rules, [customer]);
      });
      return differing;
    };
    await new SegmentRecomputeService(logger, dataSource, config, rules, racing, recomputes).run(id);
    const [row] = await dataSource.query(
      `SELECT m.segment, m.version FROM segmentation.memberships m JOIN segmentation.customers c ON c.id = m.customer_id WHERE c.external_id = 'rc_2'`,
    );
    // Two orders within the year now: not VIP (still regular), and the recompute did not write its stale VIP over it.
    expect(row).toMatchObject({ segment: 'regular', version: 1 });
    expect((await events()).filter((e) => e.externalId === 'rc_2')).toEqual([]);
    expect(await recomputes.find(id)).toMatchObject({ state: 'completed', customersChanged: 29 });
  });

  it('schedules a recompute when none was created within the interval, once across replicas', async () => {
    const segments = new SegmentsService(dataSource, rules, memberships, recomputes, new Outbox('segmentation'));
    // Two replicas look at once: one queues it.
    const first = await Promise.all([segments.scheduleRecomputeIfDue(24), segments.scheduleRecomputeIfDue(24)]);
    expect(first.filter(Boolean)).toHaveLength(1);
    expect(first.find(Boolean)).toMatchObject({ reason: 'scheduled', state: 'queued' });
    const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM segmentation.outbox WHERE event = 'segments.recompute'`);
    expect(n).toBe(1);
    expect(await segments.scheduleRecomputeIfDue(24)).toBeNull();
    // A day later it is due again.
    await dataSource.query(`UPDATE segmentation.recomputes SET created_at = now() - interval '25 hours'`);
    expect(await segments.scheduleRecomputeIfDue(24)).toMatchObject({ reason: 'scheduled' });
  });
});
