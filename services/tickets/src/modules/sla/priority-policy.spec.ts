import { describe, expect, it } from 'vitest';
import { derivePriority, policySegment } from './priority-policy.js';

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
