import { createServiceApp } from '@careflow/http';
import { useInProcessApp, type InProcessAppHandle } from '@careflow/testing';
import { AppModule } from '../src/app.module.js';
import { SegmentationConfig } from '../src/config/segmentation.config.js';

/** The segmentation app in this process for one describe block, on its own test database (see useInProcessApp). */
export function useSegmentationApp(env?: Parameters<typeof useInProcessApp>[2]): InProcessAppHandle {
  return useInProcessApp(SegmentationConfig, (config) => createServiceApp(AppModule.create(config), { service: 'segmentation', title: 'segmentation', description: '' }), env);
}
