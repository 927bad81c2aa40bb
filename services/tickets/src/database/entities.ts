/**
 * The tickets schema has no TypeORM entities: its repositories write SQL (one statement per
 * decision on the hot paths), so entities would only be a second description of the tables to
 * keep in step with the migrations.
 */
export const entities: Function[] = [];
