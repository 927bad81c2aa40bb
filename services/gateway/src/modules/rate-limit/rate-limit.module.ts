import { Module } from '@nestjs/common';
import { AuthFailureLimiter } from './auth-failure-limiter.js';
import { RateLimiter } from './rate-limiter.js';

@Module({
  providers: [RateLimiter, AuthFailureLimiter],
  exports: [RateLimiter, AuthFailureLimiter],
})
export class RateLimitModule {}
