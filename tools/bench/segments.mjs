// The segments scenario of `npm run bench`: a recompute of every customer after a rule change.
//
// Setup (not measured): CUSTOMERS customers and about 5 orders each, generated inside Postgres
// with generate_series (no row-by-row inserts), with the statistics and the segments the rules
// in force give them, as if every order had gone through `order.recorded`. Measured: a PUT of
// the rules that lowers the VIP spend threshold to the level about 10 % of the customers reach,
// until the recompute is completed (every changed customer written with its
// `customer.segment_changed` in the outbox), then until the relay has published every event to
// BullMQ.
import pg from 'pg';

async function waitUntil(what, check, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not done after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function benchSegments({ dbUrl, gatewayUrl, admin, customers }) {
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();
  const api = async (method, path, body) => {
    const res = await fetch(`${gatewayUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${admin}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = await res.json().catch(() => null);
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };

  const t0 = Date.now();
  // k = 1..9 orders per customer (5 on average), spread over two years; in-store for about a third of the customers' orders.
  await db.query(`SELECT setseed(0.42)`);
  await db.query(`SET work_mem = '256MB'`);
  await db.query(`
    CREATE TEMPORARY TABLE bench_orders AS
    SELECT i AS ci, j, md5('bench-customer-' || i)::uuid AS customer_id,
           CASE WHEN random() < 0.25 + 0.5 * ((i % 3) = 0)::int THEN 'in_store' ELSE 'online' END AS channel,
           round((100000 + random() * 4900000)::numeric, -3) AS total,
           now() - random() * interval '720 days' AS placed_at
      FROM generate_series(1, $1::int) AS i, generate_series(1, 1 + i % 9) AS j`, [customers]);
  const [{ orders }] = (await db.query(`SELECT count(*)::int AS orders FROM bench_orders`)).rows;
  // Statistics and segments as the default rules give them (vip > regular > online > walk_in, fallback online).
  await db.query(`
    INSERT INTO segmentation.customers (id, external_id, email, name, tags, origin, orders_count, online_orders, in_store_orders,
                                        total_spent, first_order_at, last_order_at)
    SELECT md5('bench-customer-' || i)::uuid, 'bench_' || i, 'bench' || i || '@example.com', 'Bench Customer ' || i,
           CASE WHEN i % 10 = 0 THEN ARRAY['newsletter'] ELSE '{}' END, 'api', a.n_all, a.online, a.in_store,
           jsonb_build_object('VND', a.total::text), a.first_at, a.last_at
      FROM generate_series(1, $1::int) AS i
      JOIN (SELECT ci, count(*)::int AS n_all, count(*) FILTER (WHERE channel = 'online')::int AS online,
                   count(*) FILTER (WHERE channel = 'in_store')::int AS in_store, sum(total) AS total,
                   min(placed_at) AS first_at, max(placed_at) AS last_at
              FROM bench_orders GROUP BY ci) a ON a.ci = i`, [customers]);
  await db.query(`
    INSERT INTO segmentation.memberships (customer_id, segment, segments, version)
    SELECT a.customer_id, s.segment, s.segments, 1
      FROM (SELECT customer_id, count(*) AS n_all, count(*) FILTER (WHERE channel = 'online') AS online,
                   count(*) FILTER (WHERE channel = 'in_store') AS in_store,
                   coalesce(sum(total) FILTER (WHERE placed_at >= now() - interval '365 days'), 0) AS vnd365,
                   count(*) FILTER (WHERE placed_at >= now() - interval '365 days') AS n365,
                   count(*) FILTER (WHERE placed_at >= now() - interval '180 days') AS n180
              FROM bench_orders GROUP BY customer_id) a
      CROSS JOIN LATERAL (SELECT (a.vnd365 >= 50000000 OR a.n365 >= 10) AS vip, a.n180 >= 2 AS regular,
                                 a.online >= 1 AND a.online >= 0.5 * a.n_all AS online, a.in_store >= 1 AND a.in_store >= 0.5 * a.n_all AS walk_in) m
      CROSS JOIN LATERAL (SELECT CASE WHEN m.vip THEN 'vip' WHEN m.regular THEN 'regular' WHEN m.online THEN 'online'
                                      WHEN m.walk_in THEN 'walk_in' ELSE 'online' END AS segment) p
      CROSS JOIN LATERAL (SELECT array_remove(ARRAY[CASE WHEN m.vip THEN 'vip' END, CASE WHEN m.regular OR p.segment = 'regular' THEN 'regular' END,
                                                    CASE WHEN m.online OR p.segment = 'online' THEN 'online' END,
                                                    CASE WHEN m.walk_in THEN 'walk_in' END], NULL) AS segments, p.segment) s`);
  await db.query(`
    INSERT INTO segmentation.orders (external_id, customer_id, channel, total, currency, placed_at, version)
    SELECT 'bench_ord_' || ci || '_' || j, customer_id, channel, total, 'VND', placed_at, 1 FROM bench_orders`);
  await db.query(`DROP TABLE bench_orders`);
  await db.query(`VACUUM ANALYZE segmentation.customers`);
  await db.query(`VACUUM ANALYZE segmentation.orders`);
  await db.query(`VACUUM ANALYZE segmentation.memberships`);
  const setupSeconds = (Date.now() - t0) / 1000;

  // The threshold about 10 % of the customers reach within a year: they become VIP.
  const [{ threshold }] = (
    await db.query(`
      SELECT round(percentile_disc(0.9) WITHIN GROUP (ORDER BY s))::text AS threshold
        FROM (SELECT sum(total) FILTER (WHERE placed_at >= now() - interval '365 days') AS s FROM segmentation.orders GROUP BY customer_id) t`)
  ).rows;
  const current = await api('GET', '/v1/segments/rules');
  const rules = {
    fallbackSegment: current.fallbackSegment,
    segments: current.segments.map((s) =>
      s.key === 'vip' ? { ...s, rule: { any: [{ totalSpent: { currency: 'VND', min: threshold, withinDays: 365 } }, { ordersCount: { min: 10, withinDays: 365 } }] } } : s,
    ),
  };
  // Outbox rows are deleted once confirmed delivered: count what was written by the sequence.
  const outboxSeq = async () => (await db.query(`SELECT CASE WHEN is_called THEN last_value ELSE 0 END::bigint AS n FROM segmentation.outbox_seq_seq`)).rows[0].n;
  const outboxBefore = await outboxSeq();

  const started = Date.now();
  const accepted = await api('PUT', '/v1/segments/rules', rules);
  const recompute = await waitUntil(
    'recompute',
    async () => {
      const r = await api('GET', `/v1/segments/recomputes/${accepted.recomputeId}`);
      if (r.state === 'failed') throw new Error(`recompute failed: ${r.error}`);
      return r.state === 'completed' ? r : null;
    },
    600_000,
  );
  const recomputeSeconds = (Date.now() - started) / 1000;
  const written = Number(await outboxSeq()) - Number(outboxBefore);
  await waitUntil(
    'events published',
    async () => (await db.query(`SELECT count(*)::int AS n FROM segmentation.outbox WHERE published_at IS NULL`)).rows[0].n === 0,
    600_000,
  );
  const publishedSeconds = (Date.now() - started) / 1000;
  const evaluatedMs = recompute.startedAt && recompute.finishedAt ? new Date(recompute.finishedAt) - new Date(recompute.startedAt) : null;
  await db.end();
  return {
    setupSeconds,
    row: {
      customers,
      orders,
      'changed (events)': recompute.customersChanged,
      'changed %': ((100 * recompute.customersChanged) / customers).toFixed(1),
      'events written': written,
      'recompute s (PUT → completed)': recomputeSeconds.toFixed(1),
      'of it in the worker s': evaluatedMs === null ? '' : (evaluatedMs / 1000).toFixed(1),
      'events published s (PUT → last one in BullMQ)': publishedSeconds.toFixed(1),
    },
  };
}
