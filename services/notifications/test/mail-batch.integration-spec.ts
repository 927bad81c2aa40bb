import { QueueName } from '@careflow/contracts';
import { SqlParams } from '@careflow/persistence';
import { createServiceApp } from '@careflow/http';
import { SmtpSink, eventually, withInProcessApp } from '@careflow/testing';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AppModule } from '../src/app.module.js';
import { NotificationsConfig } from '../src/config/notifications.config.js';
import { OutboundMailService } from '../src/modules/mail/outbound-mail.service.js';
import { OutboundMessagesRepository } from '../src/modules/mail/outbound-messages.repository.js';

let sink: SmtpSink;
beforeAll(async () => {
  sink = await SmtpSink.start();
});
afterAll(async () => {
  await sink?.stop();
});

/**
 * The notices one statement records go out as one mail.send job. The job's outcome must not
 * decide any message's: a greylisted recipient is retried and sent once, a refused one fails,
 * and the others are sent exactly once, not again when the job is retried for the greylisted one.
 */
it('sends each message of a batch job once, retrying only the one that was greylisted', async () => {
  const run = randomUUID().slice(0, 8);
  const address = (who: string) => `${who}-${run}@example.com`;
  sink.rejectRecipient(address('greylisted'), 451, '4.7.1 greylisted, try again later', 1);
  sink.rejectRecipient(address('refused'), 550, '5.1.1 mailbox unavailable');

  await withInProcessApp(
    NotificationsConfig,
    (config) => createServiceApp(AppModule.create(config), { service: 'notifications', title: 'notifications', description: '' }),
    async (app) => {
      const mail = app.get(OutboundMailService);
      const messages = app.get(OutboundMessagesRepository);
      const db = app.get<DataSource>(getDataSourceToken());
      const who = ['greylisted', 'refused', 'first', 'second'];
      const prepared = who.map((w) =>
        mail.prepare({
          kind: 'shipment_created',
          dedupeKey: `batch-test:${run}:${w}`,
          to: { address: address(w), name: w },
          locale: 'en',
          customerExternalId: `cus_${w}`,
          params: { customerName: w, orderExternalId: 'ord_1', carrierName: 'UPS', trackingNumber: '1Z999', trackingUrl: null, status: 'created', description: null },
        }),
      );
      const q = new SqlParams();
      const recorded: unknown[] = await db.query(
        `WITH ${messages.insertSql(q, prepared.map((m, i) => ({ mail: m, requestId: `req-${i}` })))} SELECT id FROM message`,
        q.values,
      );
      expect(recorded).toHaveLength(4);

      const rows = await eventually(async () => {
        const found: Array<{ to_address: string; status: string; attempts: number; error: string | null }> = await db.query(
          `SELECT to_address, status, attempts, error FROM notifications.outbound_messages WHERE dedupe_key LIKE $1`,
          [`batch-test:${run}:%`],
        );
        expect(found.map((r) => r.status).sort()).toEqual(['failed', 'sent', 'sent', 'sent']);
        return new Map(found.map((r) => [r.to_address, r]));
      }, 20_000);

      expect(rows.get(address('greylisted'))).toMatchObject({ status: 'sent', attempts: 2 });
      expect(rows.get(address('refused'))).toMatchObject({ status: 'failed', attempts: 1 });
      expect(rows.get(address('refused'))!.error).toContain('550');
      expect(rows.get(address('first'))).toMatchObject({ status: 'sent', attempts: 1 });
      expect(rows.get(address('second'))).toMatchObject({ status: 'sent', attempts: 1 });
      // What the SMTP server saw: every accepted message once; RCPT tried again only for the greylisted one.
      for (const w of ['greylisted', 'first', 'second']) expect(sink.to(address(w))).toHaveLength(1);
      expect(sink.to(address('refused'))).toHaveLength(0);
      expect(sink.recipientAttempts(address('greylisted'))).toBe(2);
      expect(sink.recipientAttempts(address('first'))).toBe(1);
      expect(sink.recipientAttempts(address('refused'))).toBe(1);

      // All four travelled in one job, each with the request it came from; the job ran twice.
      const config = app.get(NotificationsConfig);
      const connection = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });
      const queue = new Queue(QueueName.NotificationsMail, { connection, prefix: config.QUEUE_PREFIX });
      try {
        const jobs = await queue.getJobs(['completed']);
        expect(jobs).toHaveLength(1);
        expect(jobs[0]!.attemptsMade).toBe(2);
        expect(jobs[0]!.data.data.messages).toEqual(
          prepared.map((m, i) => ({ id: m.id, requestId: `req-${i}` })),
        );
      } finally {
        await queue.close();
        await connection.quit();
      }
    },
    { SMTP_URL: sink.url },
  );
}, 60_000);
