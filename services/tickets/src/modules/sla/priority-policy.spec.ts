import { describe, expect, it } from 'vitest';
import { derivePriority, policySegment, sameCarePolicy, ticketCarePolicy } from './priority-policy.js';

describe('derivePriority', () => {
  it('is normal for ordinary requests and high for shipment exceptions', () => {
    expect(derivePriority('question', null)).toBe('normal');
    expect(derivePriority('question', 'walk_in')).toBe('normal');
    expect(derivePriority('shipment_exception', 'regular')).toBe('high');
  });

  it('raises VIPs one step', () => {
    expect(derivePriority('question', 'vip')).toBe('high');
    expect(derivePriority('shipment_exception', 'vip')).toBe('urgent');
  });

  it('uses the regular policies for customers without a segment', () => {
    expect(policySegment(null)).toBe('regular');
    expect(policySegment('vip')).toBe('vip');
  });
});

describe('a care policy', () => {
  it('raises a derived priority by its bump, up to urgent, whatever the segment', () => {
    expect(derivePriority('question', 'regular', { priorityBump: 2, slaPolicy: 'regular' })).toBe('urgent');
    expect(derivePriority('question', 'online', { priorityBump: 3, slaPolicy: 'online' })).toBe('urgent');
    expect(derivePriority('shipment_exception', 'walk_in', { priorityBump: 1, slaPolicy: 'walk_in' })).toBe('urgent');
  });

  it('with a bump of 0 leaves a VIP where the type puts it', () => {
    expect(derivePriority('question', 'vip', { priorityBump: 0, slaPolicy: 'vip' })).toBe('normal');
  });

  it('names whose SLA targets apply', () => {
    expect(policySegment('regular', { priorityBump: 0, slaPolicy: 'vip' })).toBe('vip');
    expect(policySegment(null, { priorityBump: 0, slaPolicy: 'online' })).toBe('online');
  });

  it('keeps what tickets apply of an event\'s policy, and compares by value', () => {
    expect(ticketCarePolicy(undefined)).toBeNull();
    const kept = ticketCarePolicy({ priorityBump: 1, slaPolicy: 'vip', preferredChannel: 'email' });
    expect(kept).toEqual({ priorityBump: 1, slaPolicy: 'vip' });
    expect(sameCarePolicy(kept, { priorityBump: 1, slaPolicy: 'vip' })).toBe(true);
    expect(sameCarePolicy(kept, { priorityBump: 2, slaPolicy: 'vip' })).toBe(false);
    expect(sameCarePolicy(kept, null)).toBe(false);
    expect(sameCarePolicy(null, null)).toBe(true);
  });
});
