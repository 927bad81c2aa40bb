import { ApiKey } from '../modules/api-keys/entities/api-key.entity.js';

/** Every entity of the gateway schema. */
export const entities = [ApiKey];
