import { Module } from '@nestjs/common';
import { ProxyModule } from '../proxy/proxy.module.js';
import { OpenApiAggregator } from './openapi-aggregator.js';

@Module({
  imports: [ProxyModule],
  providers: [OpenApiAggregator],
  exports: [OpenApiAggregator],
})
export class DocsModule {}
