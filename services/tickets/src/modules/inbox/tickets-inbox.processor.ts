import { QueueName, assertNever, type QueueJob } from '@careflow/contracts';
import { QueueWorker, WorkerRuntime } from '@careflow/messaging';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CustomerProjectionService } from '../customers/customer-projection.service.js';

/** The one consumer of the tickets inbox: routes each job name to the feature that owns it. */
@Injectable()
export class TicketsInboxProcessor extends QueueWorker<typeof QueueName.TicketsInbox> {
  protected readonly queue = QueueName.TicketsInbox;

  constructor(
    runtime: WorkerRuntime,
    private readonly customers: CustomerProjectionService,
  ) {
    super(runtime);
  }

  protected async handle(job: QueueJob<typeof QueueName.TicketsInbox>, tx: EntityManager): Promise<void> {
    switch (job.name) {
      case 'customer.upserted':
        await this.customers.apply(tx, job.envelope.data);
        return;
      default:
        assertNever(job.name);
    }
  }
}
