import { Module } from '@nestjs/common';
import { AuthFailureLimiter } from '../rate-limit/auth-failure-limiter.js';
import { RateLimiter } from '../rate-limit/rate-limiter.js';
import { AccessControl } from './access-control.js';
import { GatewayAuthGuard } from './gateway-auth.guard.js';

@Module({
  providers: [AccessControl, RateLimiter, AuthFailureLimiter, GatewayAuthGuard],
  exports: [AccessControl, RateLimiter, GatewayAuthGuard],
})
export class AuthModule {}
