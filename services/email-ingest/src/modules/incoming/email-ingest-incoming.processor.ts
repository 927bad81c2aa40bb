import { QueueName, assertNever, type QueueJob } from '@careflow/contracts';
import { QueueWorker, WorkerRuntime } from '@careflow/messaging';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { InboundEmailsRepository } from '../inbound-emails/inbound-emails.repository.js';

/** The consumer of the email-ingest-incoming queue: tickets' answer to where a message went. */
@Injectable()
export class EmailIngestIncomingProcessor extends QueueWorker<typeof QueueName.EmailIngestIncoming> {
  protected readonly queue = QueueName.EmailIngestIncoming;

  constructor(
    runtime: WorkerRuntime,
    private readonly emails: InboundEmailsRepository,
  ) {
    super(runtime);
  }

  protected async handle(job: QueueJob<typeof QueueName.EmailIngestIncoming>, tx: EntityManager): Promise<void> {
    return this.handleBatch([job], tx);
  }

  /** Tickets' answers, however many arrived together, written by one statement. */
  protected override async handleBatch(jobs: ReadonlyArray<QueueJob<typeof QueueName.EmailIngestIncoming>>, tx: EntityManager): Promise<void> {
    await this.emails.finishRouted(
      tx,
      jobs.map((job) => {
        switch (job.name) {
          case 'inbound_email.routed': {
            const r = job.envelope.data;
            return {
              id: r.inboundEmailId,
              outcome: { status: r.outcome, reason: r.reason, ticketId: r.ticketId, ticketNumber: r.ticketNumber, commentId: r.commentId },
              requestId: job.envelope.requestId ?? null,
            };
          }
          default:
            return assertNever(job.name);
        }
      }),
    );
  }
}
