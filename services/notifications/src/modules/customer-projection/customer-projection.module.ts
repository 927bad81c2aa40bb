import { Module } from '@nestjs/common';
import { CustomerProjectionRepository } from './customer-projection.repository.js';

/** The customer projection: segmentation's customers as notifications needs them (who to mail, how). */
@Module({ providers: [CustomerProjectionRepository], exports: [CustomerProjectionRepository] })
export class CustomerProjectionModule {}
