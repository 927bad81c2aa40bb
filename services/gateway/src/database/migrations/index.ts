import { InitialSchema1763900000000 } from './1763900000000-initial-schema.js';

/** Every migration of the gateway schema, oldest first. */
export const migrations = [InitialSchema1763900000000];
