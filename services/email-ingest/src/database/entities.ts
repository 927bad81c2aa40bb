/** Every entity of the email_ingest schema (the features that own them are not built yet). */
export const entities: Function[] = [];
