import { describe, expect, it } from 'vitest';
import { customerRanges } from './memberships.repository.js';
import { DEFAULT_SEGMENT_RULES, MAX_RULE_CONDITIONS, normalizeSegmentRules, segmentRulesProblems } from './segment-rules.js';

const policy = (slaPolicy: string) => ({ priorityBump: 0, slaPolicy, preferredChannel: 'email' });
const builtIns = (rule: unknown = { ordersCount: { min: 1 } }) =>
  ['vip', 'regular', 'online', 'walk_in'].map((key) => ({ key, rule, policy: policy(key) }));
const fields = (input: unknown) => segmentRulesProblems(input).map((e) => e.field);

describe('segment rules', () => {
  it('accepts the defaults and fills in built-in names', () => {
    expect(segmentRulesProblems(DEFAULT_SEGMENT_RULES)).toEqual([]);
    const normalized = normalizeSegmentRules({ fallbackSegment: 'online', segments: builtIns() as never });
    expect(normalized.segments.map((s) => s.name)).toEqual(['VIP', 'Regular', 'Online', 'Walk-in']);
  });

  it('accepts every kind of condition, nested', () => {
    const rule = {
      all: [
        { any: [{ totalSpent: { currency: 'VND', min: '100.5', max: '900', withinDays: 30 } }, { lastOrder: { withinDays: 7 } }] },
        { not: { tags: { any: ['blocked'], none: ['x'] } } },
        { channelShare: { channel: 'in_store', min: 0.25, max: 1, withinDays: 90 } },
        { lastOrder: { notWithinDays: 365 } },
      ],
    };
    expect(segmentRulesProblems({ fallbackSegment: 'walk_in', segments: [...builtIns(), { key: 'lapsed_vip', name: 'Lapsed', rule }] })).toEqual([]);
  });

  it('names each bad field: unknown keys, negative thresholds, unknown currencies, bad shares', () => {
    expect(
      fields({
        fallbackSegment: 'gold',
        extra: true,
        segments: [
          { key: 'vip', rule: { totalSpent: { currency: 'ABC', min: '-1' } }, policy: { ...policy('vip'), priorityBump: 4 } },
          { key: 'regular', rule: { ordersCount: { min: -2, withinDays: 0, typo: 1 } }, policy: policy('regular') },
          { key: 'online', rule: { channelShare: { channel: 'mail', min: 2 } }, policy: policy('gold') },
          { key: 'walk_in', rule: { ordersCount: { min: 5, max: 2 } }, policy: policy('walk_in') },
        ],
      }).sort(),
    ).toEqual(
      [
        'extra',
        'fallbackSegment',
        'segments.0.policy.priorityBump',
        'segments.0.rule.totalSpent.currency',
        'segments.0.rule.totalSpent.min',
        'segments.1.rule.ordersCount.min',
        'segments.1.rule.ordersCount.typo',
        'segments.1.rule.ordersCount.withinDays',
        'segments.2.policy.slaPolicy',
        'segments.2.rule.channelShare.channel',
        'segments.2.rule.channelShare.min',
        'segments.3.rule.ordersCount.max',
      ].sort(),
    );
  });

  it('requires every built-in segment once, names for custom ones, and no policy on them', () => {
    expect(fields({ fallbackSegment: 'online', segments: builtIns().slice(1) })).toEqual(['segments']);
    const twice = [...builtIns(), { key: 'vip', rule: { ordersCount: { min: 1 } }, policy: policy('vip') }];
    expect(fields({ fallbackSegment: 'online', segments: twice })).toEqual(['segments.4.key']);
    expect(fields({ fallbackSegment: 'online', segments: [...builtIns(), { key: 'big', rule: { ordersCount: { min: 1 } }, policy: policy('vip') }] }).sort()).toEqual(
      ['segments.4.name', 'segments.4.policy'],
    );
    expect(fields({ fallbackSegment: 'online', segments: [...builtIns(), { key: '9bad', name: 'x', rule: { ordersCount: { min: 1 } } }] })).toEqual(['segments.4.key']);
  });

  it('refuses rules that are not one condition, too deep or too large', () => {
    expect(fields({ fallbackSegment: 'online', segments: builtIns({ ordersCount: { min: 1 }, tags: { any: ['a'] } }) })).toHaveLength(4);
    expect(fields({ fallbackSegment: 'online', segments: builtIns({ any: [] }) })).toHaveLength(4);
    let deep: unknown = { ordersCount: { min: 1 } };
    for (let i = 0; i < 7; i++) deep = { not: deep };
    expect(segmentRulesProblems({ fallbackSegment: 'online', segments: builtIns(deep) })[0]?.message).toContain('nested deeper');
    const wide = { any: Array.from({ length: 20 }, () => ({ all: Array.from({ length: 4 }, () => ({ ordersCount: { min: 1 } })) })) };
    expect(segmentRulesProblems({ fallbackSegment: 'online', segments: builtIns(wide) })[0]?.message).toContain(`at most ${MAX_RULE_CONDITIONS}`);
    expect(fields(null)).toEqual(['body']);
    expect(fields({ fallbackSegment: 'online', segments: 'all of them' })).toEqual(['segments']);
  });
});

describe('customer ranges of a recompute', () => {
  it('cover the uuid space without gaps or overlaps', () => {
    expect(customerRanges(1)).toEqual([{ from: null, to: null }]);
    const ranges = customerRanges(3);
    expect(ranges[0]!.from).toBeNull();
    expect(ranges[2]!.to).toBeNull();
    expect(ranges[0]!.to).toBe(ranges[1]!.from);
    expect(ranges[1]!.to).toBe(ranges[2]!.from);
    expect(ranges[1]!.from).toBe('55555555-0000-0000-0000-000000000000');
  });
});
