import { Type } from 'class-transformer';
import { plainToInstance } from 'class-transformer';
import { IsEmail, IsInt, IsString, ValidateNested, validateSync } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { flattenValidationErrors } from './validation-errors.js';

class Item {
  @IsString()
  sku!: string;
  @IsInt()
  quantity!: number;
}
class Customer {
  @IsEmail()
  email!: string;
}
class Order {
  @ValidateNested()
  @Type(() => Customer)
  customer!: Customer;
  @ValidateNested({ each: true })
  @Type(() => Item)
  items!: Item[];
}

describe('flattenValidationErrors', () => {
  it('names nested fields with dotted paths, array items by index', () => {
    const order = plainToInstance(Order, { customer: { email: 'nope' }, items: [{ sku: 'A', quantity: 1 }, { sku: 2, quantity: 'x' }] });
    const errors = flattenValidationErrors(validateSync(order));
    expect(errors.map((e) => e.field)).toEqual(['customer.email', 'items.1.sku', 'items.1.quantity']);
    expect(errors[0]!.message).toBe('email must be an email');
  });
});
