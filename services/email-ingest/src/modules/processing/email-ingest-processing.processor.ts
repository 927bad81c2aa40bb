import { QueueName, assertNever, type QueueJob } from '@careflow/contracts';
import { QueueWorker, WorkerRuntime } from '@careflow/messaging';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { MessageProcessing } from './message-processing.service.js';

/** The consumer of the email-ingest-processing queue: one job per stored message. */
@Injectable()
export class EmailIngestProcessingProcessor extends QueueWorker<typeof QueueName.EmailIngestProcessing> {
  protected readonly queue = QueueName.EmailIngestProcessing;

  constructor(
    runtime: WorkerRuntime,
    private readonly processing: MessageProcessing,
  ) {
    super(runtime);
  }

  protected async handle(job: QueueJob<typeof QueueName.EmailIngestProcessing>, tx: EntityManager): Promise<void> {
    return this.handleBatch([job], tx);
  }

  /** The messages of a batch share their statements (see MessageProcessing). */
  protected override async handleBatch(jobs: ReadonlyArray<QueueJob<typeof QueueName.EmailIngestProcessing>>, tx: EntityManager): Promise<void> {
    const requests = jobs.map((job) => {
      switch (job.name) {
        case 'inbound_email.received':
          return { inboundEmailId: job.envelope.data.inboundEmailId, requestId: job.envelope.requestId ?? null };
        default:
          return assertNever(job.name);
      }
    });
    await this.processing.process(tx, requests);
  }
}
