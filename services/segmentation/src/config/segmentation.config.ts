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

  /**
   * Hours between scheduled recomputes of every customer (0: none). Rules count orders
   * "within N days": without a recompute, a customer who stops ordering would keep a segment
   * the rules no longer give them until their next order.
   */
  @IsInt()
  @Min(0)
  @Max(24 * 365)
  SEGMENT_RECOMPUTE_INTERVAL_HOURS: number = 24;

  /** Changed customers a recompute writes (with their events) per transaction. */
  @IsInt()
  @Min(1)
  @Max(100_000)
  SEGMENT_RECOMPUTE_BATCH: number = 20_000;
}
