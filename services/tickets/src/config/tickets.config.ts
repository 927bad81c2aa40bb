import { ServiceConfig } from '@careflow/platform';

export class TicketsConfig extends ServiceConfig {
  override PORT = 3001;
}
