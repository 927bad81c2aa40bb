import { eventually, ImapServer, testMessage, useStack, type ImapUser } from '@careflow/testing';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

/**
 * IMAP mailboxes against a real Dovecot: registration keeps the credential encrypted, the
 * worker fetches what waits and what arrives (IDLE), marks or moves a message only once its
 * raw bytes are stored, and a failing mailbox is a status, not a crash.
 */
describe('IMAP mailboxes', () => {
  const users = ['seen', 'move', 'wrong', 'healthy', 'crash', 'restart', 'disable', 'check', 'routed'].map((u): ImapUser => ({ user: u, password: `${u}-pw-${randomBytes(6).toString('hex')}` }));
  const account = (name: string) => users.find((u) => u.user === name)!;
  let imap: ImapServer;
  beforeAll(async () => {
    imap = await ImapServer.start({ users });
  });
  afterAll(async () => imap?.stop());

  const system = useStack({
    services: ['email-ingest', 'tickets'],
    serviceEnv: {
      'email-ingest': {
        MAILBOX_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        MAILBOX_SYNC_INTERVAL_MS: '300',
        MAILBOX_RETRY_BASE_MS: '300',
        MAILBOX_RETRY_MAX_MS: '2000',
        MAILBOX_LEASE_SECONDS: '5',
      },
    },
  });

  // a failing test shows what the service and the IMAP server said
  beforeEach(({ onTestFailed }) => {
    onTestFailed(async () => {
      console.log(`email-ingest:\n${system.stack.logs('email-ingest').split('\n').slice(-40).join('\n')}\ndovecot:\n${(await imap.log()).split('\n').slice(-20).join('\n')}`);
    });
  });

  /** A mailbox on the test server, polled hourly: whatever arrives sooner came by IDLE. */
  async function register(user: ImapUser, extra: Record<string, unknown> = {}) {
    const res = await system.api
      .post('/v1/inbound/mailboxes')
      .set(system.admin())
      .send({ name: `${user.user} inbox`, host: imap.host, port: imap.port, tls: 'none', username: user.user, password: user.password, pollSeconds: 3600, ...extra });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as Record<string, unknown> & { id: string };
  }

  async function mailbox(id: string) {
    const res = await system.api.get(`/v1/inbound/mailboxes/${id}`).set(system.admin());
    expect(res.status).toBe(200);
    return res.body as Record<string, unknown>;
  }

  async function stored(mailboxId: string): Promise<Array<{ source: string; raw: Buffer; status: string }>> {
    const { rows } = await system.stack.db.pool.query(
      `SELECT source, raw, status FROM email_ingest.inbound_emails WHERE mailbox_id = $1 ORDER BY received_at, id`,
      [mailboxId],
    );
    return rows;
  }

  it('registers a mailbox without ever returning the password, and stores it encrypted', async () => {
    const user = account('check');
    const created = await register(user, { groupKey: 'support', enabled: false });
    expect(created).toMatchObject({ host: '127.0.0.1', port: imap.port, tls: 'none', username: 'check', folder: 'INBOX', afterFetch: 'seen', moveTo: null });
    expect(created).toMatchObject({ authMethod: 'password', hasPassword: true, hasAccessToken: false, groupKey: 'support', enabled: false, state: 'disabled', fetchedCount: 0 });
    expect(JSON.stringify(created)).not.toContain(user.password);
    expect(created).not.toHaveProperty('password');

    const { rows } = await system.stack.db.pool.query(`SELECT secret, secret_key_id, t::text AS whole FROM email_ingest.mailboxes t WHERE id = $1`, [created.id]);
    expect(rows[0].secret_key_id).toMatch(/^k1:[0-9a-f]{16}$/);
    expect((rows[0].secret as Buffer).includes(Buffer.from(user.password))).toBe(false);
    expect(rows[0].whole).not.toContain(user.password);

    const list = await system.api.get('/v1/inbound/mailboxes').set(system.admin()).expect(200);
    expect(list.body.data.map((m: { id: string }) => m.id)).toContain(created.id);
    expect(JSON.stringify(list.body)).not.toContain(user.password);

    // the connection test uses the stored, encrypted password
    const check = await system.api.post(`/v1/inbound/mailboxes/${created.id}/check`).set(system.admin()).expect(200);
    expect(check.body).toEqual({ ok: true, error: null, idle: true, messages: 0 });
    await system.api.patch(`/v1/inbound/mailboxes/${created.id}`).set(system.admin()).send({ password: 'not-the-password' }).expect(200);
    const failed = await system.api.post(`/v1/inbound/mailboxes/${created.id}/check`).set(system.admin()).expect(200);
    expect(failed.body).toMatchObject({ ok: false, error: expect.stringMatching(/^authentication failed/) });
  });

  it('fetches the unseen messages waiting, stores them raw, flags them \\Seen, then picks up new mail by IDLE', async () => {
    const user = account('seen');
    const first = testMessage({ subject: 'Where is my parcel?' });
    const second = testMessage({ subject: 'Order 1042', body: 'Nguyễn Thị Lan — ship to Hà Nội' });
    await imap.append(first, { user });
    await imap.append(testMessage({ subject: 'already read' }), { user, flags: ['\\Seen'] });
    await imap.append(second, { user });

    const { id } = await register(user);
    const rows = await eventually(async () => {
      const r = await stored(id);
      expect(r).toHaveLength(2);
      return r;
    }, 15_000);
    expect(rows.map((r) => r.source)).toEqual(['imap', 'imap']);
    expect(rows.map((r) => r.raw.toString('utf8'))).toEqual([first, second]);
    await eventually(async () => expect((await imap.messages('INBOX', user)).map((m) => m.flags)).toEqual([['\\Seen'], ['\\Seen'], ['\\Seen']]), 10_000);
    await eventually(async () => expect(await mailbox(id)).toMatchObject({ state: 'idle', fetchedCount: 2, consecutiveFailures: 0, lastError: null }));
    const status = await mailbox(id);
    expect(status['lastFetchAt']).toEqual(expect.any(String));
    expect(status['lastSuccessAt']).toEqual(expect.any(String));

    // pollSeconds is an hour: only the server's push can bring this one in time
    const third = testMessage({ subject: 'one more thing' });
    await imap.append(third, { user });
    await eventually(async () => expect((await stored(id)).map((r) => r.raw.toString('utf8'))).toEqual([first, second, third]), 10_000);
    await eventually(async () => expect((await imap.messages('INBOX', user)).every((m) => m.flags.includes('\\Seen'))).toBe(true));
  });

  it('hands fetched mail to the same pipeline: it becomes a ticket of the mailbox\'s group, whatever address it was sent to', async () => {
    const user = account('routed');
    await system.api.post('/v1/groups').set(system.admin()).send({ key: 'billing', name: 'Billing', inboundAddresses: ['billing@shop.test'] }).expect(201);
    await imap.append(testMessage({ subject: 'Invoice for order 1042', from: 'Kadri Tamm <kadri@customer.test>', to: 'hello@shop.test' }), { user });
    const { id } = await register(user, { groupKey: 'billing' });
    const inbound = await eventually(async () => {
      const { rows } = await system.stack.db.pool.query(`SELECT id, status, ticket_id FROM email_ingest.inbound_emails WHERE mailbox_id = $1`, [id]);
      expect(rows).toEqual([expect.objectContaining({ status: 'ticket_created' })]);
      return rows[0];
    }, 20_000);
    const ticket = await system.api.get(`/v1/tickets/${inbound.ticket_id}`).set(system.admin()).expect(200);
    expect(ticket.body).toMatchObject({ group: 'billing', channel: 'email', subject: 'Invoice for order 1042', customer: expect.objectContaining({ email: 'kadri@customer.test' }) });
  });

  it('moves each message to moveTo once it is stored', async () => {
    const user = account('move');
    await imap.createFolder('Processed', user);
    const raw = testMessage({ subject: 'please move me' });
    await imap.append(raw, { user });
    const { id } = await register(user, { afterFetch: 'move', moveTo: 'Processed' });
    await eventually(async () => expect((await stored(id)).map((r) => r.raw.toString('utf8'))).toEqual([raw]), 15_000);
    await eventually(async () => {
      expect(await imap.messages('INBOX', user)).toEqual([]);
      expect((await imap.messages('Processed', user)).map((m) => m.subject)).toEqual(['please move me']);
    });
  });

  it('records a wrong password on the mailbox, backs off instead of hot-looping, and keeps fetching the others', async () => {
    const wrong = account('wrong');
    const healthy = account('healthy');
    await imap.append(testMessage({ subject: 'for the broken mailbox' }), { user: wrong });
    const broken = await register(wrong, { password: 'definitely-wrong' });
    const fine = await register(healthy);

    await eventually(async () => expect(await mailbox(broken.id)).toMatchObject({ state: 'error', lastError: expect.stringMatching(/^authentication failed/) }), 15_000);
    const errored = await mailbox(broken.id);
    expect(errored['lastErrorAt']).toEqual(expect.any(String));
    expect(JSON.stringify(errored)).not.toContain('definitely-wrong');

    // the healthy mailbox on the same worker is not held up
    const raw = testMessage({ subject: 'for the healthy mailbox' });
    await imap.append(raw, { user: healthy });
    await eventually(async () => expect((await stored(fine.id)).map((r) => r.raw.toString('utf8'))).toEqual([raw]), 10_000);

    // 300 ms doubling to 2 s: a few attempts in 3 s, not hundreds
    const before = Number((await mailbox(broken.id))['consecutiveFailures']);
    await new Promise((r) => setTimeout(r, 3_000));
    const after = Number((await mailbox(broken.id))['consecutiveFailures']);
    expect(after - before).toBeGreaterThanOrEqual(1);
    expect(after - before).toBeLessThanOrEqual(6);
    expect(await stored(broken.id)).toEqual([]);
    await system.api.get('/v1/inbound/mailboxes').set(system.admin()).expect(200);

    // fixing the password takes effect without a restart
    await system.api.patch(`/v1/inbound/mailboxes/${broken.id}`).set(system.admin()).send({ password: wrong.password }).expect(200);
    await eventually(async () => expect(await stored(broken.id)).toHaveLength(1), 10_000);
    await eventually(async () => expect(await mailbox(broken.id)).toMatchObject({ state: 'idle', consecutiveFailures: 0, fetchedCount: 1 }));
  });

  it('stores a message again when the step after storing failed, and finishes it once that step works', async () => {
    const user = account('crash');
    const raw = testMessage({ subject: 'stored before the move failed' });
    await imap.append(raw, { user });
    // the target folder is missing: the raw bytes are stored, then the move fails, as if the
    // worker had died between the two
    const { id } = await register(user, { afterFetch: 'move', moveTo: 'Archive' });
    await eventually(async () => expect(await mailbox(id)).toMatchObject({ state: 'error', lastError: expect.stringMatching(/moving it to "Archive" failed/) }), 15_000);
    expect((await stored(id)).length).toBeGreaterThanOrEqual(1);
    expect((await imap.messages('INBOX', user)).map((m) => m.subject)).toEqual(['stored before the move failed']);

    await imap.createFolder('Archive', user);
    await eventually(async () => {
      expect(await imap.messages('INBOX', user)).toEqual([]);
      expect((await imap.messages('Archive', user)).map((m) => m.subject)).toEqual(['stored before the move failed']);
    }, 15_000);
    // fetched again after the failure: the same bytes more than once (processing marks the copies duplicates)
    const copies = await stored(id);
    expect(copies.length).toBeGreaterThanOrEqual(2);
    expect(new Set(copies.map((c) => c.raw.toString('utf8')))).toEqual(new Set([raw]));
    await eventually(async () => expect(await mailbox(id)).toMatchObject({ state: 'idle', consecutiveFailures: 0 }));
  });

  it('survives a killed worker: what was handled is not fetched again, what arrived meanwhile is', async () => {
    const user = account('restart');
    const { id } = await register(user);
    const before = testMessage({ subject: 'before the crash' });
    await imap.append(before, { user });
    await eventually(async () => expect(await stored(id)).toHaveLength(1), 10_000);
    await eventually(async () => expect(await mailbox(id)).toMatchObject({ fetchedCount: 1 }));

    await system.stack.kill('email-ingest');
    const during = testMessage({ subject: 'while it was down' });
    await imap.append(during, { user });
    // someone marks the handled message unread again: it is not fetched a second time
    const client = await imap.client(user);
    try {
      await client.mailboxOpen('INBOX');
      await client.messageFlagsRemove('1:*', ['\\Seen']);
    } finally {
      await client.logout();
    }
    await system.stack.startService('email-ingest');
    // the dead replica's lease runs out (5 s), then the new process takes the mailbox
    await eventually(async () => expect((await stored(id)).map((r) => r.raw.toString('utf8'))).toEqual([before, during]), 20_000);
    await eventually(async () => expect(await mailbox(id)).toMatchObject({ fetchedCount: 2, state: 'idle' }));
  });

  it('stops fetching when disabled, and forgets the mailbox when deleted', async () => {
    const user = account('disable');
    const { id } = await register(user);
    await eventually(async () => expect(await mailbox(id)).toMatchObject({ state: 'idle' }), 10_000);
    const off = await system.api.patch(`/v1/inbound/mailboxes/${id}`).set(system.admin()).send({ enabled: false }).expect(200);
    expect(off.body).toMatchObject({ enabled: false, state: 'disabled' });
    await new Promise((r) => setTimeout(r, 1_000));
    await imap.append(testMessage({ subject: 'nobody fetches me' }), { user });
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await stored(id)).toEqual([]);
    expect((await imap.messages('INBOX', user)).map((m) => m.flags)).toEqual([[]]);

    await system.api.delete(`/v1/inbound/mailboxes/${id}`).set(system.admin()).expect(204);
    await system.api.get(`/v1/inbound/mailboxes/${id}`).set(system.admin()).expect(404);
    await system.api.delete(`/v1/inbound/mailboxes/${id}`).set(system.admin()).expect(404);
  });

  describe('bad input: 400 naming the field, nothing stored', () => {
    const valid = () => ({ name: 'Support', host: 'imap.shop.test', port: 993, tls: 'implicit', username: 'support@shop.test', password: 'secret' });
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['no credential', { password: undefined }, 'password'],
      ['both credentials', { accessToken: 'ya29.token' }, 'accessToken'],
      ['move without moveTo', { afterFetch: 'move' }, 'moveTo'],
      ['moveTo without move', { moveTo: 'Done' }, 'moveTo'],
      ['an unknown tls', { tls: 'ssl' }, 'tls'],
      ['port 0', { port: 0 }, 'port'],
      ['port as text', { port: '993' }, 'port'],
      ['a host with a space', { host: 'imap shop' }, 'host'],
      ['NUL in the name', { name: 'Sup\u0000port' }, 'name'],
      ['a lone surrogate in the username', { username: 'sup\ud800port' }, 'username'],
      ['a huge name', { name: 'x'.repeat(100_000) }, 'name'],
      ['a huge password', { password: 'p'.repeat(50_000) }, 'password'],
      ['a control character in the folder', { folder: 'IN\nBOX' }, 'folder'],
      ['pollSeconds too small', { pollSeconds: 1 }, 'pollSeconds'],
      ['a null folder', { folder: null }, 'folder'],
      ['an unknown field', { secure: true }, 'secure'],
    ];
    for (const [what, change, field] of cases) {
      it(`refuses ${what}`, async () => {
        const res = await system.api.post('/v1/inbound/mailboxes').set(system.admin()).send({ ...valid(), ...change });
        expect(res.status, JSON.stringify(res.body)).toBe(400);
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      });
    }

    it('refuses a bad PATCH and a bad id, and keeps mailboxes to admin keys', async () => {
      const { id } = await register(account('check'), { folder: 'Other', enabled: false });
      const patch = await system.api.patch(`/v1/inbound/mailboxes/${id}`).set(system.admin()).send({ password: 'a', accessToken: 'b' });
      expect(patch.status).toBe(400);
      const moveTo = await system.api.patch(`/v1/inbound/mailboxes/${id}`).set(system.admin()).send({ afterFetch: 'move' });
      expect(moveTo.body.errors).toEqual([{ field: 'moveTo', message: 'moveTo is required when afterFetch is move' }]);
      await system.api.get('/v1/inbound/mailboxes/not-a-uuid').set(system.admin()).expect(400);
      await system.api.get('/v1/inbound/mailboxes?cursor=garbage').set(system.admin()).expect(400);
      const duplicate = await system.api
        .post('/v1/inbound/mailboxes')
        .set(system.admin())
        .send({ name: 'again', host: imap.host, port: imap.port, tls: 'none', username: 'check', password: 'x', folder: 'Other' });
      expect(duplicate.status).toBe(409);
      expect(duplicate.body.code).toBe('mailbox-exists');

      const key = await system.api.post('/v1/api-keys').set(system.admin()).send({ name: 'inbound only', scopes: ['inbound:write', 'tickets:read'] }).expect(201);
      const forbidden = await system.api.get('/v1/inbound/mailboxes').set({ authorization: `Bearer ${key.body.key}` });
      expect(forbidden.status).toBe(403);
    });
  });
});
