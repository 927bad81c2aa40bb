import { Module } from '@nestjs/common';
import { SlaPoliciesController } from './sla-policies.controller.js';
import { SlaPoliciesRepository } from './sla-policies.repository.js';
import { SlaPoliciesService } from './sla-policies.service.js';

@Module({
  controllers: [SlaPoliciesController],
  providers: [SlaPoliciesRepository, SlaPoliciesService],
  exports: [SlaPoliciesService],
})
export class SlaModule {}
