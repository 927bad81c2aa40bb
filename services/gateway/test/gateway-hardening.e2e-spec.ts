import { eventually, rawHttp, useStack } from '@careflow/testing';
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import request from 'supertest';
import { describe, expect, it } from 'vitest';

const AUTH_FAILURES = 5;
const HEALTH_CACHE_MS = 3_000;
const MB = 1024 * 1024;

/** A request head as bytes on the wire, for requests no client library would send. */
function head(method: string, path: string, headers: Record<string, string>): string {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return `${method} ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n${lines.join('')}\r\n`;
}

/** An IPv4 address of this machine other than loopback, if it has one. */
const outsideAddress = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

/** Whether a TCP connection to address:port is accepted. */
function accepts(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, address);
    socket.setTimeout(2_000, () => (socket.destroy(), resolve(false)));
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** Waits for a fresh minute when the current one is nearly over, so a fixed window holds for the test. */
async function awayFromWindowEnd(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 8_000) await new Promise((r) => setTimeout(r, left + 100));
}

describe('gateway hardening: hostile input costs the caller, not the system', () => {
  const system = useStack({
    env: { AUTH_FAILURES_PER_MINUTE: String(AUTH_FAILURES), HEALTH_CACHE_MS: String(HEALTH_CACHE_MS) },
    // As behind the Kubernetes ingress: one proxy appends the client's address.
    serviceEnv: { gateway: { TRUST_PROXY_HOPS: '1' } },
  });

  async function newKey(scopes: string[]): Promise<string> {
    const res = await system.api.post('/v1/api-keys').set(system.admin()).send({ name: 'hardening', scopes });
    expect(res.status).toBe(201);
    return res.body.key;
  }

  describe('body limits belong to routes, not to content types', () => {
    it('refuses an e-mail-sized body on any other route with 413 before reading it', async () => {
      // 24 MB promised as message/rfc822 to a customer route; only the first bytes are sent.
      const answer = await rawHttp(
        system.stack.gatewayUrl,
        head('PUT', '/v1/customers/cus_big', { ...system.admin(), 'content-type': 'message/rfc822', 'content-length': String(24 * MB) }) + 'From: someone@example.com\r\n',
      );
      expect(answer.status).toBe(413);
      expect(answer.headers['content-type']).toContain('application/problem+json');
      expect(JSON.parse(answer.body)).toMatchObject({ code: 'payload-too-large', status: 413 });
    });

    it('stops reading a chunked body at the JSON limit and answers 413', async () => {
      const chunk = Buffer.alloc(Math.round(1.2 * MB), 'a');
      const start = head('PUT', '/v1/customers/cus_chunked', { ...system.admin(), 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      // The terminating chunk never comes: only a gateway that stops at the limit answers.
      const answer = await rawHttp(system.stack.gatewayUrl, Buffer.concat([Buffer.from(`${start}${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]));
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body)).toMatchObject({ code: 'payload-too-large' });
    });

    it('lets POST /v1/inbound/email carry a large message for a key that may use it', async () => {
      const message = Buffer.concat([Buffer.from('From: shopper@example.com\r\nSubject: big\r\n\r\n'), Buffer.alloc(2 * MB, 'x')]);
      const res = await fetch(`${system.stack.gatewayUrl}/v1/inbound/email`, {
        method: 'POST',
        headers: { ...system.admin(), 'content-type': 'message/rfc822' },
        body: message,
      });
      // email-ingest does not take mail yet (its answer, not the gateway's limit, is what comes back).
      expect(res.status).not.toBe(413);
      expect(res.status).toBeLessThan(500);
    });

    it('holds a key without inbound:write to the JSON limit even on the e-mail route', async () => {
      const key = await newKey(['customers:write']);
      const answer = await rawHttp(
        system.stack.gatewayUrl,
        head('POST', '/v1/inbound/email', { authorization: `Bearer ${key}`, 'content-type': 'message/rfc822', 'content-length': String(2 * MB) }),
      );
      expect(answer.status).toBe(413);
    });
  });

  describe('failed authentication', () => {
    it('limits failed authentications per client address, before any key lookup; keys known valid keep working', async () => {
      await awayFromWindowEnd();
      const attacker = { 'x-forwarded-for': '198.51.100.66' };
      const known = await newKey(['customers:read']);
      const fresh = await newKey(['customers:read']);
      // The attacker's address also carries a working integration, used before the attack.
      expect((await system.api.get('/v1/customers/nobody').set(attacker).set('authorization', `Bearer ${known}`)).status).toBe(404);

      const statuses: number[] = [];
      let limited: request.Response | undefined;
      for (let i = 0; i < AUTH_FAILURES + 1; i++) {
        const res = await system.api.get('/v1/customers/nobody').set(attacker).set('authorization', `Bearer cf_guessing_${i}_${'x'.repeat(40)}`);
        statuses.push(res.status);
        limited = res;
      }
      expect(statuses).toEqual([...new Array(AUTH_FAILURES).fill(401), 429]);
      expect(limited!.headers['content-type']).toContain('application/problem+json');
      expect(limited!.body).toMatchObject({ code: 'authentication-rate-limited', status: 429 });
      expect(Number(limited!.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(limited!.headers['retry-after'])).toBeLessThanOrEqual(60);

      // No header at all is a failure too.
      expect((await system.api.get('/v1/customers/nobody').set(attacker)).status).toBe(429);
      // A key the gateway would have to look up is not looked up for this address, valid or not...
      expect((await system.api.get('/v1/customers/nobody').set(attacker).set('authorization', `Bearer ${fresh}`)).status).toBe(429);
      // ...while one it already knows valid still works, and other addresses have their own budget.
      expect((await system.api.get('/v1/customers/nobody').set(attacker).set('authorization', `Bearer ${known}`)).status).toBe(404);
      const other = { 'x-forwarded-for': '198.51.100.67' };
      expect((await system.api.get('/v1/customers/nobody').set(other).set('authorization', 'Bearer cf_guessing_other')).status).toBe(401);
      expect((await system.api.get('/v1/customers/nobody').set(other).set('authorization', `Bearer ${fresh}`)).status).toBe(404);
    });
  });

  describe('services read nothing from callers without the internal token', () => {
    it('refuses a body sent directly to a service with 401 before reading it', async () => {
      const answer = await rawHttp(
        system.stack.serviceUrl('segmentation'),
        head('PUT', '/v1/customers/cus_direct', { 'content-type': 'application/json', 'content-length': '1000000' }) + '{"email":',
      );
      expect(answer.status).toBe(401);
      expect(answer.headers['content-type']).toContain('application/problem+json');
      expect(JSON.parse(answer.body)).toMatchObject({ code: 'internal-token-required' });
    });

    it('still parses what the gateway sends, and leaves the probes open', async () => {
      const withToken = await request(system.stack.serviceUrl('segmentation'))
        .put('/v1/customers/cus_direct')
        .set('x-internal-token', system.stack.internalToken)
        .set('content-type', 'application/json')
        .send('{"email":');
      expect(withToken.body.code).toBe('malformed-json');
      for (const path of ['/health', '/health/live', '/health/ready']) {
        expect((await request(system.stack.serviceUrl('segmentation')).get(path)).status, path).toBe(200);
      }
    });
  });

  it.skipIf(!outsideAddress)('binds services to loopback by default, the gateway to every interface', async () => {
    expect(await accepts(outsideAddress!, system.stack.ports.get('segmentation')!)).toBe(false);
    expect(await accepts('127.0.0.1', system.stack.ports.get('segmentation')!)).toBe(true);
    expect(await accepts(outsideAddress!, system.stack.ports.get('gateway')!)).toBe(true);
  });

  describe('requests Node cannot parse', () => {
    it('answers a 100 kB cursor with 431 problem+json, at the gateway and at a service', async () => {
      for (const url of [`${system.stack.gatewayUrl}/v1/customers`, `${system.stack.serviceUrl('tickets')}/v1/tickets`]) {
        const res = await fetch(`${url}?cursor=${'c'.repeat(100_000)}`, { headers: system.admin() });
        expect(res.status, url).toBe(431);
        expect(res.headers.get('content-type'), url).toContain('application/problem+json');
        expect(res.headers.get('x-content-type-options'), url).toBe('nosniff');
        const body = (await res.json()) as { requestId: string };
        expect(body, url).toMatchObject({ status: 431, code: 'header-fields-too-large' });
        expect(res.headers.get('x-request-id'), url).toBe(body.requestId);
      }
    });

    it('answers malformed HTTP with 400 problem+json', async () => {
      const answer = await rawHttp(system.stack.gatewayUrl, 'THIS IS NOT HTTP\r\n\r\n');
      expect(answer.status).toBe(400);
      expect(answer.headers['content-type']).toContain('application/problem+json');
      expect(JSON.parse(answer.body)).toMatchObject({ code: 'bad-request' });
    });
  });

  it('sends X-Content-Type-Options: nosniff on proxied, problem and gateway-own responses', async () => {
    const responses = {
      proxied: await system.api.put('/v1/customers/cus_nosniff').set(system.admin()).send({ email: 'nosniff@example.com' }),
      proxiedProblem: await system.api.get('/v1/customers/cus_missing').set(system.admin()),
      gatewayProblem: await system.api.get('/nothing-here').set(system.admin()),
      gatewayOwn: await system.api.get('/v1/api-keys').set(system.admin()),
      probe: await system.api.get('/health/live'),
    };
    expect(responses.proxied.status).toBe(200);
    expect(responses.proxiedProblem.status).toBe(404);
    expect(responses.gatewayProblem.status).toBe(404);
    for (const [name, res] of Object.entries(responses)) expect(res.headers['x-content-type-options'], name).toBe('nosniff');
  });

  // Last: it takes a service down.
  it('answers /health from a short cache, shared by callers arriving together', async () => {
    await new Promise((r) => setTimeout(r, HEALTH_CACHE_MS + 100)); // whatever was cached has expired
    const together = await Promise.all(Array.from({ length: 8 }, () => system.api.get('/health')));
    const checkedAt = together[0]!.body.checkedAt;
    expect(checkedAt).toEqual(expect.any(String));
    for (const res of together) {
      expect(res.status).toBe(200);
      expect(res.body.checkedAt).toBe(checkedAt);
    }

    await system.stack.kill('segmentation');
    const cached = await system.api.get('/health');
    expect(cached.status).toBe(200);
    expect(cached.body.checkedAt).toBe(checkedAt);
    const down = await eventually(async () => {
      const res = await system.api.get('/health');
      expect(res.status).toBe(503);
      return res;
    }, HEALTH_CACHE_MS + 3_000);
    expect(down.body.services.segmentation.status).toBe('unavailable');
  });
});
