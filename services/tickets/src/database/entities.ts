import { CustomerProjection } from '../modules/customers/entities/customer-projection.entity.js';

/** Every entity of the tickets schema. */
export const entities = [CustomerProjection];
