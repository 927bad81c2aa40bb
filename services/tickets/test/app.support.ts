import { createServiceApp } from '@careflow/http';
import { useInProcessApp, type InProcessAppHandle } from '@careflow/testing';
import { AppModule } from '../src/app.module.js';
import { TicketsConfig } from '../src/config/tickets.config.js';

/** The tickets app in this process for one describe block, on its own test database (see useInProcessApp). */
export function useTicketsApp(env?: Parameters<typeof useInProcessApp>[2]): InProcessAppHandle {
  return useInProcessApp(TicketsConfig, (config) => createServiceApp(AppModule.create(config), { service: 'tickets', title: 'tickets', description: '' }), env);
}
