import { InitialSchema1763900000000 } from './1763900000000-initial-schema.js';
import { Segments1764800000000 } from './1764800000000-segments.js';
import { OutboxJobIds1765300000000 } from './1765300000000-outbox-job-ids.js';
import { Lz4Compression1765400000000 } from './1765400000000-lz4-compression.js';
import { SearchTextV21765500000000 } from './1765500000000-search-text-v2.js';

/** Every migration of the segmentation schema, oldest first. */
export const migrations = [InitialSchema1763900000000, Segments1764800000000, OutboxJobIds1765300000000, Lz4Compression1765400000000, SearchTextV21765500000000];
