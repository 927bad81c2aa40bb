import { createServiceApp } from '@careflow/http';
import { listRoutes, undeclaredRoutes, withInProcessApp } from '@careflow/testing';
import { expect, it } from 'vitest';
import { AppModule } from '../src/app.module.js';
import { EmailIngestConfig } from '../src/config/email-ingest.config.js';

it('every email-ingest route declares the scope it needs or is explicitly public', async () => {
  await withInProcessApp(EmailIngestConfig, (config) => createServiceApp(AppModule.create(config), { service: 'email-ingest', title: 'Careflow e-mail ingest', description: '' }), (app) => {
    expect(listRoutes(app).map((r) => r.route)).toContain('GET /health');
    expect(undeclaredRoutes(app)).toEqual([]);
  });
});
