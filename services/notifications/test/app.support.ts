import { createServiceApp } from '@careflow/http';
import { useInProcessApp, type InProcessAppHandle } from '@careflow/testing';
import { AppModule } from '../src/app.module.js';
import { NotificationsConfig } from '../src/config/notifications.config.js';

/** The notifications app in this process for one describe block, on its own test database (see useInProcessApp). */
export function useNotificationsApp(env?: Parameters<typeof useInProcessApp>[2]): InProcessAppHandle {
  return useInProcessApp(NotificationsConfig, (config) => createServiceApp(AppModule.create(config), { service: 'notifications', title: 'notifications', description: '' }), env);
}
