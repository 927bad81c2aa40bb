import { describe, expect, it } from 'vitest';
import { redactionPatterns } from './personal-details.js';

describe('redactionPatterns', () => {
  it('looks for addresses whatever their case, and for names, their parts and phones as written', () => {
    const p = redactionPatterns({ addresses: [' Lan@Example.com ', 'lan@example.com', null], names: ['Nguyễn Thị Lan'], phones: ['+84 912 345 678'] });
    expect(p.addresses).toBe('(?<![[:alnum:]_])(?:lan@example\\.com)(?![[:alnum:]_])');
    expect(p.words).toBe('(?<![[:alnum:]_])(?:\\+84 912 345 678|Nguyễn Thị Lan|Nguyễn|Thị|Lan)(?![[:alnum:]_])');
  });

  it('skips single letters and blanks, and is null when nothing is left', () => {
    expect(redactionPatterns({ addresses: [], names: ['J', '  ', 'J Kim'], phones: [null] }).words).toBe('(?<![[:alnum:]_])(?:J Kim|Kim)(?![[:alnum:]_])');
    expect(redactionPatterns({ addresses: [null], names: [null, ''], phones: [] })).toEqual({ addresses: null, words: null });
  });

  it('escapes what a regular expression would read as an operator', () => {
    expect(redactionPatterns({ addresses: [], names: ['(Kim)'], phones: ['1+2'] }).words).toContain('\\(Kim\\)|1\\+2');
  });

  it('writes details as JSON text holds them, for redacting inside jsonb', () => {
    expect(redactionPatterns({ addresses: [], names: ['Kim "K" Lee'], phones: [] }, true).words).toContain('Kim \\\\"K\\\\" Lee');
  });
});
