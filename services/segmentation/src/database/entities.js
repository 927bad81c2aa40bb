import { Customer } from '../modules/customers/entities/customer.entity.js';
/** Every entity of the segmentation schema. */
export const entities = [Customer];
