import { createServiceApp } from '@careflow/http';
import { useInProcessApp, type InProcessAppHandle } from '@careflow/testing';
import { AppModule } from '../src/app.module.js';
import { EmailIngestConfig } from '../src/config/email-ingest.config.js';

/** The email-ingest app in this process for one describe block, on its own test database (see useInProcessApp). */
export function useEmailIngestApp(env?: Parameters<typeof useInProcessApp>[2]): InProcessAppHandle {
  return useInProcessApp(EmailIngestConfig, (config) => createServiceApp(AppModule.create(config), { service: 'email-ingest', title: 'Careflow e-mail ingest', description: '' }), env);
}
