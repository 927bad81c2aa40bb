import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { IdempotencyModule } from '../idempotency/idempotency.module.js';
import { ProxyHandler } from './proxy.handler.js';
import { Upstreams } from './upstreams.js';

@Module({
  imports: [AuthModule, IdempotencyModule],
  providers: [ProxyHandler, Upstreams],
  exports: [ProxyHandler, Upstreams],
})
export class ProxyModule {}
