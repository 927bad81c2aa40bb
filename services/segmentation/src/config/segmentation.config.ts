import { ServiceConfig } from '@careflow/platform';

export class SegmentationConfig extends ServiceConfig {
  override PORT: number = 3004;
}
