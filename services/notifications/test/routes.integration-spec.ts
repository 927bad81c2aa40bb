import { createServiceApp } from '@careflow/http';
import { listRoutes, undeclaredRoutes, withInProcessApp } from '@careflow/testing';
import { expect, it } from 'vitest';
import { AppModule } from '../src/app.module.js';
import { NotificationsConfig } from '../src/config/notifications.config.js';

it('every notifications route declares the scope it needs or is explicitly public', async () => {
  await withInProcessApp(NotificationsConfig, (config) => createServiceApp(AppModule.create(config), { service: 'notifications', title: 'Careflow notifications', description: '' }), (app) => {
    expect(listRoutes(app).map((r) => r.route)).toContain('GET /health');
    expect(undeclaredRoutes(app)).toEqual([]);
  });
});
