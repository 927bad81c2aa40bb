import { WriteWatch, useStack } from '@careflow/testing';
import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { HostileRequests, INVALID_UTF8, LONE_SURROGATES, NOT_RFC3339, RFC3339, SURROGATE, cursorOf, cursorValues, forgedCursors, jsonWith, rawJson } from './hostile-input.support.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Issue "Hostile input never reaches Postgres", tickets, customers and the gateway's own
 * routes: each hostile value is refused with a 400 naming the field (never a 500, never stored
 * mangled), and a refused request writes no row in any service's schema.
 */
describe('hostile input: tickets, customers, groups, agents, API keys', () => {
  const system = useStack({ services: ['tickets', 'segmentation'], env: { RATE_LIMIT_PER_MINUTE: '0' } });
  let hostile: HostileRequests;
  let seq = 0;
  const unique = (prefix: string) => `${prefix}_${Date.now().toString(36)}_${++seq}`;

  beforeAll(async () => {
    hostile = new HostileRequests(new WriteWatch(system.stack.db.pool));
  });

  /** A request that sets up the story: it must succeed, and its jobs finish before the next check. */
  async function fixture(send: request.Test, status = [200, 201]): Promise<Json> {
    const res = await send;
    hostile.watch.touched();
    expect(status, `fixture → ${res.status} ${res.text}`).toContain(res.status);
    return res.body;
  }

  function ticketBody(overrides: Json = {}): Json {
    const id = unique('cus');
    return {
      subject: 'Where is my order?',
      description: 'The tracking page has not moved since Monday.',
      customer: { externalId: id, email: `${id}@example.com`, name: 'Lan Nguyen' },
      channel: 'web',
      ...overrides,
    };
  }
  const newTicket = (overrides: Json = {}) => fixture(system.api.post('/v1/tickets').set(system.admin()).send(ticketBody(overrides)));
  const newAgent = (id = unique('agent')) => fixture(system.api.put(`/v1/agents/${id}`).set(system.admin()).send({ email: `${id}@shop.test`, name: 'Minh' }));
  const newGroup = (key = unique('grp').toLowerCase(), inboundAddresses: string[] = []) =>
    fixture(system.api.post('/v1/groups').set(system.admin()).send({ key, name: `Group ${key}`, inboundAddresses }), [201]);
  const postTicket = () => system.api.post('/v1/tickets').set(system.admin());
  const putCustomer = (id: string) => system.api.put(`/v1/customers/${id}`).set(system.admin());

  /** `nextCursor` of the first page of `path` with limit=1 (the list must have two rows). */
  async function realCursor(path: string, query: Json = {}): Promise<string> {
    const res = await system.api.get(path).query({ ...query, limit: 1 }).set(system.admin());
    expect(res.status, res.text).toBe(200);
    expect(res.body.nextCursor, `${path} has a second page`).toEqual(expect.any(String));
    return res.body.nextCursor;
  }

  describe('NUL characters (#1)', () => {
    it('rejects NUL in every string field of a customer, new or existing (#1)', async () => {
      for (const existing of [false, true]) {
        const id = unique('cus');
        const valid = { email: `${id}@example.com`, name: 'Lan Nguyen', tags: ['hanoi'] };
        if (existing) await fixture(putCustomer(id).send(valid));
        const cases: Array<[string | string[], Json]> = [
          ['name', { name: 'Lan\u0000Nguyen' }],
          ['email', { email: `lan\u0000${id}@example.com` }],
          [['tags.1', 'tags'], { tags: ['hanoi', 'vi\u0000p'] }],
        ];
        for (const [field, change] of cases) {
          await hostile.rejects(`PUT customer (${existing ? 'existing' : 'new'}) ${String(field)} with NUL`, putCustomer(id).send({ ...valid, ...change }), { field, message: /NUL/ });
        }
      }
    });

    it('rejects NUL in a new ticket\'s subject, description, customer name, assignee and group (#1)', async () => {
      const cases: Array<[string, Json]> = [
        ['subject', { subject: 'Where is\u0000 my order?' }],
        ['description', { description: 'Still waiting\u0000' }],
        ['customer.name', { customer: { email: 'lan@example.com', name: 'Lan\u0000' } }],
        ['assignee', { assignee: 'agent\u00007' }],
        ['group', { group: 'support\u0000' }],
      ];
      for (const [field, change] of cases) {
        await hostile.rejects(`POST /v1/tickets ${field} with NUL`, postTicket().send(ticketBody(change)), { field, message: /NUL/ });
      }
    });

    it('rejects NUL in a ticket change\'s assignee and group (#1)', async () => {
      const ticket = await newTicket();
      for (const field of ['assignee', 'group']) {
        await hostile.rejects(`PATCH ticket ${field} with NUL`, system.api.patch(`/v1/tickets/${ticket.id}`).set(system.admin()).send({ [field]: 'a\u0000b' }), { field, message: /NUL/ });
      }
    });

    it('rejects NUL in a comment\'s body, author name and attachment name (#1)', async () => {
      const ticket = await newTicket();
      const comment = {
        body: 'We asked the carrier.',
        public: false,
        author: { type: 'agent', name: 'Minh' },
        attachments: [{ name: 'photo.jpg', contentType: 'image/jpeg', size: 10, contentRef: 'https://files.shop.test/a/1.jpg' }],
      };
      const cases: Array<[string, Json]> = [
        ['body', { body: 'We asked\u0000 the carrier.' }],
        ['author.name', { author: { type: 'agent', name: 'Mi\u0000nh' } }],
        ['attachments.0.name', { attachments: [{ ...comment.attachments[0], name: 'photo\u0000.jpg' }] }],
      ];
      for (const [field, change] of cases) {
        await hostile.rejects(`POST comment ${field} with NUL`, system.api.post(`/v1/tickets/${ticket.id}/comments`).set(system.admin()).send({ ...comment, ...change }), { field, message: /NUL/ });
      }
    });

    it('rejects NUL in the names of an agent, a group and an API key (#1)', async () => {
      const agentId = unique('agent');
      await hostile.rejects('PUT agent name with NUL', system.api.put(`/v1/agents/${agentId}`).set(system.admin()).send({ email: `${agentId}@shop.test`, name: 'Mi\u0000nh' }), { field: 'name', message: /NUL/ });
      const key = unique('grp').toLowerCase();
      await hostile.rejects('POST group name with NUL', system.api.post('/v1/groups').set(system.admin()).send({ key, name: 'Returns\u0000' }), { field: 'name', message: /NUL/ });
      const group = await newGroup();
      await hostile.rejects('PATCH group name with NUL', system.api.patch(`/v1/groups/${group.key}`).set(system.admin()).send({ name: 'Returns\u0000' }), { field: 'name', message: /NUL/ });
      await hostile.rejects('POST api key name with NUL', system.api.post('/v1/api-keys').set(system.admin()).send({ name: 'shop\u0000backend', scopes: ['tickets:read'] }), { field: 'name', message: /NUL/ });
    });

    it('rejects an object key containing NUL, naming the key by its path (#1)', async () => {
      await hostile.rejects('POST /v1/tickets with a top-level key with NUL', postTicket().send({ ...ticketBody(), 'sub\u0000ject': 'x' }), { field: 'sub\u0000ject', message: /NUL/ });
      const body = ticketBody();
      await hostile.rejects('POST /v1/tickets with a customer key with NUL', postTicket().send({ ...body, customer: { ...body['customer'], 'na\u0000me': 'x' } }), { field: 'customer.na\u0000me', message: /NUL/ });
      const id = unique('cus');
      await hostile.rejects('PUT customer with a key with NUL', putCustomer(id).send({ email: `${id}@example.com`, 'na\u0000me': 'x' }), { field: 'na\u0000me', message: /NUL/ });
    });

    it('rejects NUL in the ticket search parameters q, segment, group, tag and assignee, naming the parameter (#1)', async () => {
      for (const param of ['q', 'segment', 'group', 'tag', 'assignee']) {
        await hostile.rejects(`GET /v1/tickets?${param}= with NUL`, system.api.get('/v1/tickets').query({ [param]: 'a\u0000b' }).set(system.admin()), { field: param, message: /NUL/ });
      }
    });

    it('rejects a cursor whose text decodes to a string with NUL (#1)', async () => {
      await newAgent();
      await newAgent();
      const [at] = cursorValues(await realCursor('/v1/agents'));
      const cursor = cursorOf([at, 'agent\u0000x']);
      await hostile.rejects('GET /v1/agents with a cursor holding NUL', system.api.get('/v1/agents').query({ cursor }).set(system.admin()), { field: 'cursor' });
    });

    it('answers NUL in a path id with 400 or 404, never 500 (#1)', async () => {
      const paths: Array<[string, () => request.Test]> = [
        ['GET /v1/groups/a%00b', () => system.api.get('/v1/groups/a%00b')],
        ['PATCH /v1/groups/a%00b', () => system.api.patch('/v1/groups/a%00b').send({ name: 'x' })],
        ['GET /v1/agents/a%00b', () => system.api.get('/v1/agents/a%00b')],
        ['PUT /v1/agents/a%00b', () => system.api.put('/v1/agents/a%00b').send({ email: 'a@shop.test' })],
        ['GET /v1/tickets/1000%00', () => system.api.get('/v1/tickets/1000%00')],
        ['PATCH /v1/tickets/a%00b', () => system.api.patch('/v1/tickets/a%00b').send({ status: 'open' })],
        ['GET /v1/tickets/a%00b/comments', () => system.api.get('/v1/tickets/a%00b/comments')],
        ['GET /v1/customers/a%00b', () => system.api.get('/v1/customers/a%00b')],
        ['PUT /v1/customers/a%00b', () => system.api.put('/v1/customers/a%00b').send({ email: 'a@example.com' })],
        ['DELETE /v1/api-keys/a%00b', () => system.api.delete('/v1/api-keys/a%00b')],
      ];
      for (const [label, send] of paths) await hostile.rejects(label, send().set(system.admin()), { status: [400, 404], code: null });
    });
  });

  describe('lone surrogates (#2)', () => {
    it('rejects a lone high surrogate, a lone low surrogate and a reversed pair in a ticket subject (#2)', async () => {
      for (const escape of LONE_SURROGATES) {
        const text = jsonWith(ticketBody({ subject: `x${SURROGATE}y` }), SURROGATE, escape);
        await hostile.rejects(`POST /v1/tickets subject "x${escape}y"`, rawJson(postTicket(), text), { field: 'subject', message: /surrogate/ });
      }
    });

    it('rejects lone surrogates in a customer name, a text column (#2)', async () => {
      for (const escape of LONE_SURROGATES) {
        const id = unique('cus');
        const text = jsonWith({ email: `${id}@example.com`, name: `Lan${SURROGATE}` }, SURROGATE, escape);
        await hostile.rejects(`PUT customer name "Lan${escape}"`, rawJson(putCustomer(id), text), { field: 'name', message: /surrogate/ });
      }
    });
  });

  describe('date-times (#3)', () => {
    it('rejects createdAfter and createdBefore that are not RFC 3339 date-times, with one message (#3)', async () => {
      for (const param of ['createdAfter', 'createdBefore']) {
        for (const value of NOT_RFC3339) {
          await hostile.rejects(`GET /v1/tickets?${param}=${value}`, system.api.get('/v1/tickets').query({ [param]: value }).set(system.admin()), { field: param, message: /RFC 3339/ });
        }
      }
    });

    it('still accepts RFC 3339 date-times in createdAfter and createdBefore, lowercase t and z included (#3)', async () => {
      const ticket = await newTicket();
      for (const value of RFC3339) {
        const after = await hostile.accepts(`GET /v1/tickets?createdAfter=${value}`, system.api.get('/v1/tickets').query({ createdAfter: value, limit: 200 }).set(system.admin()), 200);
        if (after.status === 200) expect.soft(after.body.data.map((t: Json) => t['id']), `createdAfter=${value} finds a ticket created since`).toContain(ticket['id']);
        const before = await hostile.accepts(`GET /v1/tickets?createdBefore=${value}`, system.api.get('/v1/tickets').query({ createdBefore: value }).set(system.admin()), 200);
        if (before.status === 200) expect.soft(before.body.data, `createdBefore=${value} finds none (every ticket is newer)`).toEqual([]);
      }
    });
  });

  describe('forged cursors (#4)', () => {
    it('rejects forged cursors of GET /v1/tickets, sorted by creation and by priority (#4)', async () => {
      await newTicket();
      await newTicket();
      for (const sort of ['-createdAt', 'updatedAt']) {
        for (const { label, cursor } of forgedCursors(await realCursor('/v1/tickets', { sort }))) {
          await hostile.rejects(`GET /v1/tickets?sort=${sort} cursor ${label}`, system.api.get('/v1/tickets').query({ sort, cursor }).set(system.admin()), { field: 'cursor' });
        }
      }
      const byPriority = await realCursor('/v1/tickets', { sort: 'priority' });
      const forged = forgedCursors(byPriority);
      const values = cursorValues(byPriority);
      for (const rank of [99999, -40000]) forged.push({ label: `priority ${rank}`, cursor: cursorOf([rank, ...values.slice(1)]) });
      for (const { label, cursor } of forged) {
        await hostile.rejects(`GET /v1/tickets?sort=priority cursor ${label}`, system.api.get('/v1/tickets').query({ sort: 'priority', cursor }).set(system.admin()), { field: 'cursor' });
      }
    });

    it('rejects forged cursors of the API keys, groups, agents and a ticket\'s comments (#4)', async () => {
      await fixture(system.api.post('/v1/api-keys').set(system.admin()).send({ name: 'cursor key', scopes: ['tickets:read'] }), [201]);
      await newGroup();
      await newGroup();
      await newAgent();
      await newAgent();
      const ticket = await newTicket();
      for (let i = 0; i < 2; i++) {
        await fixture(system.api.post(`/v1/tickets/${ticket.id}/comments`).set(system.admin()).send({ body: `note ${i}`, public: false, author: { type: 'agent', name: 'Minh' } }), [201]);
      }
      for (const path of ['/v1/api-keys', '/v1/groups', '/v1/agents', `/v1/tickets/${ticket.id}/comments`]) {
        for (const { label, cursor } of forgedCursors(await realCursor(path))) {
          await hostile.rejects(`GET ${path} cursor ${label}`, system.api.get(path).query({ cursor }).set(system.admin()), { field: 'cursor' });
        }
      }
    });
  });

  describe('null for optional fields (#5)', () => {
    it('rejects priority null on PATCH /v1/tickets/{id}, while assignee null still clears the assignee (#5)', async () => {
      const agent = await newAgent();
      const ticket = await newTicket({ assignee: agent.id });
      await hostile.rejects('PATCH ticket priority null', system.api.patch(`/v1/tickets/${ticket.id}`).set(system.admin()).send({ priority: null }), { field: 'priority' });
      const { rows } = await system.stack.db.pool.query(`SELECT priority FROM tickets.tickets WHERE id = $1`, [ticket.id]);
      expect(rows[0].priority).toBe(ticket.priority);

      const cleared = await system.api.patch(`/v1/tickets/${ticket.id}`).set(system.admin()).send({ assignee: null });
      hostile.watch.touched();
      expect(cleared.status, cleared.text).toBe(200);
      expect(cleared.body.assignee).toBeNull();
      const after = await system.stack.db.pool.query(`SELECT assignee_id FROM tickets.tickets WHERE id = $1`, [ticket.id]);
      expect(after.rows[0].assignee_id).toBeNull();
    });

    it('rejects public null on a new comment (#5)', async () => {
      const ticket = await newTicket();
      await hostile.rejects(
        'POST comment public null',
        system.api.post(`/v1/tickets/${ticket.id}/comments`).set(system.admin()).send({ body: 'Checking.', public: null, author: { type: 'agent', name: 'Minh' } }),
        { field: 'public' },
      );
    });

    it('rejects name null and inboundAddresses null on PATCH /v1/groups/{key} (#5)', async () => {
      const group = await newGroup(undefined, [`${unique('in')}@shop.test`]);
      for (const field of ['name', 'inboundAddresses']) {
        await hostile.rejects(`PATCH group ${field} null`, system.api.patch(`/v1/groups/${group.key}`).set(system.admin()).send({ [field]: null }), { field });
      }
    });
  });

  describe('deep nesting (#6)', () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);

    it('rejects JSON nested 10,000 levels on POST /v1/tickets and PUT /v1/customers (#6)', async () => {
      await hostile.rejects('POST /v1/tickets subject nested 10,000 levels', rawJson(postTicket(), `{"subject":${deep}}`));
      await hostile.rejects('POST /v1/tickets body nested 10,000 levels', rawJson(postTicket(), deep));
      const id = unique('cus');
      await hostile.rejects('PUT customer name nested 10,000 levels', rawJson(putCustomer(id), `{"email":"${id}@example.com","name":${deep}}`));
      await hostile.rejects('PUT customer body nested 10,000 levels', rawJson(putCustomer(id), deep));
    });
  });

  describe('nested arrays (#7)', () => {
    it('rejects nested arrays of comment attachments (#7)', async () => {
      const ticket = await newTicket();
      const attachment = { name: 'photo.jpg', contentType: 'image/jpeg', size: 10, contentRef: 'https://files.shop.test/a/1.jpg' };
      await hostile.rejects(
        'POST comment attachments [[a, a]]',
        system.api.post(`/v1/tickets/${ticket.id}/comments`).set(system.admin()).send({ body: 'See photos.', public: false, author: { type: 'agent', name: 'Minh' }, attachments: [[attachment, attachment]] }),
        { field: ['attachments.0', 'attachments'] },
      );
    });

    it('rejects nested arrays of SLA policies (#7)', async () => {
      const policy = { segment: 'vip', priority: 'urgent', firstResponseSeconds: 600, nextResponseSeconds: 1200, resolutionSeconds: 7200 };
      await hostile.rejects('PUT /v1/sla-policies [[policy]]', system.api.put('/v1/sla-policies').set(system.admin()).send({ policies: [[policy]] }), { field: ['policies.0', 'policies'] });
      await hostile.rejects('PUT /v1/sla-policies [[policy, policy]]', system.api.put('/v1/sla-policies').set(system.admin()).send({ policies: [[policy, policy]] }), { field: ['policies.0', 'policies'] });
    });
  });

  describe('two groups claiming one inbound address at once (#8)', () => {
    it('gives the address to exactly one of two concurrent POST /v1/groups; the other is 409 address-taken (#8)', async () => {
      const outcomes: string[] = [];
      for (let round = 0; round < 10; round++) {
        const address = `${unique('race')}@shop.test`.toLowerCase();
        const keys = [unique('a').toLowerCase(), unique('b').toLowerCase()];
        const [first, second] = await Promise.all(keys.map((key) => system.api.post('/v1/groups').set(system.admin()).send({ key, name: `Group ${key}`, inboundAddresses: [address] })));
        hostile.watch.touched();
        const answers = [first!, second!];
        outcomes.push(answers.map((r) => r.status).join('/'));
        const statuses = answers.map((r) => r.status).sort();
        expect.soft(statuses, `round ${round}: ${answers.map((r) => `${r.status} ${r.text}`).join(' | ')}`).toEqual([201, 409]);
        const winner = answers.find((r) => r.status === 201);
        const loser = answers.find((r) => r.status === 409);
        if (loser) {
          expect.soft(loser.headers['content-type']).toContain('application/problem+json');
          expect.soft(loser.body).toMatchObject({ code: 'address-taken', address });
        }
        const { rows } = await system.stack.db.pool.query(`SELECT g.key FROM tickets.group_addresses a JOIN tickets.groups g ON g.id = a.group_id WHERE a.address = $1`, [address]);
        expect.soft(rows.map((r) => r.key), `round ${round}: the address belongs to the group that got 201`).toEqual(winner ? [winner.body.key] : []);
        if (winner) {
          const read = await system.api.get(`/v1/groups/${winner.body.key}`).set(system.admin());
          expect.soft(read.body.inboundAddresses, `round ${round}`).toEqual([address]);
        }
      }
      expect(outcomes.filter((o) => o !== '201/409' && o !== '409/201'), `outcomes per round: ${outcomes.join(', ')}`).toEqual([]);
    });
  });

  describe('priority null on a new ticket (#11)', () => {
    it('rejects priority null on POST /v1/tickets instead of deriving a priority marked explicit (#11)', async () => {
      await hostile.rejects('POST /v1/tickets priority null', postTicket().send(ticketBody({ priority: null })), { field: 'priority' });
    });
  });

  describe('invalid UTF-8 (#12)', () => {
    it('rejects JSON bodies with bytes that are not UTF-8 as malformed-json (tickets, customers, API keys), storing nothing (#12)', async () => {
      for (const [label, bytes] of INVALID_UTF8) {
        const [before, after] = JSON.stringify(ticketBody({ subject: 'Broken @@BYTES@@ bytes' })).split('@@BYTES@@') as [string, string];
        const body = Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]);
        await hostile.rejects(`POST /v1/tickets with ${label} in the subject`, rawJson(postTicket(), body), { code: 'malformed-json', detail: /UTF-8/ });

        const id = unique('cus');
        const [b, a] = JSON.stringify({ email: `${id}@example.com`, name: 'Lan @@BYTES@@' }).split('@@BYTES@@') as [string, string];
        await hostile.rejects(`PUT customer with ${label} in the name`, rawJson(putCustomer(id), Buffer.concat([Buffer.from(b), Buffer.from(bytes), Buffer.from(a)])), { code: 'malformed-json', detail: /UTF-8/ });

        const [kb, ka] = JSON.stringify({ name: 'shop @@BYTES@@ backend', scopes: ['tickets:read'] }).split('@@BYTES@@') as [string, string];
        await hostile.rejects(`POST /v1/api-keys with ${label} in the name`, rawJson(system.api.post('/v1/api-keys').set(system.admin()), Buffer.concat([Buffer.from(kb), Buffer.from(bytes), Buffer.from(ka)])), { code: 'malformed-json', detail: /UTF-8/ });
      }
    });
  });

  describe('also', () => {
    it('rejects a limit that is not plain decimal digits; limit=12 works', async () => {
      for (const limit of ['0x10', '0b11', '1e2', ' 12 ', '+5', '1.0']) {
        await hostile.rejects(`GET /v1/tickets?limit=${JSON.stringify(limit)}`, system.api.get('/v1/tickets').query({ limit }).set(system.admin()), { field: 'limit' });
      }
      await hostile.accepts('GET /v1/tickets?limit=12', system.api.get('/v1/tickets').query({ limit: '12' }).set(system.admin()), 200);
    });

    it('finds a ticket by its number in one canonical form: /v1/tickets/01000 is a 400 naming id when /v1/tickets/1000 is 200', async () => {
      const { number } = await newTicket();
      const canonical = await system.api.get(`/v1/tickets/${number}`).set(system.admin());
      expect(canonical.status, canonical.text).toBe(200);
      for (const ref of [`0${number}`, `00${number}`]) {
        const res = await system.api.get(`/v1/tickets/${ref}`).set(system.admin());
        expect.soft(res.status, `GET /v1/tickets/${ref} → ${res.status} ${res.text.slice(0, 200)}`).toBe(400);
        expect.soft(res.body.code, ref).toBe('validation-error');
      }
    });

    it('rejects tags made only of zero-width characters on customers and tickets', async () => {
      for (const tag of ['\u200b', '\u200b\ufeff']) {
        const id = unique('cus');
        await hostile.rejects(`PUT customer tags [${JSON.stringify(tag)}]`, putCustomer(id).send({ email: `${id}@example.com`, tags: [tag] }), { field: ['tags.0', 'tags'] });
        await hostile.rejects(`POST /v1/tickets tags [${JSON.stringify(tag)}]`, postTicket().send(ticketBody({ tags: [tag] })), { field: ['tags.0', 'tags'] });
      }
    });

    it('logs no SQL parameters and no errors for the hostile input above', () => {
      for (const service of ['gateway', 'tickets', 'segmentation'] as const) {
        const lines = system.stack.logs(service).split('\n');
        expect.soft(lines.filter((l) => l.includes('"parameters"')).map((l) => l.slice(0, 300)), `${service}: log lines with SQL parameters`).toEqual([]);
        expect.soft(lines.filter((l) => /"level":"(error|fatal)"/.test(l)).map((l) => l.slice(0, 300)), `${service}: error log lines`).toEqual([]);
      }
    });
  });
});
