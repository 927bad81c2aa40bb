import 'reflect-metadata';
import { bootstrapService } from '@careflow/http';
import { AppModule } from './app.module.js';

await bootstrapService(AppModule.create(), {
  service: 'email-ingest',
  title: 'Careflow e-mail ingest',
  description: 'Inbound e-mail: raw messages, parsing and routing to tickets.',
});
