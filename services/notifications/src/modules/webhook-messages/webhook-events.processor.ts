import { QueueName, assertNever, type QueueJob } from '@careflow/contracts';
import { QueueWorker, WorkerRuntime, type AfterCommit } from '@careflow/messaging';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { WebhookMessages } from './webhook-messages.service.js';

/**
 * The webhook fan-in: each event integrators may subscribe to becomes one message and one
 * delivery per subscribed endpoint, in the job's transaction (the ledger makes a redelivered
 * event a no-op; the message's unique event id would too). The events of a batch (the outbox
 * relay publishes up to 50 of one name as one job) are written by one statement.
 */
@Injectable()
export class WebhookEventsProcessor extends QueueWorker<typeof QueueName.WebhookEvents> {
  protected readonly queue = QueueName.WebhookEvents;

  constructor(
    runtime: WorkerRuntime,
    private readonly messages: WebhookMessages,
  ) {
    super(runtime);
  }

  /**
   * An event no enabled endpoint subscribes to needs no transaction (most events, for most
   * shops), nor even the validation of its payload: decided by its name alone.
   */
  protected override async skipName(name: QueueJob<typeof QueueName.WebhookEvents>['name']): Promise<boolean> {
    return !(await this.messages.wanted(name));
  }

  protected async handle(job: QueueJob<typeof QueueName.WebhookEvents>, tx: EntityManager): Promise<void | AfterCommit> {
    return this.handleBatch([job], tx);
  }

  /** The events of a batch are written by one statement, their first jobs added together after the commit. */
  protected override async handleBatch(jobs: ReadonlyArray<QueueJob<typeof QueueName.WebhookEvents>>, tx: EntityManager): Promise<void | AfterCommit> {
    const events = jobs.map((job) => {
      switch (job.name) {
        case 'ticket.created':
        case 'ticket.updated':
        case 'ticket.comment_added':
        case 'ticket.solved':
        case 'ticket.sla_warning':
        case 'ticket.sla_breached':
        case 'customer.upserted':
        case 'customer.segment_changed':
        case 'customer.erased':
        case 'shipment.status_changed':
        case 'notification.sent':
        case 'notification.failed':
        case 'inbound_email.processed': {
          const { eventId, occurredAt, data } = job.envelope;
          return { type: job.name, data, eventId, occurredAt };
        }
        default:
          return assertNever(job);
      }
    });
    const { written, publish } = await this.messages.enqueueMany(tx, events);
    const messages = written.filter((w) => w !== null);
    if (messages.length === 0) return;
    this.runtime.logger.debug(
      { event: jobs[0]!.name, events: jobs.length, messages: messages.length, deliveries: messages.reduce((n, w) => n + w.deliveries, 0) },
      'webhook messages written',
    );
    return publish;
  }
}
