/**
 * The gateway schema has no TypeORM entities: its repositories write SQL (authentication and
 * Idempotency-Key handling run on every request, one exact statement per step), so entities
 * would only be a second description of the tables to keep in step with the migrations.
 */
export const entities: Function[] = [];
