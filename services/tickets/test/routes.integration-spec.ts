import { createServiceApp } from '@careflow/http';
import { listRoutes, undeclaredRoutes, withInProcessApp } from '@careflow/testing';
import { expect, it } from 'vitest';
import { AppModule } from '../src/app.module.js';
import { TicketsConfig } from '../src/config/tickets.config.js';

it('every tickets route declares the scope it needs or is explicitly public', async () => {
  await withInProcessApp(TicketsConfig, (config) => createServiceApp(AppModule.create(config), { service: 'tickets', title: 'Careflow tickets', description: '' }), (app) => {
    expect(listRoutes(app).map((r) => r.route)).toContain('GET /health');
    expect(undeclaredRoutes(app)).toEqual([]);
  });
});
