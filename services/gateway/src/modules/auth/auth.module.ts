import { Module } from '@nestjs/common';
import { RateLimiter } from '../rate-limit/rate-limiter.js';
import { AccessControl } from './access-control.js';
import { GatewayAuthGuard } from './gateway-auth.guard.js';

@Module({
  providers: [AccessControl, RateLimiter, GatewayAuthGuard],
  exports: [AccessControl, RateLimiter, GatewayAuthGuard],
})
export class AuthModule {}
