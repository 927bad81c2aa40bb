import { Channel, OrderChannel, SEGMENT_KEY_PATTERN, Segment, type CarePolicy } from '@careflow/contracts';
import type { FieldError } from '@careflow/platform';

/**
 * The segment rule language. A rule is a tree: `all`, `any` and `not` combine conditions on
 * a customer's orders (count, spend per currency, recency, channel share, each optionally
 * within the last N days) and tags. Rules compile to SQL (memberships.repository.ts), so a
 * recompute is a handful of set-based statements whatever the number of customers.
 */
export type RuleNode =
  | { all: RuleNode[] }
  | { any: RuleNode[] }
  | { not: RuleNode }
  | { ordersCount: CountCondition }
  | { totalSpent: SpendCondition }
  | { lastOrder: RecencyCondition }
  | { channelShare: ChannelShareCondition }
  | { tags: TagsCondition };

export interface CountCondition {
  min?: number;
  max?: number;
  withinDays?: number;
}

/** Money is a decimal string per currency, as everywhere in the API. */
export interface SpendCondition {
  currency: string;
  min?: string;
  max?: string;
  withinDays?: number;
}

/** The last order was placed within the last `withinDays` days, or not within `notWithinDays` (lapsed). */
export interface RecencyCondition {
  withinDays?: number;
  notWithinDays?: number;
}

/** At least one order in `channel`, and that channel's share of all orders within [min, max]. */
export interface ChannelShareCondition {
  channel: OrderChannel;
  min?: number;
  max?: number;
  withinDays?: number;
}

export interface TagsCondition {
  any?: string[];
  all?: string[];
  none?: string[];
}

export interface SegmentDefinition {
  key: string;
  name: string;
  description?: string;
  rule: RuleNode;
  /** Only the built-in segments have one: the primary segment, always built in, decides the care a customer gets. */
  policy?: CarePolicy;
}

/**
 * The whole rule set, stored as one versioned document. The four built-in segments are always
 * there, taken in the fixed precedence vip > regular > online > walk_in for the primary segment;
 * custom segments are memberships (lists, filters, webhooks) beside it.
 */
export interface SegmentRules {
  fallbackSegment: Segment;
  segments: SegmentDefinition[];
}

export const BUILT_IN_NAMES: Record<Segment, string> = { vip: 'VIP', regular: 'Regular', online: 'Online', walk_in: 'Walk-in' };

/** What the first release ships (and the initial migration stores as version 1). */
export const DEFAULT_SEGMENT_RULES: SegmentRules = {
  fallbackSegment: 'online',
  segments: [
    {
      key: 'vip',
      name: 'VIP',
      description: 'Spent at least the threshold of a currency, or ordered 10 times, within a year.',
      rule: {
        any: [
          { totalSpent: { currency: 'VND', min: '50000000', withinDays: 365 } },
          { totalSpent: { currency: 'EUR', min: '2000', withinDays: 365 } },
          { totalSpent: { currency: 'USD', min: '2000', withinDays: 365 } },
          { ordersCount: { min: 10, withinDays: 365 } },
        ],
      },
      policy: { priorityBump: 1, slaPolicy: 'vip', preferredChannel: 'phone' },
    },
    {
      key: 'regular',
      name: 'Regular',
      description: 'At least two orders within 180 days.',
      rule: { ordersCount: { min: 2, withinDays: 180 } },
      policy: { priorityBump: 0, slaPolicy: 'regular', preferredChannel: 'email' },
    },
    {
      key: 'online',
      name: 'Online',
      description: 'Orders online at least half of the time.',
      rule: { channelShare: { channel: 'online', min: 0.5 } },
      policy: { priorityBump: 0, slaPolicy: 'online', preferredChannel: 'email' },
    },
    {
      key: 'walk_in',
      name: 'Walk-in',
      description: 'Buys in store at least half of the time.',
      rule: { channelShare: { channel: 'in_store', min: 0.5 } },
      policy: { priorityBump: 0, slaPolicy: 'walk_in', preferredChannel: 'phone' },
    },
  ],
};

export const MAX_SEGMENTS = 50;
export const MAX_RULE_DEPTH = 6;
export const MAX_RULE_CONDITIONS = 64;
const MAX_DAYS = 36_500;
const MAX_COUNT = 1_000_000;
const MONEY = /^\d{1,14}(\.\d{1,4})?$/;
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
const TAG = /^[^\s].{0,63}$/su;

type Errors = FieldError[];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unknownKeys(errors: Errors, field: string, value: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) errors.push({ field: `${field}.${key}`, message: `${field}.${key} is not a known field (expected ${allowed.join(', ')})` });
  }
}

function integer(errors: Errors, field: string, value: unknown, min: number, max: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    errors.push({ field, message: `${field} must be an integer from ${min} to ${max}` });
  }
}

function share(errors: Errors, field: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    errors.push({ field, message: `${field} must be a number from 0 to 1` });
  }
}

function money(errors: Errors, field: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || !MONEY.test(value)) {
    errors.push({ field, message: `${field} must be a non-negative decimal string such as "2000.00"` });
  }
}

function ordered(errors: Errors, field: string, min: unknown, max: unknown): void {
  if (min === undefined || max === undefined) return;
  if (Number(min) > Number(max)) errors.push({ field: `${field}.max`, message: `${field}.max must not be less than ${field}.min` });
}

function needsOne(errors: Errors, field: string, value: Record<string, unknown>, keys: readonly string[]): void {
  if (!keys.some((k) => value[k] !== undefined)) errors.push({ field, message: `${field} needs at least one of ${keys.join(', ')}` });
}

function tagList(errors: Errors, field: string, value: unknown): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || value.length === 0 || value.length > 50) {
    errors.push({ field, message: `${field} must be a list of 1 to 50 tags` });
    return;
  }
  value.forEach((tag, i) => {
    if (typeof tag !== 'string' || !TAG.test(tag)) errors.push({ field: `${field}.${i}`, message: `${field}.${i} must be a tag of 1 to 64 characters` });
  });
}

const NODE_KINDS = ['all', 'any', 'not', 'ordersCount', 'totalSpent', 'lastOrder', 'channelShare', 'tags'] as const;

function validateNode(errors: Errors, field: string, node: unknown, depth: number, budget: { conditions: number }): void {
  if (!isObject(node)) {
    errors.push({ field, message: `${field} must be an object with one of ${NODE_KINDS.join(', ')}` });
    return;
  }
  const keys = Object.keys(node);
  if (keys.length !== 1 || !(NODE_KINDS as readonly string[]).includes(keys[0]!)) {
    errors.push({ field, message: `${field} must have exactly one of ${NODE_KINDS.join(', ')}` });
    return;
  }
  if (depth > MAX_RULE_DEPTH) {
    errors.push({ field, message: `${field} is nested deeper than ${MAX_RULE_DEPTH} levels` });
    return;
  }
  if (++budget.conditions > MAX_RULE_CONDITIONS) {
    if (budget.conditions === MAX_RULE_CONDITIONS + 1) errors.push({ field, message: `a rule has at most ${MAX_RULE_CONDITIONS} conditions` });
    return;
  }
  const kind = keys[0] as (typeof NODE_KINDS)[number];
  const value = node[kind];
  const at = `${field}.${kind}`;
  if (kind === 'all' || kind === 'any') {
    if (!Array.isArray(value) || value.length === 0 || value.length > 20) {
      errors.push({ field: at, message: `${at} must be a list of 1 to 20 rules` });
      return;
    }
    value.forEach((child, i) => validateNode(errors, `${at}.${i}`, child, depth + 1, budget));
    return;
  }
  if (kind === 'not') {
    validateNode(errors, at, value, depth + 1, budget);
    return;
  }
  if (!isObject(value)) {
    errors.push({ field: at, message: `${at} must be an object` });
    return;
  }
  switch (kind) {
    case 'ordersCount':
      unknownKeys(errors, at, value, ['min', 'max', 'withinDays']);
      needsOne(errors, at, value, ['min', 'max']);
      integer(errors, `${at}.min`, value.min, 0, MAX_COUNT);
      integer(errors, `${at}.max`, value.max, 0, MAX_COUNT);
      integer(errors, `${at}.withinDays`, value.withinDays, 1, MAX_DAYS);
      ordered(errors, at, value.min, value.max);
      return;
    case 'totalSpent':
      unknownKeys(errors, at, value, ['currency', 'min', 'max', 'withinDays']);
      needsOne(errors, at, value, ['min', 'max']);
      if (typeof value.currency !== 'string' || !/^[A-Z]{3}$/.test(value.currency) || !CURRENCIES.has(value.currency)) {
        errors.push({ field: `${at}.currency`, message: `${at}.currency must be an ISO 4217 currency code such as EUR or VND` });
      }
      money(errors, `${at}.min`, value.min);
      money(errors, `${at}.max`, value.max);
      integer(errors, `${at}.withinDays`, value.withinDays, 1, MAX_DAYS);
      ordered(errors, at, value.min, value.max);
      return;
    case 'lastOrder':
      unknownKeys(errors, at, value, ['withinDays', 'notWithinDays']);
      needsOne(errors, at, value, ['withinDays', 'notWithinDays']);
      integer(errors, `${at}.withinDays`, value.withinDays, 1, MAX_DAYS);
      integer(errors, `${at}.notWithinDays`, value.notWithinDays, 1, MAX_DAYS);
      return;
    case 'channelShare':
      unknownKeys(errors, at, value, ['channel', 'min', 'max', 'withinDays']);
      needsOne(errors, at, value, ['min', 'max']);
      if (!(OrderChannel as readonly unknown[]).includes(value.channel)) {
        errors.push({ field: `${at}.channel`, message: `${at}.channel must be one of ${OrderChannel.join(', ')}` });
      }
      share(errors, `${at}.min`, value.min);
      share(errors, `${at}.max`, value.max);
      integer(errors, `${at}.withinDays`, value.withinDays, 1, MAX_DAYS);
      ordered(errors, at, value.min, value.max);
      return;
    case 'tags':
      unknownKeys(errors, at, value, ['any', 'all', 'none']);
      needsOne(errors, at, value, ['any', 'all', 'none']);
      tagList(errors, `${at}.any`, value.any);
      tagList(errors, `${at}.all`, value.all);
      tagList(errors, `${at}.none`, value.none);
      return;
  }
}

function validatePolicy(errors: Errors, field: string, value: unknown): void {
  if (!isObject(value)) {
    errors.push({ field, message: `${field} must be an object with priorityBump, slaPolicy and preferredChannel` });
    return;
  }
  unknownKeys(errors, field, value, ['priorityBump', 'slaPolicy', 'preferredChannel']);
  if (value.priorityBump === undefined) errors.push({ field: `${field}.priorityBump`, message: `${field}.priorityBump is required` });
  integer(errors, `${field}.priorityBump`, value.priorityBump, 0, 3);
  if (!(Segment as readonly unknown[]).includes(value.slaPolicy)) {
    errors.push({ field: `${field}.slaPolicy`, message: `${field}.slaPolicy must be one of ${Segment.join(', ')}` });
  }
  if (!(Channel as readonly unknown[]).includes(value.preferredChannel)) {
    errors.push({ field: `${field}.preferredChannel`, message: `${field}.preferredChannel must be one of ${Channel.join(', ')}` });
  }
}

/**
 * Checks a rule set as a client sent it (the raw JSON, after the request pipe's checks of
 * nesting and text) and returns every problem with its field path, so one 400 names them all.
 */
export function segmentRulesProblems(input: unknown): FieldError[] {
  const errors: Errors = [];
  if (!isObject(input)) return [{ field: 'body', message: 'body must be a rule set object' }];
  unknownKeys(errors, 'body', input, ['fallbackSegment', 'segments']);
  for (const e of errors) e.field = e.field.replace(/^body\./, '');
  if (!(Segment as readonly unknown[]).includes(input.fallbackSegment)) {
    errors.push({ field: 'fallbackSegment', message: `fallbackSegment must be one of ${Segment.join(', ')}` });
  }
  const segments = input.segments;
  if (!Array.isArray(segments) || segments.length < Segment.length || segments.length > MAX_SEGMENTS) {
    errors.push({ field: 'segments', message: `segments must be a list of ${Segment.length} to ${MAX_SEGMENTS} segments, the built-in ${Segment.join(', ')} among them` });
    return errors;
  }
  const seen = new Set<string>();
  segments.forEach((segment: unknown, i) => {
    const at = `segments.${i}`;
    if (!isObject(segment)) {
      errors.push({ field: at, message: `${at} must be an object with key, name and rule` });
      return;
    }
    unknownKeys(errors, at, segment, ['key', 'name', 'description', 'rule', 'policy']);
    const key = segment.key;
    const builtIn = (Segment as readonly unknown[]).includes(key);
    if (typeof key !== 'string' || !SEGMENT_KEY_PATTERN.test(key)) {
      errors.push({ field: `${at}.key`, message: `${at}.key must be 2 to 40 lower-case letters, digits or _, starting with a letter` });
    } else if (seen.has(key)) {
      errors.push({ field: `${at}.key`, message: `${at}.key ${key} appears twice` });
    } else {
      seen.add(key);
    }
    if (segment.name !== undefined && (typeof segment.name !== 'string' || segment.name.trim() === '' || segment.name.length > 100)) {
      errors.push({ field: `${at}.name`, message: `${at}.name must be 1 to 100 characters` });
    } else if (segment.name === undefined && !builtIn) {
      errors.push({ field: `${at}.name`, message: `${at}.name is required for a custom segment` });
    }
    if (segment.description !== undefined && (typeof segment.description !== 'string' || segment.description.length > 500)) {
      errors.push({ field: `${at}.description`, message: `${at}.description must be at most 500 characters` });
    }
    validateNode(errors, `${at}.rule`, segment.rule, 1, { conditions: 0 });
    if (builtIn) {
      validatePolicy(errors, `${at}.policy`, segment.policy);
    } else if (segment.policy !== undefined) {
      errors.push({ field: `${at}.policy`, message: `${at}.policy is only for the built-in segments (${Segment.join(', ')}): a customer's care follows their primary segment, which is always one of them` });
    }
  });
  for (const key of Segment) {
    if (!seen.has(key) && !errors.some((e) => /^segments\.\d+\.key$/.test(e.field))) {
      errors.push({ field: 'segments', message: `segments must define the built-in segment ${key}` });
    }
  }
  return errors;
}

/** A validated rule set in its stored form: names filled in for built-ins, keys in document order. */
export function normalizeSegmentRules(input: SegmentRules): SegmentRules {
  return {
    fallbackSegment: input.fallbackSegment,
    segments: input.segments.map((s) => ({
      key: s.key,
      name: s.name ?? BUILT_IN_NAMES[s.key as Segment],
      ...(s.description !== undefined ? { description: s.description } : {}),
      rule: s.rule,
      ...(s.policy ? { policy: { priorityBump: s.policy.priorityBump, slaPolicy: s.policy.slaPolicy, preferredChannel: s.policy.preferredChannel } } : {}),
    })),
  };
}

export function isBuiltIn(key: string): key is Segment {
  return (Segment as readonly string[]).includes(key);
}
