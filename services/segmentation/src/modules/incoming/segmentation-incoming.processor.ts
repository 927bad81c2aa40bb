import { QueueName, assertNever, type QueueJob } from '@careflow/contracts';
import { QueueWorker, WorkerRuntime } from '@careflow/messaging';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CustomersService } from '../customers/customers.service.js';
import { OrderStatsService } from '../order-stats/order-stats.service.js';

/** The one consumer of the segmentation-incoming queue: recorded orders, and customers met on tickets or in mail. */
@Injectable()
export class SegmentationIncomingProcessor extends QueueWorker<typeof QueueName.SegmentationIncoming> {
  protected readonly queue = QueueName.SegmentationIncoming;

  constructor(
    runtime: WorkerRuntime,
    private readonly orders: OrderStatsService,
    private readonly customers: CustomersService,
  ) {
    super(runtime);
  }

  protected async handle(job: QueueJob<typeof QueueName.SegmentationIncoming>, tx: EntityManager): Promise<void> {
    switch (job.name) {
      case 'order.recorded':
        return this.orders.record(tx, job.envelope.data);
      case 'customer.observed':
        return this.customers.observe(tx, [{ observation: job.envelope.data, requestId: job.envelope.requestId ?? null }]);
      default:
        assertNever(job);
    }
  }

  /** Customers observed together are recorded, announced and segmented together (CustomersService.observe). */
  protected override async handleBatch(jobs: ReadonlyArray<QueueJob<typeof QueueName.SegmentationIncoming>>, tx: EntityManager): Promise<void> {
    const observed = jobs.flatMap((job) => (job.name === 'customer.observed' ? [{ observation: job.envelope.data, requestId: job.envelope.requestId ?? null }] : []));
    if (observed.length < jobs.length) return super.handleBatch(jobs, tx) as Promise<void>;
    await this.customers.observe(tx, observed);
  }
}
