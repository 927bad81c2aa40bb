import { ServiceConfig } from '@careflow/platform';
import { IsInt, Max, Min } from 'class-validator';

export class SegmentationConfig extends ServiceConfig {
  override PORT: number = 3004;

  /**
   * Database sessions a recompute of every customer runs on at once, each over its own range
   * of customers (aggregating, evaluating and applying it). One per Postgres core is the
   * sweet spot; more only contend.
   */
  @IsInt()
  @Min(1)
  @Max(16)
  SEGMENT_RECOMPUTE_PARALLELISM: number = 2;

  /** Changed customers a recompute writes (with their events) per transaction. */
  @IsInt()
  @Min(1)
  @Max(100_000)
  SEGMENT_RECOMPUTE_BATCH: number = 20_000;
}
