/** The Postgres schema the notifications service owns. No other service reads or writes it. */
export const SCHEMA = 'notifications';
