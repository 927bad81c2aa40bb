import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { signatureHeader } from './webhook-signature.js';

describe('webhook signatures', () => {
  const secret = `whsec_${Buffer.from('0123456789abcdef01234567').toString('base64')}`;
  const old = `whsec_${Buffer.from('old-secret-of-24-bytes!!').toString('base64')}`;
  const body = '{"type": "ticket.created", "timestamp": "2026-12-02T09:00:00.000Z", "data": {"id": 1}}';
  const now = Math.floor(Date.now() / 1000);

  it('verifies with the official standardwebhooks library', () => {
    const headers = { 'webhook-id': 'msg_01', 'webhook-timestamp': String(now), 'webhook-signature': signatureHeader([secret], 'msg_01', now, body) };
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
  });

  it('signs with both secrets during a rotation, so either verifies', () => {
    const header = signatureHeader([secret, old], 'msg_02', now, body);
    expect(header.split(' ')).toHaveLength(2);
    const headers = { 'webhook-id': 'msg_02', 'webhook-timestamp': String(now), 'webhook-signature': header };
    expect(() => new Webhook(secret).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(old).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(secret).verify(body.replace('1', '2'), headers)).toThrow();
  });
});
