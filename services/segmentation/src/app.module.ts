import { ServiceKitModule } from '@careflow/service-kit';
import { Module, type DynamicModule } from '@nestjs/common';
import { SegmentationConfig } from './config/segmentation.config.js';
import { entities } from './database/entities.js';
import { migrations } from './database/migrations/index.js';
import { SCHEMA } from './database/schema.js';
import { CustomersModule } from './modules/customers/customers.module.js';
import { IncomingModule } from './modules/incoming/incoming.module.js';
import { OrderStatsModule } from './modules/order-stats/order-stats.module.js';
import { SegmentsModule } from './modules/segments/segments.module.js';

@Module({})
export class AppModule {
  /** `config` lets tests boot the module with settings of their own. */
  static create(config?: SegmentationConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forService({
          service: 'segmentation',
          schema: SCHEMA,
          config: SegmentationConfig,
          configValue: config,
          entities,
          migrations,
        }),
        // Each feature folder is a module; their order is the order of the OpenAPI document's paths.
        CustomersModule,
        SegmentsModule,
        OrderStatsModule,
        IncomingModule,
      ],
    };
  }
}
