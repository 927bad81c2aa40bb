import { describe, expect, it } from 'vitest';
import type { CustomerProjectionRecord } from '../customer-projection/customer-projection.record.js';
import { customerObservation } from './customer-observation.js';

const at = new Date('2026-11-20T08:15:00Z');
const known = (email: string | null): CustomerProjectionRecord => ({
  externalId: 'cus_1', email, name: 'Lan', locale: null, segment: null, carePolicy: null, erasedAt: null,
});

describe('customerObservation', () => {
  it('tells segmentation about a customer the projection does not know', () => {
    expect(customerObservation({ externalId: 'cus_1', email: 'lan@example.com', name: 'Lan' }, null, at)).toEqual({
      externalId: 'cus_1', email: 'lan@example.com', name: 'Lan', source: 'ticket', observedAt: at,
    });
    expect(customerObservation({ email: 'lan@example.com' }, null, at)).toMatchObject({ externalId: null, email: 'lan@example.com', name: null });
  });

  it('tells nothing about a customer known with an address', () => {
    expect(customerObservation({ externalId: 'cus_1', email: 'other@example.com', name: 'Lan' }, known('lan@example.com'), at)).toBeNull();
  });

  it('tells the address of a customer known without one', () => {
    expect(customerObservation({ externalId: 'cus_1', email: 'lan@example.com' }, known(null), at)).toMatchObject({ externalId: 'cus_1', email: 'lan@example.com' });
    expect(customerObservation({ externalId: 'cus_1', email: null, name: 'Lan' }, known(null), at)).toBeNull();
  });

  it('passes on no address the contract would refuse, and tells nothing when nothing is left', () => {
    expect(customerObservation({ externalId: 'cus_1', email: 'not an address', name: 'Lan' }, null, at)).toMatchObject({ email: null, name: 'Lan' });
    expect(customerObservation({ externalId: 'cus_1', email: 'not an address' }, null, at)).toBeNull();
  });
});
