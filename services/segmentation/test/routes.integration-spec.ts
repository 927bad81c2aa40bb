import { createServiceApp } from '@careflow/http';
import { listRoutes, undeclaredRoutes, withInProcessApp } from '@careflow/testing';
import { expect, it } from 'vitest';
import { AppModule } from '../src/app.module.js';
import { SegmentationConfig } from '../src/config/segmentation.config.js';

it('every segmentation route declares the scope it needs or is explicitly public', async () => {
  await withInProcessApp(SegmentationConfig, (config) => createServiceApp(AppModule.create(config), { service: 'segmentation', title: 'Careflow segmentation', description: '' }), (app) => {
    expect(listRoutes(app).map((r) => r.route)).toContain('GET /health');
    expect(undeclaredRoutes(app)).toEqual([]);
  });
});
