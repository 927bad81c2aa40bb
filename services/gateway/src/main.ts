import 'reflect-metadata';
import { LOGGER, type Logger } from '@careflow/platform';
import { GatewayConfig } from './config/gateway.config.js';
import { createGatewayApp, ensureAdminKey } from './gateway-app.js';

const app = await createGatewayApp();
await ensureAdminKey(app);
const { GATEWAY_PORT } = app.get(GatewayConfig);
await app.listen(GATEWAY_PORT, '0.0.0.0');
app.get<Logger>(LOGGER).info({ port: GATEWAY_PORT }, 'gateway listening');
