import { InitialSchema1763900000000 } from './1763900000000-initial-schema.js';
import { InboundMail1764900000000 } from './1764900000000-inbound-mail.js';
import { Mailboxes1764900000100 } from './1764900000100-mailboxes.js';
import { OutboxJobIds1765300000000 } from './1765300000000-outbox-job-ids.js';
import { Lz4Compression1765400000000 } from './1765400000000-lz4-compression.js';
import { DropQueuedIndex1765800000000 } from './1765800000000-drop-queued-index.js';

/** Every migration of the email_ingest schema, oldest first. */
export const migrations = [InitialSchema1763900000000, InboundMail1764900000000, Mailboxes1764900000100, OutboxJobIds1765300000000, Lz4Compression1765400000000, DropQueuedIndex1765800000000];
