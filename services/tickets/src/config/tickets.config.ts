import { ServiceConfig } from '@careflow/platform';
import { IsInt, Max, Min } from 'class-validator';

export class TicketsConfig extends ServiceConfig {
  override PORT: number = 3001;

  /** How long before an SLA due time `ticket.sla_warning` fires. */
  @IsInt()
  @Min(0)
  SLA_WARNING_LEAD_SECONDS: number = 900;

  /** Quiet period after which a solved ticket is closed (Zendesk's default is 4 days). */
  @IsInt()
  @Min(1)
  AUTO_CLOSE_AFTER_SECONDS: number = 4 * 24 * 3600;

  /** How often timers missing from Redis are rebuilt from the tickets' due times. */
  @IsInt()
  @Min(200)
  @Max(3_600_000)
  SLA_RECONCILE_INTERVAL_MS: number = 60_000;
}
