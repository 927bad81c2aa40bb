import 'reflect-metadata';
import { bootstrapService } from '@careflow/http';
import { API_DOCUMENT } from './api-document.js';
import { AppModule } from './app.module.js';

await bootstrapService(AppModule.create(), API_DOCUMENT);
