import { pino } from 'pino';

/** What of a Postgres error may be logged: where it happened, never the values involved. */
const DRIVER_ERROR_FIELDS = ['code', 'severity', 'schema', 'table', 'column', 'constraint', 'routine'] as const;

/**
 * pino's error serializer without the data an error carries: a TypeORM query error holds the
 * statement's parameters and the driver's `detail` ("Key (email)=(lan@example.com) already
 * exists"), which would put customers' personal data into the logs. The statement is kept.
 */
export function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const serialized = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
  delete serialized['parameters'];
  delete serialized['detail'];
  delete serialized['where'];
  const driver = serialized['driverError'];
  if (driver && typeof driver === 'object') {
    serialized['driverError'] = Object.fromEntries(
      DRIVER_ERROR_FIELDS.filter((name) => (driver as Record<string, unknown>)[name] !== undefined).map((name) => [name, (driver as Record<string, unknown>)[name]]),
    );
  }
  return serialized;
}
