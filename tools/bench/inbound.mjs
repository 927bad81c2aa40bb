// Inbound mail: raw 10 kB messages POSTed through the gateway as fast as CONNECTIONS clients
// can, each a new customer's first message (the heaviest path: parse, ticket, acknowledgement
// mail). Measured: messages/s from the first POST until the last message reached its final
// status, and each message's time from its POST to that status. Nothing asserts: it reports.
import autocannon from 'autocannon';
import { randomUUID } from 'node:crypto';
import pg from 'pg';

const FILLER =
  'Xin chào, tôi đặt hàng tuần trước và trang theo dõi không thay đổi từ thứ Hai. Tere, tellisin eelmisel nädalal ja jälgimisleht pole esmaspäevast muutunud. ' +
  'Hello, I ordered last week and the tracking page has not moved since Monday. ';

/** A 10 kB message as a mail client sends it: multipart/alternative, UTF-8, base64 bodies. */
function message(n, runId) {
  const text = FILLER.repeat(Math.ceil(3600 / FILLER.length)).slice(0, 3600);
  const html = `<div dir="ltr"><p>${text.replace(/\. /g, '.</p><p>')}</p><div class="gmail_signature">Lan</div></div>`;
  const b64 = (s) => (Buffer.from(s, 'utf8').toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
  const boundary = `000000000000${runId}${n}`;
  return Buffer.from(
    [
      'Return-Path: <bench@example.com>',
      'Received: from mail-wr1-f54.google.com (mail-wr1-f54.google.com [209.85.221.54]) by mx.shop.test with ESMTPS id 4Zk2; Tue, 1 Dec 2026 09:14:03 +0000',
      `From: =?UTF-8?B?${Buffer.from('Nguyễn Thị Lan').toString('base64')}?= <bench.${runId}.${n}@example.com>`,
      'To: support@shop.test',
      `Subject: =?UTF-8?B?${Buffer.from(`Đơn hàng ${n} chưa tới`).toString('base64')}?=`,
      'Date: Tue, 1 Dec 2026 09:14:03 +0000',
      `Message-ID: <CAF${runId}${n}=bench@mail.gmail.com>`,
      'MIME-Version: 1.0',
      `Content-Type: multipart/alternative; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain; charset="UTF-8"',
      'Content-Transfer-Encoding: base64',
      '',
      b64(text),
      `--${boundary}`,
      'Content-Type: text/html; charset="UTF-8"',
      'Content-Transfer-Encoding: base64',
      '',
      b64(html),
      `--${boundary}--`,
      '',
    ].join('\r\n'),
  );
}

export async function benchInbound({ gatewayUrl, admin, dbUrl, messages, connections, warmup }) {
  const runId = randomUUID().slice(0, 8);
  const db = new pg.Client({ connectionString: dbUrl });
  await db.connect();

  async function post(count, offset) {
    // Built before the clock starts: the load generator shares the cores with the system.
    const bodies = Array.from({ length: count }, (_, i) => message(offset + i, runId));
    let next = 0;
    const posted = [];
    const startedAt = Date.now();
    let lastAnswerAt = 0;
    const result = await new Promise((resolve, reject) =>
      autocannon(
        {
          url: gatewayUrl,
          connections,
          amount: count,
          headers: { 'content-type': 'message/rfc822', authorization: `Bearer ${admin}` },
          requests: [
            {
              method: 'POST',
              path: '/v1/inbound/email',
              setupRequest: (req) => ({ ...req, body: bodies[next++ % count] }),
              onResponse: (status, body) => {
                lastAnswerAt = Date.now();
                if (status === 202) posted.push(JSON.parse(body).id);
              },
            },
          ],
        },
        (error, r) => (error ? reject(error) : resolve(r)),
      ),
    );
    const ids = posted;
    const deadline = Date.now() + 300_000;
    let rows = [];
    for (;;) {
      ({ rows } = await db.query(
        `SELECT status, extract(epoch FROM processed_at - received_at) * 1000 AS ms, extract(epoch FROM processed_at) * 1000 AS done_at
           FROM email_ingest.inbound_emails WHERE id = ANY($1::uuid[]) AND status <> 'queued'`,
        [ids],
      ));
      if (rows.length >= ids.length || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    return { result, startedAt, postedUntil: lastAnswerAt || Date.now(), ids, rows };
  }

  await post(warmup, 0);
  // Statistics, as autovacuum gathers them once a table has grown by a tenth: without them
  // (autovacuum is off on the development machines) the planner guesses that a lookup of 60
  // addresses matches a third of a table and scans it whole, as no deployment would.
  await db.query('ANALYZE');
  const { result, startedAt, postedUntil, ids, rows } = await post(messages, warmup);
  await db.end();
  const latencies = rows.map((r) => Number(r.ms)).sort((a, b) => a - b);
  const pct = (p) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))] ?? NaN);
  const lastDone = Math.max(...rows.map((r) => Number(r.done_at)));
  const statuses = {};
  for (const r of rows) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  return {
    scenario: 'inbound 10 kB e-mail → ticket (final status)',
    messages: ids.length,
    'POST/s': Math.round((ids.length / (postedUntil - startedAt)) * 1000),
    'POST p99 ms': result.latency.p99,
    'messages/s end to end': Math.round((rows.length / (lastDone - startedAt)) * 1000),
    'POST→final p50 ms': pct(50),
    'POST→final p99 ms': pct(99),
    'final statuses': Object.entries(statuses).map(([s, n]) => `${s} ${n}`).join(', '),
    'non-2xx': result.non2xx,
  };
}
