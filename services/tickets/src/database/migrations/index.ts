import { InitialSchema1763900000000 } from './1763900000000-initial-schema.js';
import { TicketsCore1763950000000 } from './1763950000000-tickets-core.js';

/** Every migration of the tickets schema, oldest first. */
export const migrations = [InitialSchema1763900000000, TicketsCore1763950000000];
