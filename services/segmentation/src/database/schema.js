/** The Postgres schema the segmentation service owns. No other service reads or writes it. */
export const SCHEMA = 'segmentation';
