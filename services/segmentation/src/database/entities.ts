/**
 * The segmentation schema has no TypeORM entities: its repositories write SQL (segments are
 * evaluated set-based, a statement per decision), so entities would only be a second
 * description of the tables to keep in step with the migrations.
 */
export const entities: Function[] = [];
