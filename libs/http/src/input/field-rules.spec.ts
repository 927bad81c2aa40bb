import { plainToInstance } from 'class-transformer';
import { IsIn, IsInt, IsString, Max, Min, validateSync } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { fieldErrors } from '../validation.js';
import { ArrayOfObjects, IsTimestamp, NotBlank, NullableField, OptionalField, QueryInt } from './field-rules.js';

class Item {
  @IsInt()
  @Min(1)
  @Max(100)
  quantity!: number;
}

class Example {
  @OptionalField()
  @IsIn(['low', 'high'])
  priority?: string;

  @NullableField()
  @IsString()
  assignee?: string | null;

  @OptionalField()
  @ArrayOfObjects(() => Item, { maxItems: 3 })
  items?: Item[];

  @OptionalField()
  @IsTimestamp({ maxFutureSeconds: 3600 })
  at?: string;

  @OptionalField()
  @QueryInt()
  @IsInt()
  limit?: number;

  @OptionalField()
  @NotBlank()
  name?: string;
}

function errorsOf(input: object): Record<string, string> {
  const instance = plainToInstance(Example, input);
  return Object.fromEntries(fieldErrors(validateSync(instance, { whitelist: true, forbidNonWhitelisted: true })).map((e) => [e.field, e.message]));
}

describe('field rules', () => {
  it('OptionalField refuses null where NullableField takes it', () => {
    expect(errorsOf({})).toEqual({});
    expect(errorsOf({ priority: null })).toEqual({ priority: 'priority must not be null (leave it out instead)' });
    expect(errorsOf({ assignee: null })).toEqual({});
    expect(errorsOf({ assignee: 3 })).toEqual({ assignee: expect.stringMatching(/must be a string/) });
  });

  it('ArrayOfObjects refuses arrays of arrays, however long the inner one', () => {
    expect(errorsOf({ items: [{ quantity: 1 }] })).toEqual({});
    expect(errorsOf({ items: [[{ quantity: 1 }, { quantity: 2 }]] })).toEqual({ items: 'each item of items must be an object' });
    expect(errorsOf({ items: [Array.from({ length: 10 }, () => ({ quantity: 1 }))] })).toHaveProperty('items');
    expect(errorsOf({ items: [{ quantity: 1 }, { quantity: 1 }, { quantity: 1 }, { quantity: 1 }] })).toEqual({ items: expect.stringMatching(/3 elements/) });
    expect(errorsOf({ items: null })).toEqual({ items: expect.stringMatching(/null/) });
    expect(errorsOf({ items: 'x' })).toEqual({ items: 'items must be an array' });
  });

  it('reports the most fundamental problem of a field', () => {
    expect(errorsOf({ items: [{ quantity: '2' }] })).toEqual({ 'items.0.quantity': 'quantity must be an integer number' });
    expect(errorsOf({ items: [{ quantity: 1000 }] })).toEqual({ 'items.0.quantity': 'quantity must not be greater than 100' });
  });

  it('IsTimestamp normalises to UTC and bounds the future', () => {
    expect(plainToInstance(Example, { at: '2026-11-20T08:15:00+07:00' }).at).toBe('2026-11-20T01:15:00.000Z');
    expect(errorsOf({ at: '2026-11-20' })).toEqual({ at: expect.stringMatching(/^at must be an RFC 3339 date-time/) });
    expect(errorsOf({ at: new Date(Date.now() + 7200_000).toISOString() })).toEqual({ at: 'at must not be more than 1 h in the future' });
    expect(errorsOf({ at: new Date(Date.now() + 60_000).toISOString() })).toEqual({});
  });

  it('QueryInt takes decimal digits only', () => {
    expect(plainToInstance(Example, { limit: '12' }).limit).toBe(12);
    for (const bad of ['0x10', '0b11', '1e2', ' 12 ', '+5', '1.0', '', '12abc']) {
      expect(errorsOf({ limit: bad }), bad).toEqual({ limit: expect.stringMatching(/integer/) });
    }
  });

  it('NotBlank refuses zero-width-only text', () => {
    expect(errorsOf({ name: '\u200b\ufeff' })).toEqual({ name: 'name must not be blank' });
    expect(errorsOf({ name: 'Lan' })).toEqual({});
  });
});
