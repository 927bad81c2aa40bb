import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { useEmailIngestApp } from './app.support.js';

/** Without MAILBOX_ENCRYPTION_KEY no credential is stored: registering a mailbox is a clear 409. */
describe('IMAP mailboxes without an encryption key', () => {
  const running = useEmailIngestApp();
  const headers = { 'x-internal-token': 'in-process-test-internal-token', 'x-careflow-key-id': 'test', 'x-careflow-scopes': 'admin' };

  it('answers 409 mailbox-encryption-key-missing and stores nothing', async () => {
    const res = await request(running.app.getHttpServer())
      .post('/v1/inbound/mailboxes')
      .set(headers)
      .send({ name: 'Support', host: 'imap.shop.test', port: 993, tls: 'implicit', username: 'support@shop.test', password: 'secret' });
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 409, code: 'mailbox-encryption-key-missing', detail: expect.stringContaining('MAILBOX_ENCRYPTION_KEY') });
    const { rows } = await running.db.pool.query(`SELECT count(*)::int AS n FROM email_ingest.mailboxes`);
    expect(rows[0].n).toBe(0);

    // validation still comes first: a bad request is a 400 naming the field
    const bad = await request(running.app.getHttpServer()).post('/v1/inbound/mailboxes').set(headers).send({ name: 'x', host: 'imap.shop.test', port: 993, tls: 'tls' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toContain('tls');
  });
});
