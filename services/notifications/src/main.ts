import 'reflect-metadata';
import { bootstrapService } from '@careflow/http';
import { AppModule } from './app.module.js';

await bootstrapService(AppModule.create(), {
  service: 'notifications',
  title: 'Careflow notifications',
  description: 'Orders, shipments, tracking events, outbound e-mail and webhooks.',
});
