import { buildOpenApi, configureHttpApp } from '@careflow/http';
import { LOGGER, PinoNestLogger, type Logger } from '@careflow/platform';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NextFunction, Request, Response } from 'express';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import swaggerUi from 'swagger-ui-express';
import { API_DOCUMENT } from './api-document.js';
import { AppModule } from './app.module.js';
import { GatewayConfig } from './config/gateway.config.js';
import { ApiKeysService } from './modules/api-keys/api-keys.service.js';
import { OpenApiAggregator } from './modules/docs/openapi-aggregator.js';
import { ProxyHandler } from './modules/proxy/proxy.handler.js';

/** Builds the gateway app (not listening): proxy first, then the gateway's own routes. */
export async function createGatewayApp(config?: GatewayConfig): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.create(config), { bodyParser: false, bufferLogs: true, abortOnError: false });
  const logger = app.get<Logger>(LOGGER);
  app.useLogger(new PinoNestLogger(logger));
  app.enableShutdownHooks();
  configureHttpApp(app, { logger });
  takeProxiedRequests(app.getHttpServer() as Server, app.get(ProxyHandler));

  const aggregator = app.get(OpenApiAggregator);
  aggregator.setGatewayDocument(buildOpenApi(app, API_DOCUMENT.title, API_DOCUMENT.description));
  // Public: the merged document of the gateway and every service.
  app.use('/docs/openapi.json', (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' || (req.path !== '/' && req.path !== '')) return next();
    aggregator.document().then(({ document, missing }) => {
      if (missing.length > 0) res.setHeader('x-careflow-missing-services', missing.join(','));
      res.setHeader('cache-control', 'no-cache');
      res.json(document);
    }, next);
  });
  app.use(
    '/docs',
    swaggerUi.serve,
    swaggerUi.setup(undefined, {
      customSiteTitle: 'Careflow API',
      swaggerOptions: { url: '/docs/openapi.json', persistAuthorization: true },
    }),
  );
  return app;
}

/**
 * Puts the proxy in front of Express on the HTTP server: a request for a service's path is
 * proxied without passing through Express at all; every other request (the gateway's own
 * routes, the docs) goes to Express as before.
 */
function takeProxiedRequests(server: Server, proxy: ProxyHandler): void {
  const express = server.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  if (express.length !== 1) throw new Error(`expected the HTTP server to have one request listener (Express), found ${express.length}`);
  const [toExpress] = express as [(req: IncomingMessage, res: ServerResponse) => void];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!proxy.handle(req, res)) toExpress(req, res);
  });
}

/** Prints a generated bootstrap admin key once; it is never logged or shown again. */
export async function ensureAdminKey(app: INestApplication): Promise<void> {
  const config = app.get(GatewayConfig);
  const { generated } = await app.get(ApiKeysService).ensureBootstrapKey(config.ADMIN_API_KEY);
  if (generated) {
    process.stdout.write(
      `\n  ┌ Careflow bootstrap admin API key (shown once, store it now):\n  │ ${generated}\n  └ Set ADMIN_API_KEY to choose your own.\n\n`,
    );
  }
}
