import 'reflect-metadata';
import { JOB_PAYLOADS, JobEnvelope } from '@careflow/contracts';
import { plainToInstance, Type } from 'class-transformer';
import type { MetadataStorage as TransformMetadata } from 'class-transformer/types/MetadataStorage.js';
import {
  getMetadataStorage,
  IsDefined,
  IsString,
  registerDecorator,
  validate,
  ValidateNested,
  ValidationTypes,
  type ValidationArguments,
} from 'class-validator';
import fc from 'fast-check';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { fastVerdict } from './compiled-validation.js';

// Where class-transformer keeps @Type (the same module instance the contracts' decorators wrote to).
const { defaultMetadataStorage } = createRequire(import.meta.url)('class-transformer/cjs/storage.js') as { defaultMetadataStorage: TransformMetadata };

type Plain = Record<string, unknown>;

const HOSTILE: unknown[] = [null, undefined, 42, -1, 1.5, '', 'x', '\u0000', [], {}, true, ['a', 1], [{}], new Date('nope').toString()];

/** Names of the validators on a property, and their constraints, from class-validator's metadata. */
function validatorsOf(target: Function, property: string): Map<string, unknown[]> {
  const storage = getMetadataStorage();
  const found = new Map<string, unknown[]>();
  for (const m of storage.getTargetValidationMetadatas(target, '', false, false, undefined)) {
    if (m.propertyName !== property) continue;
    if (m.type === ValidationTypes.CUSTOM_VALIDATION && m.constraintCls) {
      for (const c of storage.getTargetValidatorConstraints(m.constraintCls)) found.set(c.name, m.constraints);
    } else {
      found.set(m.type, m.constraints);
    }
  }
  return found;
}

/** Plain objects shaped like `target`'s contract: mostly well-formed values, some hostile ones. */
function plainOf(target: Function, depth = 0): fc.Arbitrary<Plain> {
  const properties = [...new Set(getMetadataStorage().getTargetValidationMetadatas(target, '', false, false, undefined).map((m) => m.propertyName))];
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const property of properties) {
    const validators = validatorsOf(target, property);
    const typed = defaultMetadataStorage.findTypeMetadata(target, property)?.typeFunction();
    const list = validators.has('isArray');
    let wellFormed: fc.Arbitrary<unknown>;
    if (typed === Date) wellFormed = fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }).map((d) => d.toISOString());
    else if (typed && depth < 3) wellFormed = list ? fc.array(plainOf(typed, depth + 1), { maxLength: 3 }) : plainOf(typed, depth + 1);
    else if (validators.has('isIn') && list) wellFormed = fc.subarray((validators.get('isIn')![0] as unknown[]) ?? []);
    else {
      const one = elementOf(validators);
      wellFormed = list ? fc.array(one, { maxLength: 4 }) : one;
    }
    record[property] = fc.oneof({ weight: 12, arbitrary: wellFormed }, { weight: 1, arbitrary: fc.constantFrom(...HOSTILE) });
  }
  return fc.record(record);
}

/** A well-formed value for one property (or one item of a list), by its most telling validator. */
function elementOf(validators: Map<string, unknown[]>): fc.Arbitrary<unknown> {
  if (validators.has('isIn')) return fc.constantFrom(...((validators.get('isIn')![0] as unknown[]) ?? []));
  if (validators.has('isUuid')) return fc.uuid();
  if (validators.has('isEmail')) return fc.constantFrom('lan@example.com', 'a.b+c@shop.test', 'not-an-address');
  const pattern = validators.get('matches')?.[0];
  if (pattern instanceof RegExp) return fc.stringMatching(pattern, { size: 'xsmall' });
  if (validators.has('isInt')) return fc.integer({ min: -3, max: 1000 });
  if (validators.has('isBoolean')) return fc.boolean();
  if (validators.has('isObject')) return fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });
  if (validators.has('isString')) return fc.string({ maxLength: 40 });
  return fc.jsonValue({ maxDepth: 2 });
}

async function classValidatorSays(instance: object): Promise<'valid' | 'invalid'> {
  return (await validate(instance)).length === 0 ? 'valid' : 'invalid';
}

describe('fastVerdict', () => {
  const contracts: Array<[string, new () => object]> = [['JobEnvelope', JobEnvelope], ...Object.entries(JOB_PAYLOADS)];

  it.each(contracts)('agrees with class-validator on %s, valid or not (random payloads, hostile values mixed in)', async (_name, target) => {
    let valid = 0;
    let invalid = 0;
    await fc.assert(
      fc.asyncProperty(plainOf(target), async (plain) => {
        const instance = plainToInstance(target, plain) as object;
        const fast = fastVerdict(instance);
        expect(fast).not.toBe('unsupported');
        expect(fast).toBe(await classValidatorSays(instance));
        if (fast === 'valid') valid++;
        else invalid++;
      }),
      { numRuns: 150, seed: 20261202 },
    );
    // Both answers were exercised, so agreement means something.
    expect(valid).toBeGreaterThan(0);
    expect(invalid).toBeGreaterThan(0);
  });

  it('takes a nested object of a class without contract, or a primitive where one is nested, as invalid (forbidUnknownValues)', async () => {
    class Plain {
      name = 'x';
    }
    class Holder {
      @ValidateNested()
      @Type(() => Plain)
      inner!: unknown;
    }
    for (const inner of [new Plain(), 'text', [new Plain()], [1]]) {
      const holder = Object.assign(new Holder(), { inner });
      expect(fastVerdict(holder)).toBe('invalid');
      expect(await classValidatorSays(holder)).toBe('invalid');
    }
    const empty = Object.assign(new Holder(), { inner: undefined });
    expect(fastVerdict(empty)).toBe(await classValidatorSays(empty));
  });

  it('leaves what it does not plan for to class-validator: IsDefined, async validators', () => {
    class Defined {
      @IsDefined()
      @IsString()
      name!: string;
    }
    expect(fastVerdict(Object.assign(new Defined(), { name: 'x' }))).toBe('unsupported');

    class Async {
      name!: string;
    }
    registerDecorator({
      name: 'eventually',
      target: Async,
      propertyName: 'name',
      async: true,
      validator: { validate: (value: unknown, _args?: ValidationArguments) => Promise.resolve(typeof value === 'string') },
    });
    expect(fastVerdict(Object.assign(new Async(), { name: 'x' }))).toBe('unsupported');
  });
});
