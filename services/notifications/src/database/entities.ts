/**
 * TypeORM entities of the notifications schema: none. Its tables are read and written by the
 * repositories of its features (`modules/<feature>/<feature>.repository.ts`) in SQL, whose hot
 * statements are set-based and prepared (see README: "Hot paths pay per round trip").
 */
export const entities: Function[] = [];
