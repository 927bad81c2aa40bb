import { eventually, Stack } from '@careflow/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe('customers through the gateway', () => {
  let stack: Stack;
  let api: ReturnType<typeof request>;
  const auth = () => ({ authorization: `Bearer ${stack.adminKey}` });

  beforeAll(async () => {
    stack = await Stack.start({ services: ['segmentation', 'tickets'] });
    api = request(stack.gatewayUrl);
  });
  afterAll(async () => stack?.stop());

  it('upserts a customer, reads it back, and the tickets service receives it', async () => {
    const put = await api
      .put('/v1/customers/cus_1001')
      .set(auth())
      .send({ email: 'lan.nguyen@example.com', name: 'Nguyễn Thị Lan', locale: 'vi', tags: ['hanoi'], vip: true });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ externalId: 'cus_1001', email: 'lan.nguyen@example.com', vip: true, tags: ['hanoi'] });

    const get = await api.get('/v1/customers/cus_1001').set(auth());
    expect(get.status).toBe(200);
    expect(get.body.name).toBe('Nguyễn Thị Lan');

    const projected = await eventually(async () => {
      const { rows } = await stack.db.pool.query(`SELECT * FROM tickets.customers WHERE external_id = 'cus_1001'`);
      expect(rows).toHaveLength(1);
      return rows[0];
    });
    expect(projected).toMatchObject({ email: 'lan.nguyen@example.com', name: 'Nguyễn Thị Lan', locale: 'vi', vip: true, version: 1 });
  });
});
