import { ServiceConfig } from '@careflow/platform';
export class SegmentationConfig extends ServiceConfig {
    PORT = 3004;
}
