import { describe, expect, it } from 'vitest';
import { inputShapeProblem, MAX_INPUT_DEPTH } from './input-shape.js';
import { isBlank, textProblem } from './text-rules.js';

describe('text rules', () => {
  it('refuses NUL and unpaired surrogates, takes any other text', () => {
    expect(textProblem('a\u0000b')).toMatch(/NUL/);
    for (const lone of ['x\ud800y', '\udc00', '\udc00\ud800', 'end\ud83d']) expect(textProblem(lone)).toMatch(/surrogate/);
    for (const fine of ['', 'Nguyễn Thị Lan', '😀', '\u200b', 'tab\there', '\ud83d\ude00']) expect(textProblem(fine)).toBeNull();
  });

  it('calls zero-width, format and control characters blank', () => {
    for (const blank of ['', '   ', '\u200b', '\u200b\ufeff', '\u2060\u00a0', '\t\r\n', '\u0007']) expect(isBlank(blank)).toBe(true);
    for (const text of ['a', ' a ', '\u200bx', '😀', '.']) expect(isBlank(text)).toBe(false);
  });
});

describe('input shape', () => {
  it('names the field of a bad string, a bad key, or the body itself', () => {
    expect(inputShapeProblem({ customer: { name: 'a\u0000' } })).toEqual({ field: 'customer.name', message: expect.stringMatching(/^customer\.name .*NUL/) });
    expect(inputShapeProblem({ items: [{ name: 'ok' }, { name: 'x\ud800' }] })?.field).toBe('items.1.name');
    expect(inputShapeProblem({ ['k\u0000']: 1 })?.field).toBe('k\u0000');
    expect(inputShapeProblem('a\u0000')?.field).toBe('body');
    expect(inputShapeProblem({ q: 'a\u0000' }, '')?.field).toBe('q');
    expect(inputShapeProblem('a\u0000', 'id')?.field).toBe('id');
  });

  it('bounds nesting before anything recursive sees it', () => {
    const deep = JSON.parse('['.repeat(10_000) + ']'.repeat(10_000));
    expect(inputShapeProblem(deep)?.message).toMatch(/nested deeper than/);
    const deepInField = JSON.parse('{"subject":' + '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000) + '}');
    expect(inputShapeProblem(deepInField)?.field).toMatch(/^subject\.a\.a/);
    let fine: unknown = 'leaf';
    for (let i = 0; i < MAX_INPUT_DEPTH; i++) fine = [fine];
    expect(inputShapeProblem(fine)).toBeNull();
    expect(inputShapeProblem([fine])).not.toBeNull();
  });

  it('takes ordinary input, buffers and large flat arrays', () => {
    expect(inputShapeProblem({ subject: 'Đơn hàng', tags: ['a'], n: 1, ok: true, none: null })).toBeNull();
    expect(inputShapeProblem(Buffer.from([0, 0xff]))).toBeNull();
    expect(inputShapeProblem({ items: Array.from({ length: 100_000 }, (_, i) => i) })).toBeNull();
  });
});
