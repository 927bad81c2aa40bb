import { listRoutes, undeclaredRoutes, withInProcessApp } from '@careflow/testing';
import { expect, it } from 'vitest';
import { GatewayConfig } from '../src/config/gateway.config.js';
import { createGatewayApp } from '../src/gateway-app.js';

it('every gateway route declares the scope it needs or is explicitly public', async () => {
  await withInProcessApp(GatewayConfig, createGatewayApp, (app) => {
    const routes = listRoutes(app);
    expect(routes.map((r) => r.route)).toEqual(expect.arrayContaining(['POST /v1/api-keys', 'GET /health']));
    expect(routes.find((r) => r.route === 'POST /v1/api-keys')?.access).toEqual(['admin']);
    expect(undeclaredRoutes(app)).toEqual([]);
  });
});
