import { createHash, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { beforeAll, describe, expect, it } from 'vitest';
import { SegmentationIncomingProcessor } from '../src/modules/incoming/segmentation-incoming.processor.js';
import { useSegmentationApp } from './app.support.js';

/**
 * Customers met on tickets and in mail, many in one job (the relay publishes the observations of
 * a pass together): each ends as it would one by one, and every new one is announced and
 * segmented once.
 */
describe('customers observed in a batch', () => {
  const running = useSegmentationApp({ WORKERS_ENABLED: 'false' });
  let db: DataSource;
  let worker: SegmentationIncomingProcessor;

  beforeAll(() => {
    db = running.dataSource;
    worker = running.get(SegmentationIncomingProcessor);
  });

  const derived = (address: string) => `cf_${createHash('sha256').update(`careflow-customer:${address}`).digest('hex').slice(0, 32)}`;
  const observed = (externalId: string | null, email: string | null, name: string | null = null) => ({
    eventId: randomUUID(),
    occurredAt: new Date().toISOString(),
    requestId: `req-${email ?? externalId}`,
    data: { externalId, email, name, source: 'ticket', observedAt: new Date().toISOString() },
  });
  const customer = async (externalId: string) =>
    ((await db.query(`SELECT external_id, email, name, version FROM segmentation.customers WHERE external_id = $1`, [externalId])) as Array<Record<string, unknown>>)[0];
  const upserts = async (externalId: string) =>
    (await db.query(`SELECT request_id FROM segmentation.outbox WHERE event = 'customer.upserted' AND payload ->> 'externalId' = $1`, [externalId])) as Array<{ request_id: string }>;

  it('creates each new sender once, fills in what a known customer lacks, and leaves alone what it must', async () => {
    const run = randomUUID().slice(0, 8);
    const known = `known.${run}@example.com`;
    const twice = `twice.${run}@example.com`;
    const fresh = `fresh.${run}@example.com`;
    const back = `back.${run}@example.com`;
    // A customer the shop PUT without a name; one erased earlier whose address writes again.
    await db.query(`INSERT INTO segmentation.customers (external_id, email, origin) VALUES ($1, $2, 'api')`, [`shop_${run}`, known]);
    await db.query(`INSERT INTO segmentation.erased_customers (external_id, version, segment_version) VALUES ($1, 7, 3)`, [derived(back)]);
    await db.query(`INSERT INTO segmentation.erased_customers (external_id, version, segment_version) VALUES ($1, 2, 1)`, [`gone_${run}`]);

    const batch = [
      observed(null, fresh, 'Lan'),
      observed(null, twice, 'Minh'),
      observed(null, twice.toUpperCase(), 'Minh again'),
      observed(null, known, 'Hoa'),
      observed(null, back, 'Back'),
      observed(`gone_${run}`, `gone.${run}@example.com`),
      observed(`id_${run}`, `withid.${run}@example.com`, 'Tuan'),
    ];
    expect(await worker.process({ id: batch[0]!.eventId, name: 'customer.observed', data: JSON.parse(JSON.stringify({ batch })) })).toBe('handled');

    expect(await customer(derived(fresh))).toMatchObject({ email: fresh, name: 'Lan', version: 1 });
    expect(await customer(derived(twice))).toMatchObject({ email: twice, name: 'Minh', version: 1 });
    expect(await customer(`shop_${run}`)).toMatchObject({ email: known, name: 'Hoa', version: 2 });
    expect(await customer(derived(known))).toBeUndefined();
    // Back after an erasure: a new customer whose versions continue above the tombstone's.
    expect(await customer(derived(back))).toMatchObject({ email: back, version: 8 });
    expect(await customer(`gone_${run}`)).toBeUndefined();
    expect(await customer(`id_${run}`)).toMatchObject({ email: `withid.${run}@example.com`, name: 'Tuan' });

    // Announced once each, in the context of the request that met them; the new ones segmented.
    expect((await upserts(derived(fresh))).map((u) => u.request_id)).toEqual([`req-${fresh}`]);
    expect(await upserts(derived(twice))).toHaveLength(1);
    expect((await upserts(`shop_${run}`)).map((u) => u.request_id)).toEqual([`req-${known}`]);
    expect(await upserts(`gone_${run}`)).toEqual([]);
    const [{ n }] = await db.query(
      `SELECT count(*)::int AS n FROM segmentation.memberships m JOIN segmentation.customers c ON c.id = m.customer_id WHERE c.external_id = ANY($1::text[])`,
      [[derived(fresh), derived(twice), derived(back), `id_${run}`]],
    );
    expect(n).toBe(4);

    // The same observations again (a redelivered job under new event ids): nothing changes.
    const again = batch.map((e) => ({ ...e, eventId: randomUUID() }));
    await worker.process({ id: again[0]!.eventId, name: 'customer.observed', data: JSON.parse(JSON.stringify({ batch: again })) });
    expect(await upserts(derived(fresh))).toHaveLength(1);
    expect(await customer(`shop_${run}`)).toMatchObject({ version: 2 });
  });
});
