import { QueueName, assertNever, type QueueJob } from '@careflow/contracts';
import { QueueWorker, WorkerRuntime, type AfterCommit } from '@careflow/messaging';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CustomerErasure } from '../customer-erasure/customer-erasure.service.js';
import { CustomerProjectionRepository } from '../customer-projection/customer-projection.repository.js';
import { InboundMailService } from '../inbound-mail/inbound-mail.service.js';
import { ShipmentIncidentsService } from '../incidents/shipment-incidents.service.js';
import { SegmentReevaluation } from '../segment-reevaluation/segment-reevaluation.service.js';
import { TicketTimers } from '../tickets/ticket-timers.js';

/** The one consumer of the tickets-incoming queue: routes each job name to the feature that owns it. */
@Injectable()
export class TicketsIncomingProcessor extends QueueWorker<typeof QueueName.TicketsIncoming> {
  protected readonly queue = QueueName.TicketsIncoming;

  constructor(
    runtime: WorkerRuntime,
    private readonly customers: CustomerProjectionRepository,
    private readonly erasure: CustomerErasure,
    private readonly segments: SegmentReevaluation,
    private readonly incidents: ShipmentIncidentsService,
    private readonly inboundMail: InboundMailService,
    private readonly timers: TicketTimers,
  ) {
    super(runtime);
  }

  /**
   * Customer upserts, segment changes and inbound mail share their statements across a batch
   * (the projection, SegmentReevaluation.applyMany, InboundMailService.routeMany); the rest is
   * handled one by one.
   */
  protected override async handleBatch(jobs: ReadonlyArray<QueueJob<typeof QueueName.TicketsIncoming>>, tx: EntityManager): Promise<void | AfterCommit> {
    const upserted = jobs.flatMap((job) => (job.name === 'customer.upserted' ? [job.envelope.data] : []));
    if (upserted.length === jobs.length) return this.customers.apply(tx, upserted);
    const segments = jobs.flatMap((job) => (job.name === 'customer.segment_changed' ? [job.envelope.data] : []));
    if (segments.length === jobs.length) {
      const changed = await this.segments.applyMany(tx, segments);
      return changed.length > 0 ? () => this.timers.afterWrite(changed) : undefined;
    }
    const parsed = jobs.flatMap((job) => (job.name === 'inbound_email.parsed' ? [{ message: job.envelope.data, requestId: job.envelope.requestId ?? `job:${job.envelope.eventId}` }] : []));
    if (parsed.length < jobs.length) return super.handleBatch(jobs, tx);
    const tickets = await this.inboundMail.routeMany(tx, parsed);
    return tickets.length > 0 ? () => this.timers.afterWrite(tickets) : undefined;
  }

  protected async handle(job: QueueJob<typeof QueueName.TicketsIncoming>, tx: EntityManager): Promise<void | AfterCommit> {
    switch (job.name) {
      case 'customer.upserted':
        await this.customers.apply(tx, [job.envelope.data]);
        return;
      case 'customer.erased': {
        const scrubbed = await this.erasure.erase(tx, job.envelope.data);
        this.runtime.logger.info({ customer: job.envelope.data.externalId, tickets: scrubbed }, 'customer erased');
        return;
      }
      case 'customer.segment_changed': {
        const changed = await this.segments.apply(tx, job.envelope.data);
        return () => this.timers.afterWrite(changed);
      }
      case 'shipment.incident': {
        const ticket = await this.incidents.handle(tx, job.envelope.data);
        return () => this.timers.afterWrite([ticket]);
      }
      case 'inbound_email.parsed': {
        const tickets = await this.inboundMail.routeMany(tx, [{ message: job.envelope.data, requestId: job.envelope.requestId ?? `job:${job.envelope.eventId}` }]);
        return tickets.length > 0 ? () => this.timers.afterWrite(tickets) : undefined;
      }
      case 'inbound_email.bounced': {
        const ticket = await this.inboundMail.bounced(tx, job.envelope.data);
        return ticket ? () => this.timers.afterWrite([ticket]) : undefined;
      }
      default:
        assertNever(job);
    }
  }
}
