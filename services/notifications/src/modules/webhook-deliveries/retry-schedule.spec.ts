import { describe, expect, it } from 'vitest';
import { delayBeforeAttempt, parseRetrySchedule } from './retry-schedule.js';

describe('webhook retry schedule', () => {
  const standard = parseRetrySchedule('0,5,300,1800,7200,18000,36000,50400,72000,86400');

  it('reads seconds, comma-separated, with spaces', () => {
    expect(parseRetrySchedule(' 0, 1 ,1')).toEqual([0, 1, 1]);
    expect(standard).toHaveLength(10);
  });

  it('waits the scheduled time before each attempt, within ±10%, and has none after the last', () => {
    expect(delayBeforeAttempt(standard, 1, () => 0.5)).toBe(0);
    expect(delayBeforeAttempt(standard, 2, () => 0.5)).toBe(5000);
    expect(delayBeforeAttempt(standard, 3, () => 0)).toBe(270_000);
    expect(delayBeforeAttempt(standard, 3, () => 1)).toBe(330_000);
    expect(delayBeforeAttempt(standard, 10, () => 0.5)).toBe(86_400_000);
    expect(delayBeforeAttempt(standard, 11)).toBeNull();
  });
});
