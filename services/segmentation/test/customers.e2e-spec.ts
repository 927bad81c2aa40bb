import { eventually, rawHttp, useStack } from '@careflow/testing';
import request from 'supertest';
import { describe, expect, it } from 'vitest';

describe('customers through the gateway', () => {
  const system = useStack({ services: ['segmentation', 'tickets'] });

  async function projected(externalId: string) {
    const { rows } = await system.stack.db.pool.query(`SELECT * FROM tickets.customers WHERE external_id = $1`, [externalId]);
    return rows[0];
  }

  it('upserts a customer, reads it back, and the tickets service receives it', async () => {
    const client = system.client();
    const put = await client.PUT('/v1/customers/{externalId}', {
      params: { path: { externalId: 'cus_1001' } },
      body: { email: 'lan.nguyen@example.com', name: 'Nguyễn Thị Lan', locale: 'vi', tags: ['hanoi'], vip: true },
    });
    expect(put.response.status).toBe(200);
    expect(put.data).toMatchObject({ externalId: 'cus_1001', email: 'lan.nguyen@example.com', vip: true, tags: ['hanoi'] });

    const get = await client.GET('/v1/customers/{externalId}', { params: { path: { externalId: 'cus_1001' } } });
    expect(get.response.status).toBe(200);
    expect(get.data).toEqual(put.data);

    const row = await eventually(async () => {
      const r = await projected('cus_1001');
      expect(r).toBeDefined();
      return r;
    });
    expect(row).toMatchObject({ email: 'lan.nguyen@example.com', name: 'Nguyễn Thị Lan', locale: 'vi', vip: true, version: 1 });
  });

  it('replaces the record on PUT, announces the change, and ignores a PUT that changes nothing', async () => {
    await system.api.put('/v1/customers/cus_2').set(system.admin()).send({ email: 'a@example.com', name: 'A', tags: ['x'] }).expect(200);
    const second = await system.api.put('/v1/customers/cus_2').set(system.admin()).send({ email: 'b@example.com' }).expect(200);
    // Fields left out are cleared: PUT carries the whole record.
    expect(second.body).toMatchObject({ email: 'b@example.com', name: null, tags: [] });
    await eventually(async () => expect(await projected('cus_2')).toMatchObject({ email: 'b@example.com', name: null, version: 2 }));

    // The outbox sequence only moves when an event is written (rows are deleted once delivered).
    const lastEvent = async () =>
      (await system.stack.db.pool.query(`SELECT last_value::int AS n FROM segmentation.outbox_seq_seq`)).rows[0].n;
    const before = await lastEvent();
    await system.api.put('/v1/customers/cus_2').set(system.admin()).send({ email: 'b@example.com' }).expect(200);
    expect(await lastEvent()).toBe(before);
    const { rows } = await system.stack.db.pool.query(`SELECT version FROM segmentation.customers WHERE external_id = 'cus_2'`);
    expect(rows[0].version).toBe(2);
  });

  it('answers 404 problem+json for an unknown customer', async () => {
    const res = await system.api.get('/v1/customers/nobody').set(system.admin());
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 404, code: 'not-found', title: 'Not found' });
  });

  describe('bad input: a 4xx naming the field, nothing written, never a 500', () => {
    async function countCustomers(): Promise<number> {
      const { rows } = await system.stack.db.pool.query(`SELECT count(*)::int AS n FROM segmentation.customers`);
      return rows[0].n;
    }

    it('rejects malformed JSON with 400', async () => {
      const res = await system.api.put('/v1/customers/cus_bad').set(system.admin()).set('content-type', 'application/json').send('{"email": ');
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.code).toBe('malformed-json');
    });

    it('names every field of the wrong type, with nested paths', async () => {
      const before = await countCustomers();
      const res = await system.api
        .put('/v1/customers/cus_bad')
        .set(system.admin())
        .send({ email: 'not-an-email', name: 42, phone: 'call me', locale: 'english!', tags: ['ok', 7], vip: 'yes' });
      expect(res.status).toBe(400);
      const fields = (res.body.errors as Array<{ field: string }>).map((e) => e.field).sort();
      expect(fields).toEqual(['email', 'locale', 'name', 'phone', 'tags', 'vip']);
      expect(await countCustomers()).toBe(before);
    });

    it('rejects unknown fields with 400 naming them', async () => {
      const res = await system.api.put('/v1/customers/cus_bad').set(system.admin()).send({ email: 'a@example.com', segment: 'vip' });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'segment', message: 'property segment should not exist' }]);
    });

    it('rejects a body that is not an object', async () => {
      for (const body of ['[1,2]', '"text"', 'null', '42']) {
        const res = await system.api.put('/v1/customers/cus_bad').set(system.admin()).set('content-type', 'application/json').send(body);
        expect(res.status, body).toBe(400);
        expect(res.headers['content-type']).toContain('application/problem+json');
      }
    });

    it('rejects a 6 MB body with 413 before it reaches the service', async () => {
      // The gateway answers and closes as soon as the declared length is too much, so a client
      // library still writing the 6 MB may see a reset first: send the head and the start only.
      const url = new URL(system.stack.gatewayUrl);
      const head = [
        `PUT /v1/customers/cus_big HTTP/1.1`,
        `host: ${url.host}`,
        `authorization: ${system.admin().authorization}`,
        'content-type: application/json',
        `content-length: ${6 * 1024 * 1024}`,
        '',
        '',
      ].join('\r\n');
      const answer = await rawHttp(system.stack.gatewayUrl, `${head}{"name":"xxxxxxxx`);
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body).code).toBe('payload-too-large');
    });

    it('rejects a body it cannot read with 415', async () => {
      const res = await system.api.put('/v1/customers/cus_bad').set(system.admin()).set('content-type', 'text/plain').send('email=a@example.com');
      expect(res.status).toBe(415);
      expect(res.body.code).toBe('unsupported-media-type');
    });

    it('rejects an externalId that is not one', async () => {
      const res = await system.api.put(`/v1/customers/${encodeURIComponent('bad id with spaces')}`).set(system.admin()).send({});
      expect(res.status).toBe(400);
      expect(res.body.errors[0].field).toBe('externalId');
    });
  });

  it('requires a key (401) with the right scope (403)', async () => {
    expect((await system.api.get('/v1/customers/cus_1001')).status).toBe(401);
    expect((await system.api.get('/v1/customers/cus_1001').set('authorization', 'Bearer cf_nope_nope')).status).toBe(401);
    const key = await system.api.post('/v1/api-keys').set(system.admin()).send({ name: 'reader', scopes: ['customers:read'] }).expect(201);
    const reader = { authorization: `Bearer ${key.body.key}` };
    expect((await system.api.get('/v1/customers/cus_1001').set(reader)).status).toBe(200);
    const denied = await system.api.put('/v1/customers/cus_1001').set(reader).send({ email: 'x@example.com' });
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ code: 'forbidden', requiredScopes: ['customers:write'] });
  });

  it('is reachable only through the gateway', async () => {
    const direct = await request(system.stack.serviceUrl('segmentation')).get('/v1/customers/cus_1001')
      .set('x-careflow-key-id', 'forged').set('x-careflow-scopes', 'admin');
    expect(direct.status).toBe(401);
    expect(direct.body.code).toBe('internal-token-required');
  });
});
