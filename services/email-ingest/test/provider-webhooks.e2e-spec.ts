import { useStack } from '@careflow/testing';
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';

const MAILGUN_KEY = 'mailgun-signing-key-for-tests';
const POSTMARK = { user: 'postmark', password: 'a-postmark-password-for-tests' };

const EIGHT_BIT_MESSAGE = Buffer.concat([
  Buffer.from('From: Lan <lan.nguyen@example.com>\r\nTo: support@shop.example\r\nSubject: Parcel\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\nCaf'),
  Buffer.from([0xe9, 0x20, 0xff, 0xfe, 0x00, 0x80]),
  Buffer.from('\r\n--boundary-looking line\r\n'),
]);

function mailgunForm(fields: { raw?: Buffer; timestamp?: number; token?: string; key?: string } = {}): FormData {
  const timestamp = String(fields.timestamp ?? Math.floor(Date.now() / 1000));
  const token = fields.token ?? randomBytes(25).toString('hex');
  const form = new FormData();
  form.append('recipient', 'support@shop.example');
  form.append('sender', 'lan.nguyen@example.com');
  form.append('timestamp', timestamp);
  form.append('token', token);
  form.append('signature', createHmac('sha256', fields.key ?? MAILGUN_KEY).update(timestamp + token).digest('hex'));
  if (fields.raw) form.append('body-mime', new Blob([fields.raw]), 'message.mime');
  return form;
}

describe('provider webhooks through the gateway', () => {
  const system = useStack({
    services: ['email-ingest'],
    serviceEnv: {
      'email-ingest': { MAILGUN_WEBHOOK_SIGNING_KEY: MAILGUN_KEY, POSTMARK_INBOUND_USERNAME: POSTMARK.user, POSTMARK_INBOUND_PASSWORD: POSTMARK.password },
    },
  });

  const url = (path: string) => `${system.stack.gatewayUrl}${path}`;
  const post = (path: string, init: RequestInit) => fetch(url(path), { method: 'POST', ...init });

  async function storedRow(id: string): Promise<{ source: string; raw: Buffer; status: string } | undefined> {
    const { rows } = await system.stack.db.pool.query(`SELECT source, raw, status FROM email_ingest.inbound_emails WHERE id = $1`, [id]);
    return rows[0];
  }

  async function count(): Promise<number> {
    return (await system.stack.db.pool.query(`SELECT count(*)::int AS n FROM email_ingest.inbound_emails`)).rows[0].n;
  }

  async function problem(res: Response, status: number, code: string): Promise<Record<string, unknown>> {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status, code });
    return body;
  }

  describe('Mailgun', () => {
    it('stores a correctly signed raw-MIME post byte for byte, without an API key', async () => {
      for (const path of ['/v1/inbound/providers/mailgun', '/v1/inbound/providers/mailgun/mime']) {
        const res = await post(path, { body: mailgunForm({ raw: EIGHT_BIT_MESSAGE }) });
        expect(res.status, path).toBe(200);
        const body = (await res.json()) as { id: string; status: string };
        expect(body.status).toBe('queued');
        const row = await storedRow(body.id);
        expect(row?.source).toBe('mailgun');
        expect(row?.raw.equals(EIGHT_BIT_MESSAGE)).toBe(true);
      }
    });

    it('takes the url-encoded form too', async () => {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const token = randomBytes(25).toString('hex');
      const signature = createHmac('sha256', MAILGUN_KEY).update(timestamp + token).digest('hex');
      const raw = 'From: a@example.com\r\nSubject: caf%E9\r\n\r\nhi';
      const res = await post('/v1/inbound/providers/mailgun', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `timestamp=${timestamp}&token=${token}&signature=${signature}&body-mime=${raw.replace(/%E9/, '%25E9').replace(/\r\n/g, '%0D%0A').replace(/ /g, '+')}`,
      });
      expect(res.status).toBe(200);
      const row = await storedRow(((await res.json()) as { id: string }).id);
      expect(row?.raw.toString('latin1')).toBe(raw);
    });

    it('refuses a wrong signature, a stale timestamp and a replayed token, storing nothing', async () => {
      const before = await count();
      await problem(await post('/v1/inbound/providers/mailgun', { body: mailgunForm({ raw: EIGHT_BIT_MESSAGE, key: 'another-key' }) }), 401, 'invalid-signature');
      await problem(
        await post('/v1/inbound/providers/mailgun', { body: mailgunForm({ raw: EIGHT_BIT_MESSAGE, timestamp: Math.floor(Date.now() / 1000) - 600 }) }),
        401,
        'stale-webhook',
      );
      const unsigned = new FormData();
      unsigned.append('body-mime', new Blob([EIGHT_BIT_MESSAGE]));
      await problem(await post('/v1/inbound/providers/mailgun', { body: unsigned }), 401, 'invalid-signature');
      expect(await count()).toBe(before);

      const token = randomBytes(25).toString('hex');
      const timestamp = Math.floor(Date.now() / 1000);
      expect((await post('/v1/inbound/providers/mailgun', { body: mailgunForm({ raw: EIGHT_BIT_MESSAGE, token, timestamp }) })).status).toBe(200);
      await problem(await post('/v1/inbound/providers/mailgun', { body: mailgunForm({ raw: EIGHT_BIT_MESSAGE, token, timestamp }) }), 403, 'replayed-webhook');
      expect(await count()).toBe(before + 1);
    });

    it('answers 422 naming body-mime when the route posts parsed fields instead of the raw message', async () => {
      const body = await problem(await post('/v1/inbound/providers/mailgun', { body: mailgunForm() }), 422, 'unprocessable');
      expect(body['errors']).toEqual([{ field: 'body-mime', message: expect.stringContaining('ending in `mime`') }]);
    });

    it('refuses a body that is not a form with 415, and a broken form with 400', async () => {
      await problem(await post('/v1/inbound/providers/mailgun', { headers: { 'content-type': 'application/json' }, body: '{}' }), 415, 'unsupported-media-type');
      const broken = await post('/v1/inbound/providers/mailgun', { headers: { 'content-type': 'multipart/form-data; boundary=zz' }, body: '--zz\r\nnot a part' });
      const body = await problem(broken, 400, 'validation-error');
      expect(body['errors']).toEqual([{ field: 'body', message: expect.any(String) }]);
    });
  });

  describe('Postmark', () => {
    const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    const postmark = (payload: unknown, authorization?: string) =>
      post('/v1/inbound/providers/postmark', {
        headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
        body: JSON.stringify(payload),
      });
    const RAW = 'From: Lan <lan.nguyen@example.com>\r\nTo: support@shop.example\r\nSubject: Grüße\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nXin chào, Nguyễn\r\n';
    const payload = { From: 'lan.nguyen@example.com', To: 'support@shop.example', Subject: 'Grüße', TextBody: 'Xin chào', Headers: [], Attachments: [], MessageID: 'abc', RawEmail: RAW };

    it('stores RawEmail when the Basic credentials of the webhook URL are right', async () => {
      const res = await postmark(payload, basic(POSTMARK.user, POSTMARK.password));
      expect(res.status).toBe(200);
      const { id } = (await res.json()) as { id: string };
      const row = await storedRow(id);
      expect(row?.source).toBe('postmark');
      expect(row?.raw.equals(Buffer.from(RAW, 'utf8'))).toBe(true);
    });

    it('takes a payload over the 1 MB JSON limit, up to EMAIL_BODY_LIMIT', async () => {
      const big = `${RAW}${'0123456789abcdef'.repeat(96 * 1024)}\r\n`;
      const res = await postmark({ ...payload, RawEmail: big, TextBody: big }, basic(POSTMARK.user, POSTMARK.password));
      expect(res.status).toBe(200);
      expect((await storedRow(((await res.json()) as { id: string }).id))?.raw.length).toBe(Buffer.byteLength(big));
    });

    it('answers 401 with a Basic challenge for missing or wrong credentials, storing nothing', async () => {
      const before = await count();
      for (const authorization of [undefined, basic(POSTMARK.user, 'wrong-password-of-some-length'), basic('someone', POSTMARK.password), 'Bearer cf_not_a_provider']) {
        const res = await postmark(payload, authorization);
        await problem(res, 401, 'invalid-credentials');
        expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      }
      expect(await count()).toBe(before);
    });

    it('answers 422 naming RawEmail, telling the operator to include the raw content', async () => {
      const { RawEmail: _omitted, ...parsedOnly } = payload;
      const body = await problem(await postmark(parsedOnly, basic(POSTMARK.user, POSTMARK.password)), 422, 'unprocessable');
      expect(body['errors']).toEqual([{ field: 'RawEmail', message: expect.stringContaining('Include raw email content in JSON payload') }]);
      await problem(await postmark({ ...payload, RawEmail: 42 }, basic(POSTMARK.user, POSTMARK.password)), 400, 'validation-error');
      await problem(await postmark([payload], basic(POSTMARK.user, POSTMARK.password)), 400, 'validation-error');
    });
  });

  it('keeps every other route behind the API key', async () => {
    const res = await post('/v1/inbound/email', { headers: { 'content-type': 'message/rfc822' }, body: EIGHT_BIT_MESSAGE });
    await problem(res, 401, 'unauthorized');
    const list = await fetch(url('/v1/inbound/providers/mailgun'));
    expect(list.status).toBe(401);
  });
});

describe('provider webhooks of an installation that configured none', () => {
  const system = useStack({ services: ['email-ingest'] });

  it('do not exist (404)', async () => {
    for (const path of ['/v1/inbound/providers/mailgun', '/v1/inbound/providers/mailgun/mime', '/v1/inbound/providers/postmark']) {
      const res = await fetch(`${system.stack.gatewayUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(res.status, path).toBe(path.endsWith('postmark') ? 404 : 415);
    }
    const form = mailgunForm({ raw: EIGHT_BIT_MESSAGE });
    const res = await fetch(`${system.stack.gatewayUrl}/v1/inbound/providers/mailgun`, { method: 'POST', body: form });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'not-found', detail: expect.stringContaining('MAILGUN_WEBHOOK_SIGNING_KEY') });
  });
});

describe('provider webhooks and the failed-authentication budget of an address', () => {
  const system = useStack({
    services: ['email-ingest'],
    serviceEnv: {
      gateway: { AUTH_FAILURES_PER_MINUTE: '2' },
      'email-ingest': { POSTMARK_INBOUND_USERNAME: POSTMARK.user, POSTMARK_INBOUND_PASSWORD: POSTMARK.password },
    },
  });

  it('counts refused provider credentials, then answers 429 without asking the service', async () => {
    const send = (password: string) =>
      fetch(`${system.stack.gatewayUrl}/v1/inbound/providers/postmark`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${POSTMARK.user}:${password}`).toString('base64')}` },
        body: JSON.stringify({ RawEmail: 'Subject: guess\r\n\r\nx' }),
      });
    // The budget counts in fixed one-minute windows: start well inside one.
    const intoWindow = Date.now() % 60_000;
    if (intoWindow > 55_000) await new Promise((resolve) => setTimeout(resolve, 60_000 - intoWindow + 100));
    expect((await send('guess-number-one-guess')).status).toBe(401);
    expect((await send('guess-number-two-guess')).status).toBe(401);
    const blocked = await send(POSTMARK.password);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toMatch(/^\d+$/);
    const { rows } = await system.stack.db.pool.query(`SELECT count(*)::int AS n FROM email_ingest.inbound_emails`);
    expect(rows[0].n).toBe(0);
  });
});
