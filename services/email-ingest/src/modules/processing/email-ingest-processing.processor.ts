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
    switch (job.name) {
      case 'inbound_email.received':
        return this.processing.process(tx, job.envelope.data.inboundEmailId);
      default:
        assertNever(job.name);
    }
  }
}
