/** The Postgres schema the gateway owns: API keys and idempotency records. */
export const SCHEMA = 'gateway';
