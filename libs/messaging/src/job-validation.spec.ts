import { InboundEmailReceivedPayload } from '@careflow/contracts';
import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { validateEnvelope } from './job-validation.js';

const EVENT = '6c1f0e7e-2b1d-4b8e-9a57-3d0f4c2a9b10';
const MESSAGE = '0b8c6f5e-1a2d-4c3b-8e9f-7a6b5c4d3e2f';

describe('validateEnvelope', () => {
  it('gives the envelope its types (a Date, the payload as its class) and leaves the job data as it was', async () => {
    const raw = { eventId: EVENT, occurredAt: '2026-12-02T18:00:00.000Z', requestId: 'req-1', data: { inboundEmailId: MESSAGE } };
    const copy = structuredClone(raw);
    const envelope = await validateEnvelope('inbound_email.received', raw);
    expect(envelope.eventId).toBe(EVENT);
    expect(envelope.occurredAt).toEqual(new Date('2026-12-02T18:00:00.000Z'));
    expect(envelope.requestId).toBe('req-1');
    expect(envelope.data).toBeInstanceOf(InboundEmailReceivedPayload);
    expect(envelope.data).toEqual({ inboundEmailId: MESSAGE });
    expect(raw).toEqual(copy);
  });

  it('fails unrecoverably, naming every field of the envelope and of the payload that breaks the contract', async () => {
    const failure = validateEnvelope('inbound_email.received', { eventId: 'x', occurredAt: 'yesterday', data: { inboundEmailId: 42 } });
    await expect(failure).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(failure).rejects.toThrow(/eventId: .*occurredAt: .*data\.inboundEmailId: /);
  });

  it('fails for a job without a payload, or whose data is no object at all', async () => {
    await expect(validateEnvelope('inbound_email.received', { eventId: EVENT, occurredAt: new Date().toISOString() })).rejects.toThrow(/data: /);
    await expect(validateEnvelope('inbound_email.received', 'not an envelope')).rejects.toThrow(/eventId: /);
    await expect(validateEnvelope('inbound_email.received', [1, 2])).rejects.toThrow(/eventId: /);
    await expect(validateEnvelope('inbound_email.received', null)).rejects.toThrow(/data: /);
  });
});
