import { InitialSchema1763900000000 } from './1763900000000-initial-schema.js';
import { TicketsCore1763950000000 } from './1763950000000-tickets-core.js';
import { CustomerCarePolicy1764900000000 } from './1764900000000-customer-care-policy.js';
import { CustomerErasure1764900001000 } from './1764900001000-customer-erasure.js';
import { InboundMailThreading1765000000000 } from './1765000000000-inbound-mail-threading.js';
import { OutboxJobIds1765300000000 } from './1765300000000-outbox-job-ids.js';
import { Lz4Compression1765400000000 } from './1765400000000-lz4-compression.js';
import { SearchVectorsInService1765400000100 } from './1765400000100-search-vectors-in-service.js';

/** Every migration of the tickets schema, oldest first. */
export const migrations = [InitialSchema1763900000000, TicketsCore1763950000000, CustomerCarePolicy1764900000000, CustomerErasure1764900001000, InboundMailThreading1765000000000, OutboxJobIds1765300000000, Lz4Compression1765400000000, SearchVectorsInService1765400000100];
