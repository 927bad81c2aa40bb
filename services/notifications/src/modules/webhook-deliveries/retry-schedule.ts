import { Injectable } from '@nestjs/common';
import { NotificationsConfig } from '../../config/notifications.config.js';

/** Seconds before each attempt, from `WEBHOOK_RETRY_SCHEDULE` (`0,5,300`): the first is the initial attempt. */
export function parseRetrySchedule(text: string): number[] {
  return text.split(',').map((part) => Number(part.trim()));
}

/**
 * Milliseconds until attempt `next` (1-based) of a schedule, with ±10% jitter so retries of
 * many deliveries failed together do not arrive together; null when the schedule has no such attempt.
 */
export function delayBeforeAttempt(schedule: readonly number[], next: number, random = Math.random): number | null {
  const seconds = schedule[next - 1];
  if (seconds === undefined) return null;
  return Math.round(seconds * 1000 * (0.9 + 0.2 * random()));
}

/** The webhook retry schedule of this deployment (Standard Webhooks by default). */
@Injectable()
export class RetrySchedule {
  readonly seconds: readonly number[];

  constructor(config: NotificationsConfig) {
    this.seconds = parseRetrySchedule(config.WEBHOOK_RETRY_SCHEDULE);
  }

  get firstDelaySeconds(): number {
    return this.seconds[0]!;
  }

  get attempts(): number {
    return this.seconds.length;
  }

  /** Milliseconds until attempt `next` (1-based), jittered; null after the last attempt. */
  delayBefore(next: number): number | null {
    return delayBeforeAttempt(this.seconds, next);
  }
}
