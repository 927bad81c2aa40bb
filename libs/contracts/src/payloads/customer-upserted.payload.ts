import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsDate,
  IsEmail,
  IsInt,
  IsOptional,
  IsString,
  Min,
} from 'class-validator';

/** segmentation → tickets (and later notifications): the customer's contact data changed. */
export class CustomerUpsertedPayload {
  @IsString()
  externalId!: string;

  @IsOptional()
  @IsEmail()
  email!: string | null;

  @IsOptional()
  @IsString()
  name!: string | null;

  @IsOptional()
  @IsString()
  phone!: string | null;

  @IsOptional()
  @IsString()
  locale!: string | null;

  @IsArray()
  @IsString({ each: true })
  tags!: string[];

  @IsOptional()
  @IsBoolean()
  vip!: boolean | null;

  /** Increases with every change of the customer; consumers ignore versions they have passed. */
  @IsInt()
  @Min(1)
  version!: number;

  @Type(() => Date)
  @IsDate()
  updatedAt!: Date;
}
