import 'reflect-metadata';
import { bootstrapService } from '@careflow/http';
import { AppModule } from './app.module.js';
await bootstrapService(AppModule.create(), {
    service: 'segmentation',
    title: 'Careflow segmentation',
    description: 'Customers, their order statistics and segments.',
});
