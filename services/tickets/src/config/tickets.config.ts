import { ServiceConfig } from '@careflow/platform';

export class TicketsConfig extends ServiceConfig {
  override PORT: number = 3001;
}
