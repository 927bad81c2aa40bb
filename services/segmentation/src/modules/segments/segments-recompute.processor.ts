import { QueueName, assertNever, type QueueJob } from '@careflow/contracts';
import { QueueWorker, WorkerRuntime, type JobAttempt } from '@careflow/messaging';
import { Injectable } from '@nestjs/common';
import { SegmentRecomputeService } from './segment-recompute.service.js';

/**
 * The consumer of the segmentation-recompute queue. Not transactional: a recompute commits in
 * batches and is safe to repeat (it applies only differences), so it needs no job ledger.
 */
@Injectable()
export class SegmentsRecomputeProcessor extends QueueWorker<typeof QueueName.SegmentationRecompute> {
  protected readonly queue = QueueName.SegmentationRecompute;
  protected override readonly transactional = false;

  constructor(
    runtime: WorkerRuntime,
    private readonly recompute: SegmentRecomputeService,
  ) {
    super(runtime);
  }

  protected async handle(job: QueueJob<typeof QueueName.SegmentationRecompute>, _tx: unknown, attempt?: JobAttempt): Promise<void> {
    switch (job.name) {
      case 'segments.recompute':
        return this.recompute.run(job.envelope.data.recomputeId, attempt);
      default:
        assertNever(job.name);
    }
  }
}
