import 'reflect-metadata';
import { LOGGER, type Logger } from '@careflow/platform';
import { GatewayConfig } from './config/gateway.config.js';
import { createGatewayApp, ensureAdminKey } from './gateway-app.js';

const app = await createGatewayApp();
await ensureAdminKey(app);
const { GATEWAY_PORT, HOST } = app.get(GatewayConfig);
await app.listen(GATEWAY_PORT, HOST);
app.get<Logger>(LOGGER).info({ host: HOST, port: GATEWAY_PORT }, 'gateway listening');
