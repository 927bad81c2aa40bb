import { INTERNAL_TOKEN_HEADER } from '@careflow/http';
import { LOGGER, type Logger } from '@careflow/platform';
import { Inject, Injectable } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import { isDeepStrictEqual } from 'node:util';
import { GatewayConfig } from '../../config/gateway.config.js';
import { SERVICES, type ServiceName } from '../proxy/service-routes.js';
import { Upstreams } from '../proxy/upstreams.js';
import { API_DESCRIPTION } from './api-description.js';
import { describeGatewayContract } from './gateway-contract.js';

export interface MergedDocument {
  document: OpenAPIObject;
  missing: ServiceName[];
}

/**
 * Builds the one public OpenAPI document: the gateway's own operations plus every
 * service's, which each service publishes from its decorators at /internal/openapi.json.
 * A complete merge is cached; while a service is down the document says which part is missing.
 */
@Injectable()
export class OpenApiAggregator {
  private own?: OpenAPIObject;
  private cached?: OpenAPIObject;

  constructor(
    private readonly upstreams: Upstreams,
    private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  setGatewayDocument(document: OpenAPIObject): void {
    this.own = document;
    this.cached = undefined;
  }

  async document(): Promise<MergedDocument> {
    if (this.cached) return { document: this.cached, missing: [] };
    if (!this.own) throw new Error('gateway document not set');
    const parts = await Promise.all(SERVICES.map(async (s) => [s, await this.fetch(s)] as const));
    const missing = parts.filter(([, doc]) => !doc).map(([s]) => s);
    const merged = mergeDocuments(this.own, parts.flatMap(([s, doc]) => (doc ? [[s, doc] as const] : [])), this.logger, publicServers(this.config));
    if (missing.length === 0) this.cached = merged;
    else merged.info.description = `${merged.info.description}\n\n**Incomplete:** the ${missing.join(', ')} service(s) did not answer; their operations are missing.`;
    return { document: merged, missing };
  }

  private async fetch(service: ServiceName): Promise<OpenAPIObject | undefined> {
    try {
      const res = await this.upstreams.pool(service).request({
        path: '/internal/openapi.json',
        method: 'GET',
        headers: { [INTERNAL_TOKEN_HEADER]: this.config.INTERNAL_TOKEN },
        headersTimeout: 3_000,
        bodyTimeout: 3_000,
      });
      if (res.statusCode !== 200) {
        await res.body.dump();
        return undefined;
      }
      return (await res.body.json()) as OpenAPIObject;
    } catch (error) {
      this.logger.warn({ service, err: error }, 'could not fetch OpenAPI document');
      return undefined;
    }
  }
}

export function mergeDocuments(
  own: OpenAPIObject,
  services: ReadonlyArray<readonly [ServiceName, OpenAPIObject]>,
  logger: Logger,
  servers: OpenAPIObject['servers'] = [{ url: 'http://127.0.0.1:3000', description: 'A gateway started locally (`npm start`)' }],
): OpenAPIObject {
  const paths: OpenAPIObject['paths'] = { ...own.paths };
  const schemas: Record<string, unknown> = { ...(own.components?.schemas ?? {}) };
  const tags = new Map((own.tags ?? []).map((t) => [t.name, t]));
  const webhooks: NonNullable<OpenAPIObject['webhooks']> = { ...(own.webhooks ?? {}) };
  for (const [service, doc] of services) {
    for (const [name, item] of Object.entries(doc.webhooks ?? {})) {
      if (webhooks[name]) logger.error({ service, webhook: name }, 'OpenAPI merge: webhook defined twice; keeping the first');
      else webhooks[name] = item;
    }
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      if (paths[path]) {
        logger.error({ service, path }, 'OpenAPI merge: path defined twice; keeping the first');
        continue;
      }
      paths[path] = item;
    }
    for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) {
      if (schemas[name] && !isDeepStrictEqual(schemas[name], schema)) {
        logger.error({ service, schema: name }, 'OpenAPI merge: two different schemas share a name');
        continue;
      }
      schemas[name] = schema;
    }
    for (const tag of doc.tags ?? []) if (!tags.has(tag.name)) tags.set(tag.name, tag);
  }
  const usedTags = new Set(
    Object.values(paths).flatMap((item) =>
      Object.values(item as Record<string, { tags?: string[] }>).flatMap((op) => op?.tags ?? []),
    ),
  );
  for (const name of usedTags) if (!tags.has(name)) tags.set(name, { name, description: `${name} operations.` });
  // A copy: the gateway's own document is merged again while a service is missing.
  return describeGatewayContract(structuredClone({
    openapi: '3.1.0',
    info: {
      title: 'Careflow API',
      version: '1.0.0',
      description: API_DESCRIPTION,
      license: { name: 'MIT', identifier: 'MIT' } as OpenAPIObject['info']['license'],
      contact: { name: 'Careflow', url: 'https://github.com/careflow/careflow' },
    },
    servers,
    security: [{ apiKey: [] }],
    tags: [...tags.values()].sort((a, b) => a.name.localeCompare(b.name)),
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    webhooks: Object.fromEntries(Object.entries(webhooks).sort(([a], [b]) => a.localeCompare(b))),
    components: {
      ...own.components,
      schemas: schemas as NonNullable<OpenAPIObject['components']>['schemas'],
      securitySchemes: own.components?.securitySchemes,
    },
  }) as OpenAPIObject);
}

/**
 * Absolute base URLs, since generated clients (openapi-fetch, orval) take the first server as
 * their default base URL and a relative one is useless to a Node program: the deployment's
 * public URL (PUBLIC_URL) when configured, then the local default.
 */
export function publicServers(config: Pick<GatewayConfig, 'PUBLIC_URL' | 'GATEWAY_PORT'>): NonNullable<OpenAPIObject['servers']> {
  const local = { url: `http://127.0.0.1:${config.GATEWAY_PORT}`, description: 'A gateway started locally (`npm start`)' };
  return config.PUBLIC_URL ? [{ url: config.PUBLIC_URL.replace(/\/+$/, ''), description: 'This Careflow deployment' }, local] : [local];
}
