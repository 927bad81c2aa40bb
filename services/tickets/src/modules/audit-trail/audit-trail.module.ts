import { Module } from '@nestjs/common';
import { AuditTrailRepository } from './audit-trail.repository.js';
import { AuditTrailService } from './audit-trail.service.js';

@Module({ providers: [AuditTrailRepository, AuditTrailService], exports: [AuditTrailRepository, AuditTrailService] })
export class AuditTrailModule {}
