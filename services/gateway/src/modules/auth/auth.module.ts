import { Module } from '@nestjs/common';
import { RateLimitModule } from '../rate-limit/rate-limit.module.js';
import { AccessControl } from './access-control.js';
import { GatewayAuthGuard } from './gateway-auth.guard.js';

@Module({
  imports: [RateLimitModule],
  providers: [AccessControl, GatewayAuthGuard],
  exports: [AccessControl, GatewayAuthGuard],
})
export class AuthModule {}
