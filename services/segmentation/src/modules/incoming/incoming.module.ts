import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers/customers.module.js';
import { OrderStatsModule } from '../order-stats/order-stats.module.js';
import { SegmentationIncomingProcessor } from './segmentation-incoming.processor.js';

/** The consumer of the segmentation-incoming queue. */
@Module({ imports: [CustomersModule, OrderStatsModule], providers: [SegmentationIncomingProcessor] })
export class IncomingModule {}
