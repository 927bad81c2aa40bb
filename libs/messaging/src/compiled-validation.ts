import { getMetadataStorage, ValidationTypes, type ValidationArguments, type ValidatorConstraintInterface } from 'class-validator';

/** What the fast check concludes: only `valid` is taken as is; otherwise class-validator decides. */
export type FastVerdict = 'valid' | 'invalid' | 'unsupported';

interface Constraint {
  propertyName: string;
  each: boolean;
  constraints: unknown[];
  validateIf?: (object: object, value: unknown) => boolean;
  validators: ValidatorConstraintInterface[];
}

interface PropertyPlan {
  name: string;
  conditions: Array<(object: object, value: unknown) => boolean>;
  custom: Constraint[];
  nested: boolean;
}

/** A class's checks, read once from class-validator's metadata; null when it has none. */
type ClassPlan = { properties: PropertyPlan[] } | 'unsupported' | null;

const plans = new WeakMap<object, ClassPlan>();

/**
 * class-validator's verdict for an instance, without its per-call cost (metadata looked up and
 * grouped on every call, an error object per property, a promise per validation). The plan of
 * each class is read once from the same metadata, and each decorator's own `validate` runs with
 * the arguments class-validator would give it, in the order its ValidationExecutor follows with
 * validate()'s defaults (forbidUnknownValues on, no groups, nothing skipped). Anything outside
 * that subset (async validators, promise or IsDefined metadata, a validator answering with a
 * promise) is `unsupported`; a caller then asks class-validator itself, as for `invalid`, whose
 * messages only it writes. So `valid` is the one answer relied on, and it is class-validator's.
 */
export function fastVerdict(instance: object): FastVerdict {
  return checkObject(instance);
}

function checkObject(object: object): FastVerdict {
  const plan = planOf(object.constructor);
  if (plan === 'unsupported') return 'unsupported';
  // forbidUnknownValues: an object of a class without metadata is an error.
  if (plan === null) return 'invalid';
  let verdict: FastVerdict = 'valid';
  for (const property of plan.properties) {
    const value = (object as Record<string, unknown>)[property.name];
    if (value instanceof Promise) return 'unsupported';
    const outcome = checkProperty(object, value, property);
    if (outcome === 'unsupported') return 'unsupported';
    if (outcome === 'invalid') verdict = 'invalid';
  }
  return verdict;
}

function checkProperty(object: object, value: unknown, property: PropertyPlan): FastVerdict {
  // Conditional validation (IsOptional, ValidateIf): every condition must hold.
  for (const condition of property.conditions) if (!condition(object, value)) return 'valid';
  let verdict: FastVerdict = 'valid';
  for (const constraint of property.custom) {
    const outcome = checkConstraint(object, value, constraint);
    if (outcome === 'unsupported') return 'unsupported';
    if (outcome === 'invalid') verdict = 'invalid';
  }
  if (property.nested) {
    const outcome = checkNested(value);
    if (outcome === 'unsupported') return 'unsupported';
    if (outcome === 'invalid') verdict = 'invalid';
  }
  return verdict;
}

function checkConstraint(object: object, value: unknown, constraint: Constraint): FastVerdict {
  if (constraint.validateIf && !constraint.validateIf(object, value)) return 'valid';
  const args: ValidationArguments = {
    targetName: object.constructor ? object.constructor.name : (undefined as unknown as string),
    property: constraint.propertyName,
    object,
    value,
    constraints: constraint.constraints,
  };
  const collection = Array.isArray(value) || value instanceof Set || value instanceof Map;
  for (const validator of constraint.validators) {
    if (!constraint.each || !collection) {
      const result: unknown = validator.validate(value, args);
      if (isPromiseLike(result)) return 'unsupported';
      if (!result) return 'invalid';
      continue;
    }
    const items = value instanceof Map ? [...value.values()] : [...(value as Iterable<unknown>)];
    for (const item of items) {
      const result: unknown = validator.validate(item, args);
      if (isPromiseLike(result)) return 'unsupported';
      if (!result) return 'invalid';
    }
  }
  return 'valid';
}

/** ValidateNested: undefined passes; collections are checked item by item; objects by their own class. */
function checkNested(value: unknown): FastVerdict {
  if (value === undefined) return 'valid';
  if (Array.isArray(value) || value instanceof Set || value instanceof Map) {
    const items = value instanceof Set ? [...value] : value instanceof Map ? [...value.values()] : value;
    let verdict: FastVerdict = 'valid';
    for (const item of items as unknown[]) {
      const outcome = checkNested(item);
      if (outcome === 'unsupported') return 'unsupported';
      if (outcome === 'invalid') verdict = 'invalid';
    }
    return verdict;
  }
  if (value instanceof Object) return checkObject(value);
  return 'invalid';
}

function planOf(target: unknown): ClassPlan {
  if (typeof target !== 'function') return null;
  let plan = plans.get(target);
  if (plan === undefined) {
    plan = readPlan(target);
    plans.set(target, plan);
  }
  return plan;
}

function readPlan(target: Function): ClassPlan {
  const storage = getMetadataStorage();
  const metadatas = storage.getTargetValidationMetadatas(target, '', false, false, undefined);
  if (metadatas.length === 0) return null;
  const byProperty = new Map<string, PropertyPlan>();
  for (const metadata of metadatas) {
    let property = byProperty.get(metadata.propertyName);
    if (!property) byProperty.set(metadata.propertyName, (property = { name: metadata.propertyName, conditions: [], custom: [], nested: false }));
    switch (metadata.type) {
      case ValidationTypes.CONDITIONAL_VALIDATION:
        property.conditions.push(metadata.constraints[0] as (object: object, value: unknown) => boolean);
        break;
      case ValidationTypes.NESTED_VALIDATION:
        property.nested = true;
        break;
      case ValidationTypes.CUSTOM_VALIDATION: {
        const constraints = metadata.constraintCls ? storage.getTargetValidatorConstraints(metadata.constraintCls) : [];
        if (constraints.some((c) => c.async)) return 'unsupported';
        property.custom.push({
          propertyName: metadata.propertyName,
          each: metadata.each === true,
          constraints: metadata.constraints,
          validateIf: metadata.validateIf,
          validators: constraints.map((c) => c.instance),
        });
        break;
      }
      default:
        // IS_DEFINED, WHITELIST, PROMISE_VALIDATION and whatever a later version adds.
        return 'unsupported';
    }
  }
  return { properties: [...byProperty.values()] };
}

function isPromiseLike(value: unknown): boolean {
  return value instanceof Promise || (value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function');
}
