/** The Postgres schema the tickets service owns. No other service reads or writes it. */
export const SCHEMA = 'tickets';
