import { useStack } from '@careflow/testing';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';

interface FieldError {
  field: string;
  message: string;
}

const SECRET_FORMAT = /^whsec_[A-Za-z0-9+/]{32}$/;

/** What the API answers to a refused body: 400 problem+json naming `field`. */
function expectRefused(res: { status: number; headers: Record<string, string>; body: { errors?: FieldError[]; code?: string } }, field: string, code = 'validation-error'): void {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.headers['content-type']).toContain('application/problem+json');
  expect(res.body.code).toBe(code);
  expect(res.body.errors?.map((e) => e.field)).toContain(field);
}

describe('webhook endpoints (private URLs allowed, as in every other test)', () => {
  const system = useStack({ services: ['notifications'] });
  const create = (body: object) => system.api.post('/v1/webhooks').set(system.admin()).send(body);

  it('creates an endpoint and shows its Standard Webhooks secret once', async () => {
    const res = await create({ url: 'http://127.0.0.1:9/hooks', events: ['ticket.created', 'shipment.status_changed'], description: 'Order system', rateLimit: 20 }).expect(201);
    expect(res.body).toMatchObject({
      url: 'http://127.0.0.1:9/hooks',
      events: ['ticket.created', 'shipment.status_changed'],
      description: 'Order system',
      rateLimit: 20,
      enabled: true,
      disabledAt: null,
      disabledReason: null,
      version: 1,
    });
    expect(res.body.secret).toMatch(SECRET_FORMAT);
    expect(Buffer.from(res.body.secret.slice('whsec_'.length), 'base64')).toHaveLength(24);

    // The official library takes the secret as it is.
    const wh = new Webhook(res.body.secret);
    const at = new Date();
    const signature = wh.sign('msg_1', at, '{"type":"webhook.test"}');
    expect(wh.verify('{"type":"webhook.test"}', { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature })).toEqual({ type: 'webhook.test' });

    const got = await system.api.get(`/v1/webhooks/${res.body.id}`).set(system.admin()).expect(200);
    expect(got.body).not.toHaveProperty('secret');
    expect(got.body).toEqual(Object.fromEntries(Object.entries(res.body).filter(([k]) => k !== 'secret')));
    const list = await system.api.get('/v1/webhooks').set(system.admin()).expect(200);
    expect(JSON.stringify(list.body)).not.toContain(res.body.secret);
  });

  it('accepts "*" for every event, and leaves description and rateLimit null when not given', async () => {
    const res = await create({ url: 'https://receiver.example/hook?token=abc', events: ['*'] }).expect(201);
    expect(res.body).toMatchObject({ events: ['*'], description: null, rateLimit: null });
  });

  it.each([
    ['not http(s)', 'ftp://example.com/x'],
    ['relative', '/hooks'],
    ['no host', 'http://'],
    ['credentials', 'https://user:pass@example.com/hook'],
    ['a user name', 'https://user@example.com/hook'],
    ['a fragment', 'https://example.com/hook#part'],
    ['too long', `https://example.com/${'a'.repeat(2048)}`],
    ['a space', 'https://example.com/a b'],
    ['a number', 42],
    ['null', null],
    ['NUL', 'https://example.com/\u0000'],
  ])('refuses a URL with %s, naming url', async (_label, url) => {
    expectRefused(await create({ url, events: ['*'] }), 'url');
  });

  it('refuses a missing url', async () => {
    expectRefused(await create({ events: ['*'] }), 'url');
  });

  it.each([
    ['an unknown event name', ['ticket.created', 'ticket.exploded']],
    ['webhook.test, which is sent on request only', ['webhook.test']],
    ['an empty list', []],
    ['a repeated name', ['ticket.created', 'ticket.created']],
    ['"*" beside names', ['*', 'ticket.created']],
    ['a non-string', [1]],
    ['not a list', 'ticket.created'],
    ['null', null],
  ])('refuses events with %s, naming events', async (_label, events) => {
    expectRefused(await create({ url: 'https://example.com/hook', events }), 'events');
  });

  it('says which event names it does not know', async () => {
    const res = await create({ url: 'https://example.com/hook', events: ['ticket.exploded'] });
    expect(res.body.errors[0].message).toContain('"ticket.exploded"');
  });

  it.each([0, 10_001, 1.5, '5', -1, 1e300])('refuses rateLimit %j, naming rateLimit', async (rateLimit) => {
    expectRefused(await create({ url: 'https://example.com/hook', events: ['*'], rateLimit }), 'rateLimit');
  });

  it('refuses hostile text (NUL, lone surrogates, blank) in description and unknown fields, naming them', async () => {
    expectRefused(await create({ url: 'https://example.com/hook', events: ['*'], description: 'a\u0000b' }), 'description');
    const surrogate = await system.api
      .post('/v1/webhooks')
      .set(system.admin())
      .set('content-type', 'application/json')
      .send('{"url":"https://example.com/hook","events":["*"],"description":"\\ud800"}');
    expectRefused(surrogate, 'description');
    expectRefused(await create({ url: 'https://example.com/hook', events: ['*'], description: ' \u200b ' }), 'description');
    expectRefused(await create({ url: 'https://example.com/hook', events: ['*'], secret: 'whsec_mine' }), 'secret');
    let deep: unknown = 'x';
    for (let i = 0; i < 200; i++) deep = [deep];
    const nested = await create({ url: 'https://example.com/hook', events: deep });
    expect(nested.status).toBe(400);
  });

  it('lists endpoints newest first in cursor pages', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await create({ url: `https://example.com/page/${i}`, events: ['*'] }).expect(201)).body.id);
    const pages = [];
    for await (const page of system.client().webhooks.list({ limit: 2 }).pages()) {
      pages.push(page);
      if (pages.length === 2) break;
    }
    const [first, second] = pages;
    expect(first?.data.map((e) => e.id)).toEqual([ids[2], ids[1]]);
    expect(first?.nextCursor).toEqual(expect.any(String));
    expect(second?.data[0]?.id).toBe(ids[0]);
    expectRefused(await system.api.get('/v1/webhooks').query({ cursor: 'bm90LWEtY3Vyc29y' }).set(system.admin()), 'cursor');
    expectRefused(await system.api.get('/v1/webhooks').query({ limit: 201 }).set(system.admin()), 'limit');
  });

  it('changes an endpoint field by field, with a new version each time', async () => {
    const { body: created } = await create({ url: 'https://example.com/a', events: ['ticket.created'], description: 'first', rateLimit: 5 }).expect(201);
    const patched = await system.api
      .patch(`/v1/webhooks/${created.id}`)
      .set(system.admin())
      .send({ url: 'https://example.com/b', events: ['ticket.solved', 'notification.failed'], description: null })
      .expect(200);
    expect(patched.body).toMatchObject({ url: 'https://example.com/b', events: ['ticket.solved', 'notification.failed'], description: null, rateLimit: 5, version: 2 });
    expect(patched.body).not.toHaveProperty('secret');
    expect(Date.parse(patched.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt));

    const cleared = await system.api.patch(`/v1/webhooks/${created.id}`).set(system.admin()).send({ rateLimit: null }).expect(200);
    expect(cleared.body).toMatchObject({ rateLimit: null, version: 3 });
    const unchanged = await system.api.patch(`/v1/webhooks/${created.id}`).set(system.admin()).send({}).expect(200);
    expect(unchanged.body.version).toBe(3);

    expectRefused(await system.api.patch(`/v1/webhooks/${created.id}`).set(system.admin()).send({ events: ['nope'] }), 'events');
    expectRefused(await system.api.patch(`/v1/webhooks/${created.id}`).set(system.admin()).send({ url: null }), 'url');
    expectRefused(await system.api.patch(`/v1/webhooks/${created.id}`).set(system.admin()).send({ enabled: 'yes' }), 'enabled');
    expectRefused(await system.api.patch(`/v1/webhooks/${created.id}`).set(system.admin()).send({ version: 9 }), 'version');
  });

  it('pauses an endpoint, and re-enables a disabled one clearing its failure history', async () => {
    const { body: created } = await create({ url: 'https://example.com/flaky', events: ['*'] }).expect(201);
    const paused = await system.api.patch(`/v1/webhooks/${created.id}`).set(system.admin()).send({ enabled: false }).expect(200);
    expect(paused.body).toMatchObject({ enabled: false, disabledReason: 'manual', disabledAt: expect.any(String) });

    // As the delivery engine leaves an endpoint that failed for too long.
    await system.stack.db.pool.query(
      `UPDATE notifications.webhook_endpoints SET enabled = false, disabled_at = now(), disabled_reason = 'failing', failing_since = now() - interval '5 days' WHERE id = $1`,
      [created.id],
    );
    const disabled = await system.api.get(`/v1/webhooks/${created.id}`).set(system.admin()).expect(200);
    expect(disabled.body).toMatchObject({ enabled: false, disabledReason: 'failing', failingSince: expect.any(String) });

    const enabled = await system.api.patch(`/v1/webhooks/${created.id}`).set(system.admin()).send({ enabled: true }).expect(200);
    expect(enabled.body).toMatchObject({ enabled: true, disabledAt: null, disabledReason: null, failingSince: null });
    expect(enabled.body.version).toBeGreaterThan(paused.body.version);
  });

  it('rotates the secret: a new one, the old one kept signing for 24 hours', async () => {
    const { body: created } = await create({ url: 'https://example.com/rotate', events: ['*'] }).expect(201);
    const before = Date.now();
    const rotated = await system.api.post(`/v1/webhooks/${created.id}/rotate-secret`).set(system.admin()).expect(200);
    expect(rotated.body.secret).toMatch(SECRET_FORMAT);
    expect(rotated.body.secret).not.toBe(created.secret);
    const expires = Date.parse(rotated.body.previousSecretExpiresAt);
    expect(expires - before).toBeGreaterThan(24 * 3600_000 - 60_000);
    expect(expires - before).toBeLessThan(24 * 3600_000 + 60_000);

    const { rows } = await system.stack.db.pool.query(`SELECT secret, previous_secret, version FROM notifications.webhook_endpoints WHERE id = $1`, [created.id]);
    expect(rows[0]).toEqual({ secret: rotated.body.secret, previous_secret: created.secret, version: 2 });
    const got = await system.api.get(`/v1/webhooks/${created.id}`).set(system.admin()).expect(200);
    expect(JSON.stringify(got.body)).not.toContain('whsec_');
  });

  it('deletes an endpoint (204), then knows it no more (404)', async () => {
    const { body: created } = await create({ url: 'https://example.com/gone', events: ['*'] }).expect(201);
    await system.api.delete(`/v1/webhooks/${created.id}`).set(system.admin()).expect(204);
    await system.api.get(`/v1/webhooks/${created.id}`).set(system.admin()).expect(404);
    await system.api.delete(`/v1/webhooks/${created.id}`).set(system.admin()).expect(404);
    await system.api.patch(`/v1/webhooks/${created.id}`).set(system.admin()).send({ enabled: true }).expect(404);
    await system.api.post(`/v1/webhooks/${created.id}/rotate-secret`).set(system.admin()).expect(404);
  });

  it('answers an id that is not a UUID with 400 naming id', async () => {
    expectRefused(await system.api.get('/v1/webhooks/not-a-uuid').set(system.admin()), 'id');
    expectRefused(await system.api.delete('/v1/webhooks/%00').set(system.admin()), 'id');
  });

  it('needs the webhooks:manage scope', async () => {
    const key = await system.api.post('/v1/api-keys').set(system.admin()).send({ name: 'reader', scopes: ['tickets:read'] }).expect(201);
    const reader = { authorization: `Bearer ${key.body.key}` };
    await system.api.get('/v1/webhooks').set(reader).expect(403);
    await system.api.post('/v1/webhooks').set(reader).send({ url: 'https://example.com/x', events: ['*'] }).expect(403);
    const manager = await system.api.post('/v1/api-keys').set(system.admin()).send({ name: 'hooks', scopes: ['webhooks:manage'] }).expect(201);
    await system.api.get('/v1/webhooks').set({ authorization: `Bearer ${manager.body.key}` }).expect(200);
  });
});

describe('webhook endpoints: the SSRF guard (private URLs not allowed)', () => {
  const system = useStack({ services: ['notifications'], env: { WEBHOOK_ALLOW_PRIVATE_URLS: 'false' } });
  const create = (url: string) => system.api.post('/v1/webhooks').set(system.admin()).send({ url, events: ['*'] });

  it.each([
    ['http://localhost:9/x', /localhost resolves to/],
    ['http://127.0.0.1/', /loopback/],
    ['http://[::1]:8080/', /loopback/],
    ['http://[::ffff:127.0.0.1]/', /loopback/],
    ['http://2130706433/', /loopback/],
    ['http://169.254.169.254/latest/meta-data/', /cloud metadata/],
    ['http://10.0.0.5/hook', /private/],
    ['http://[fd00:ec2::254]/', /cloud metadata/],
    ['http://0.0.0.0:3000/', /unspecified/],
  ])('refuses %s, naming url', async (url, why) => {
    const res = await create(url);
    expectRefused(res, 'url', 'webhook-url-not-allowed');
    expect(res.body.errors[0].message).toMatch(why);
  });

  it('accepts a public address, and refuses a change to a private one', async () => {
    const { body: created } = await create('http://93.184.216.34/hook').expect(201);
    const res = await system.api.patch(`/v1/webhooks/${created.id}`).set(system.admin()).send({ url: 'http://192.168.1.10/hook' });
    expectRefused(res, 'url', 'webhook-url-not-allowed');
    const got = await system.api.get(`/v1/webhooks/${created.id}`).set(system.admin()).expect(200);
    expect(got.body).toMatchObject({ url: 'http://93.184.216.34/hook', version: 1 });
  });
});
