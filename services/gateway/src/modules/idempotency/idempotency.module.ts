import { Module } from '@nestjs/common';
import { IdempotencyRepository } from './idempotency.repository.js';
import { IdempotencyStore } from './idempotency-store.js';

@Module({
  providers: [IdempotencyRepository, IdempotencyStore],
  exports: [IdempotencyStore],
})
export class IdempotencyModule {}
