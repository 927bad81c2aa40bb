import 'reflect-metadata';
import { bootstrapService } from '@careflow/http';
import { AppModule } from './app.module.js';

await bootstrapService(AppModule.create(), {
  service: 'tickets',
  title: 'Careflow tickets',
  description: 'Tickets, comments, groups, SLA policies and the ticket audit trail.',
});
