import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { IdempotencyStore } from '../idempotency/idempotency-store.js';
import { ProxyHandler } from './proxy.handler.js';
import { Upstreams } from './upstreams.js';

@Module({
  imports: [AuthModule],
  providers: [ProxyHandler, Upstreams, IdempotencyStore],
  exports: [ProxyHandler, Upstreams],
})
export class ProxyModule {}
