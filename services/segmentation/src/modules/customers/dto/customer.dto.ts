import { ApiProperty } from '@nestjs/swagger';
import type { Customer } from '../entities/customer.entity.js';

export class CustomerDto {
  @ApiProperty({ example: 'cus_1001' })
  externalId!: string;
  @ApiProperty({ type: String, nullable: true, example: 'lan.nguyen@example.com' })
  email!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'Nguyễn Thị Lan' })
  name!: string | null;
  @ApiProperty({ type: String, nullable: true, example: '+84 912 345 678' })
  phone!: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'vi' })
  locale!: string | null;
  @ApiProperty({ type: [String], example: ['newsletter'] })
  tags!: string[];
  @ApiProperty({ type: Boolean, nullable: true, example: null })
  vip!: boolean | null;
  @ApiProperty({ format: 'date-time', example: '2026-11-23T09:30:00.000Z' })
  createdAt!: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-23T09:30:00.000Z' })
  updatedAt!: string;

  static from(c: Customer): CustomerDto {
    return {
      externalId: c.externalId,
      email: c.email,
      name: c.name,
      phone: c.phone,
      locale: c.locale,
      tags: c.tags,
      vip: c.vip,
      createdAt: c.createdAt.toISOString(),
      updatedAt: c.updatedAt.toISOString(),
    };
  }
}

export const CUSTOMER_EXAMPLE: CustomerDto = {
  externalId: 'cus_1001',
  email: 'lan.nguyen@example.com',
  name: 'Nguyễn Thị Lan',
  phone: '+84 912 345 678',
  locale: 'vi',
  tags: ['newsletter'],
  vip: null,
  createdAt: '2026-11-23T09:30:00.000Z',
  updatedAt: '2026-11-23T09:30:00.000Z',
};
