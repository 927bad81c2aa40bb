import { Module } from '@nestjs/common';
import { ContactProjectionService } from './contact-projection.service.js';

@Module({ providers: [ContactProjectionService], exports: [ContactProjectionService] })
export class CustomersModule {}
