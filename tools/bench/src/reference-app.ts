/**
 * The benchmark's reference: a bare NestJS app (Express, ValidationPipe with whitelist and
 * forbidNonWhitelisted) with one POST endpoint validating a body shaped like a ticket and
 * answering 201 with JSON. No auth, no proxy, no database: what Nest itself costs.
 */
import 'reflect-metadata';
import { Body, Controller, HttpCode, Module, Post, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Type } from 'class-transformer';
import { IsEmail, IsIn, IsObject, IsOptional, IsString, Length, ValidateNested } from 'class-validator';
import { randomUUID } from 'node:crypto';

class CustomerInput {
  @IsEmail()
  email!: string;
  @IsOptional()
  @IsString()
  name?: string;
}

class CreateThing {
  @IsString()
  @Length(1, 250)
  subject!: string;
  @IsString()
  @Length(1, 65536)
  description!: string;
  @IsObject()
  @ValidateNested()
  @Type(() => CustomerInput)
  customer!: CustomerInput;
  @IsIn(['email', 'web', 'api', 'phone', 'chat', 'sms', 'social'])
  channel!: string;
}

@Controller('v1/things')
class ThingsController {
  @Post()
  @HttpCode(201)
  create(@Body() body: CreateThing): object {
    return { id: randomUUID(), ...body, createdAt: new Date().toISOString() };
  }
}

@Module({ controllers: [ThingsController] })
class ReferenceModule {}

const app = await NestFactory.create(ReferenceModule, { logger: ['error'] });
app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
await app.listen(Number(process.argv[2] ?? 3199), '127.0.0.1');
process.stdout.write('ready\n');
