import { ServiceConfig } from '@careflow/platform';

export class EmailIngestConfig extends ServiceConfig {
  override PORT: number = 3002;
}
