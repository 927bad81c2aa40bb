import type { LoggerService } from '@nestjs/common';
import { pino, type Logger } from 'pino';
import type { LogLevel } from './common.config.js';
import { serializeError } from './log-error.js';
import { RequestContext } from './request-context.js';

/** Keys whose values never reach a log line, wherever they appear. */
const REDACT = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers["x-internal-token"]',
  'key',
  '*.key',
  'secret',
  '*.secret',
  'password',
  '*.password',
];

export function createLogger(service: string, level: LogLevel): Logger {
  return pino({
    level,
    base: { service },
    messageKey: 'msg',
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT, censor: '[redacted]' },
    serializers: { err: serializeError },
    formatters: { level: (label) => ({ level: label }) },
    mixin() {
      const requestId = RequestContext.requestId();
      return requestId ? { requestId } : {};
    },
  });
}

/** Nest's logger interface over pino, so framework messages are structured JSON too. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    // Nest's own start-up chatter (module and route lists) is debug detail.
    this.logger.debug({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}
