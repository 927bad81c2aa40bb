import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationsConfig } from '../../config/notifications.config.js';
import { RESPONSE_EXCERPT_BYTES, WebhookSender } from './webhook-sender.js';

/** The sender against a real HTTP receiver on 127.0.0.1, one path per kind of answer. */
describe('WebhookSender', () => {
  const secret = `whsec_${Buffer.from('0123456789abcdef01234567').toString('base64')}`;
  const received: Array<{ url: string; headers: http.IncomingHttpHeaders; body: string }> = [];
  let base = '';
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      switch (new URL(req.url!, 'http://x').pathname) {
        case '/ok':
          return res.writeHead(204).end();
        case '/error':
          return res.writeHead(500, { 'content-type': 'text/plain' }).end('no\u0000 thanks');
        case '/big':
          res.writeHead(200);
          res.write('a'.repeat(700));
          res.write('é'.repeat(400)); // a two-byte character cut at the excerpt's end
          return res.end('z'.repeat(200_000));
        case '/headers-then-stall':
          res.writeHead(202);
          return res.write('started');
        case '/stall':
          return; // never answers
        case '/cut':
          res.writeHead(200, { 'content-length': '100' });
          res.write('partial');
          return setTimeout(() => res.destroy(), 20);
        case '/hang-up':
          return req.socket.destroy();
        case '/redirect':
          return res.writeHead(307, { location: '/ok' }).end();
        default:
          return res.writeHead(404).end();
      }
    });
  });
  const sender = (overrides: Partial<NotificationsConfig> = {}) =>
    new WebhookSender({ WEBHOOK_TIMEOUT_MS: 500, WEBHOOK_WORKER_CONCURRENCY: 4, WEBHOOK_ALLOW_PRIVATE_URLS: true, ...overrides } as NotificationsConfig);
  const local = sender();
  const send = (path: string, s = local) => s.send({ url: `${base}${path}`, messageId: 'msg_2Sender', body: '{"type":"webhook.test","data":{}}', secrets: [secret] });

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await local.onApplicationShutdown();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('posts the body as it is with Standard Webhooks headers the official library verifies', async () => {
    const answer = await send('/ok?shop=1');
    expect(answer).toMatchObject({ statusCode: 204, responseExcerpt: null, error: null });
    const request = received.at(-1)!;
    expect(request.url).toBe('/ok?shop=1');
    expect(request.body).toBe('{"type":"webhook.test","data":{}}');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['webhook-id']).toBe('msg_2Sender');
    expect(() => new Webhook(secret).verify(request.body, request.headers as Record<string, string>)).not.toThrow();
  });

  it('keeps a non-2xx status and its answer, without NUL', async () => {
    expect(await send('/error')).toMatchObject({ statusCode: 500, responseExcerpt: 'no thanks', error: null });
  });

  it('keeps the first RESPONSE_EXCERPT_BYTES of a long answer and reads no further', async () => {
    const answer = await send('/big');
    expect(answer.statusCode).toBe(200);
    expect(Buffer.byteLength(answer.responseExcerpt!)).toBeLessThanOrEqual(RESPONSE_EXCERPT_BYTES + 2);
    expect(answer.responseExcerpt!.startsWith('a'.repeat(700) + 'é')).toBe(true);
    expect(answer.responseExcerpt).not.toContain('z');
  });

  it('keeps the status of an answer cut off or stalled after its status line', async () => {
    expect(await send('/cut')).toMatchObject({ statusCode: 200, responseExcerpt: 'partial', error: null });
    expect(await send('/headers-then-stall')).toMatchObject({ statusCode: 202, responseExcerpt: 'started', error: null });
  });

  it('gives up after WEBHOOK_TIMEOUT_MS without an answer', async () => {
    const answer = await send('/stall');
    expect(answer).toMatchObject({ statusCode: null, error: 'timed out after 500 ms' });
    expect(answer.durationMs).toBeGreaterThanOrEqual(490);
  });

  it('reports a receiver that hangs up or is not there', async () => {
    expect((await send('/hang-up')).error).toMatch(/closed|reset|socket/i);
    const gone = await local.send({ url: 'http://127.0.0.1:1/hooks', messageId: 'msg_x', body: '{}', secrets: [secret] });
    expect(gone).toMatchObject({ statusCode: null, error: expect.stringContaining('ECONNREFUSED') });
  });

  it('does not follow a redirect', async () => {
    const before = received.length;
    expect(await send('/redirect')).toMatchObject({ statusCode: 307, error: null });
    expect(received.length).toBe(before + 1);
  });

  it('refuses private addresses when they are not allowed, literal or by name', async () => {
    const strict = sender({ WEBHOOK_ALLOW_PRIVATE_URLS: false });
    const before = received.length;
    for (const host of ['127.0.0.1', 'localhost']) {
      const answer = await strict.send({ url: `${base.replace('127.0.0.1', host)}/ok`, messageId: 'msg_x', body: '{}', secrets: [secret] });
      expect(answer).toMatchObject({ statusCode: null, error: expect.stringMatching(/^refused: .* a loopback address/) });
    }
    expect(received.length).toBe(before);
    await strict.onApplicationShutdown();
  });
});
