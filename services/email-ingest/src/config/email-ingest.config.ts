import { ServiceConfig } from '@careflow/platform';

export class EmailIngestConfig extends ServiceConfig {
  override PORT = 3002;
}
