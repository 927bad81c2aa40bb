/** The Postgres schema the email-ingest service owns. No other service reads or writes it. */
export const SCHEMA = 'email_ingest';
