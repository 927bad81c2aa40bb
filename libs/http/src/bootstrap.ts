import { LOGGER, PinoNestLogger, ServiceConfig, type Logger } from '@careflow/platform';
import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ProblemDto } from './api-docs.js';
import { API_KEY_FORMAT, API_KEY_SCHEME_DESCRIPTION, BEARER_SCHEME } from './auth.decorators.js';
import { defaultsInWords, nameEnums, SHARED_ENUMS, type NamedEnums } from './openapi-enums.js';
import { configureHttpApp, type HttpAppOptions } from './http-app.js';
import { INTERNAL_TOKEN_HEADER, safeEqual } from './internal-token.guard.js';
import { sendProblem, problem } from './problem.js';

export interface ServiceBootstrapOptions {
  service: string;
  title: string;
  description: string;
  rawBodies?: HttpAppOptions['rawBodies'];
  routeBodies?: HttpAppOptions['routeBodies'];
  /** Schemas referenced only by `webhooks` (event payloads). */
  extraModels?: Function[];
  /** The webhook events this service's changes produce, documented as OpenAPI 3.1 webhooks. */
  webhooks?: OpenAPIObject['webhooks'];
  /** The service's own enums to publish as named schemas, beside the shared ones (SHARED_ENUMS). */
  namedEnums?: NamedEnums;
}

/** The service's own OpenAPI document; the gateway merges all of them into one. */
export function buildOpenApi(
  app: INestApplication,
  title: string,
  description: string,
  extra: Pick<ServiceBootstrapOptions, 'extraModels' | 'webhooks' | 'namedEnums'> = {},
): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(title)
    .setDescription(description)
    .setVersion('1.0.0')
    .setOpenAPIVersion('3.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: API_KEY_FORMAT, description: API_KEY_SCHEME_DESCRIPTION }, BEARER_SCHEME)
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ProblemDto, ...(extra.extraModels ?? [])] });
  if (extra.webhooks) document.webhooks = extra.webhooks;
  return defaultsInWords(nameEnums(document, { ...SHARED_ENUMS, ...extra.namedEnums }));
}

/** Creates a service's Nest app without listening: tests and main.ts share it. */
export async function createServiceApp(module: Type<unknown> | DynamicModule, options: ServiceBootstrapOptions): Promise<INestApplication> {
  const app = await NestFactory.create(module, { bodyParser: false, bufferLogs: true, abortOnError: false });
  const logger = app.get<Logger>(LOGGER);
  app.useLogger(new PinoNestLogger(logger));
  app.enableShutdownHooks();
  const config = app.get(ServiceConfig);
  configureHttpApp(app, { logger, rawBodies: options.rawBodies, routeBodies: options.routeBodies, internalToken: config.INTERNAL_TOKEN });

  const http = app.getHttpAdapter().getInstance();
  let document: OpenAPIObject | undefined;
  http.get('/internal/openapi.json', (req: Request, res: Response) => {
    const token = req.header(INTERNAL_TOKEN_HEADER);
    if (!token || !safeEqual(token, config.INTERNAL_TOKEN)) {
      sendProblem(res, problem(401, 'internal-token-required', 'Services accept calls from the gateway only'));
      return;
    }
    document ??= buildOpenApi(app, options.title, options.description, options);
    res.json(document);
  });
  return app;
}

export async function bootstrapService(module: Type<unknown> | DynamicModule, options: ServiceBootstrapOptions): Promise<INestApplication> {
  const app = await createServiceApp(module, options);
  const config = app.get(ServiceConfig);
  await app.listen(config.PORT, config.HOST);
  app.get<Logger>(LOGGER).info({ host: config.HOST, port: config.PORT }, `${options.service} listening`);
  return app;
}
