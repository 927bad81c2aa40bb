import { ServiceConfig } from '@careflow/platform';

export class NotificationsConfig extends ServiceConfig {
  override PORT: number = 3003;
}
