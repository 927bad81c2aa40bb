import { ROUTE_PROBLEMS } from '@careflow/http';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isProviderWebhook, serviceFor } from '../src/modules/proxy/service-routes.js';

/**
 * The contract rules the public OpenAPI document must keep, as one function a test runs on the
 * merged document (openapi-contract.integration-spec) and on broken documents (openapi-contract.spec).
 *
 * Which statuses an operation must document is derived, not listed: from the gateway's own
 * routing decisions (serviceFor, isProviderWebhook: the functions the proxy runs) for what the
 * gateway answers itself (401, 403, 429, 413, 415, Idempotency-Key's 400/409/422), and from the
 * operation's shape for what every service answers (400 for a parameter or a body, 404 for a
 * path that names a resource). Route-specific problems (a 409 invalid-transition) are declared
 * by each route's ApiOperationDoc `problems`; undocumentedRouteProblems holds those declarations
 * against the problems each feature's code throws.
 */
export interface ContractDocument {
  openapi?: string;
  servers?: Array<{ url: string }>;
  paths: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, unknown>; parameters?: Record<string, unknown>; headers?: Record<string, unknown>; securitySchemes?: Record<string, Record<string, unknown>> };
  webhooks?: Record<string, unknown>;
}

type Json = Record<string, unknown>;
interface Operation {
  parameters?: Json[];
  requestBody?: Json;
  security?: Array<Record<string, string[]>>;
  responses?: Record<string, Json>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const PROBLEM = 'application/problem+json';
/** Enums every integrator meets, which must exist as named schemas. */
export const REQUIRED_ENUMS = ['TicketStatus', 'TicketPriority', 'Channel', 'Scope', 'SegmentKey', 'ShipmentStatus', 'ProblemCode'] as const;
/**
 * Operations with a path parameter that never answer 404, and why: an upsert creates what it
 * does not find, and a customer's ticket list is empty for a customer with no tickets (or none known yet).
 */
export const NO_404: ReadonlySet<string> = new Set(['PUT /v1/agents/{id}', 'PUT /v1/customers/{externalId}', 'GET /v1/customers/{externalId}/tickets']);

export function contractViolations(document: ContractDocument): string[] {
  const problems: string[] = [];
  const resolve = (node: unknown): Json => {
    let current = node as Json | undefined;
    for (let i = 0; i < 10 && current && typeof current['$ref'] === 'string'; i++) {
      current = (current['$ref'] as string)
        .slice(2)
        .split('/')
        .reduce<unknown>((n, part) => (n as Json | undefined)?.[part], document) as Json | undefined;
    }
    return current ?? {};
  };

  const server = document.servers?.[0]?.url ?? '';
  if (!/^https?:\/\//.test(server)) problems.push(`servers[0] is not an absolute URL: ${JSON.stringify(server)}`);
  for (const [name, scheme] of Object.entries(document.components?.securitySchemes ?? {})) {
    if (scheme['bearerFormat'] === 'JWT') problems.push(`security scheme ${name} says JWT; API keys are opaque`);
  }

  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const op = item[method] as Operation | undefined;
      if (!op) continue;
      const where = `${method.toUpperCase()} ${path}`;
      const responses = op.responses ?? {};
      const concrete = path.replace(/\{[^}]+\}/g, 'x1');
      const providerWebhook = isProviderWebhook(method.toUpperCase(), concrete);
      const security = op.security ?? [{ apiKey: [] }];
      const authenticated = !providerWebhook && security.some((s) => Object.keys(s).length > 0);
      const idempotent = method === 'post' && serviceFor(concrete) !== undefined && !providerWebhook;
      const parameters = (op.parameters ?? []).map(resolve);
      const needs = (status: string, why: string) => {
        const response = responses[status];
        if (!response) problems.push(`${where} does not document ${status} (${why})`);
        else if (!resolve(response)['content'] || !((resolve(response)['content'] as Json)[PROBLEM])) problems.push(`${where} documents ${status} without a problem+json body`);
      };
      const codesOf = (status: string): string[] => {
        const media = ((resolve(responses[status] ?? {})['content'] as Json | undefined)?.[PROBLEM] ?? {}) as Json;
        const examples = [media['example'], ...Object.values((media['examples'] as Record<string, Json> | undefined) ?? {}).map((e) => e['value'])];
        return examples.map((e) => (e as Json | undefined)?.['code']).filter((c): c is string => typeof c === 'string');
      };
      const headerOf = (status: string, name: string) => Object.keys((resolve(responses[status] ?? {})['headers'] as Json | undefined) ?? {}).some((h) => h.toLowerCase() === name.toLowerCase());

      // Scopes: the code admits a key holding ANY of a route's scopes (hasScope), so each
      // requirement holds one scope; several in one requirement would mean all are needed.
      for (const requirement of security) {
        for (const [scheme, scopes] of Object.entries(requirement)) {
          if (scopes.length > 1) problems.push(`${where}: scopes ${scopes.join(', ')} of ${scheme} are in one requirement (all needed) but the code accepts any one`);
        }
      }
      if (!responses['default']) problems.push(`${where} has no default problem response`);
      if (authenticated) {
        needs('401', 'no or an unknown API key');
        needs('403', 'a key without the scope');
        needs('429', 'the rate limit');
      }
      if (providerWebhook) {
        needs('401', "the provider's credentials");
        needs('429', 'the per-address rate limit');
      }
      if (op.requestBody) {
        needs('413', 'a body over the limit');
        needs('415', 'a content type the operation does not read');
      }
      if (op.requestBody || parameters.some((p) => p['in'] !== 'header')) needs('400', 'a parameter or a body to validate');
      if (path.includes('{') && !NO_404.has(where)) needs('404', 'a path that names a resource');

      const idempotencyKey = parameters.some((p) => p['in'] === 'header' && String(p['name']).toLowerCase() === 'idempotency-key');
      if (idempotent) {
        if (!idempotencyKey) problems.push(`${where} does not declare the Idempotency-Key header the gateway applies to it`);
        needs('409', 'Idempotency-Key in flight');
        needs('422', 'Idempotency-Key reused');
        if (!codesOf('409').includes('idempotency-key-in-flight')) problems.push(`${where}: 409 does not show idempotency-key-in-flight`);
        if (!codesOf('422').includes('idempotency-key-reused')) problems.push(`${where}: 422 does not show idempotency-key-reused`);
        if (responses['409'] && !headerOf('409', 'Retry-After')) problems.push(`${where}: 409 does not declare Retry-After`);
        for (const status of Object.keys(responses).filter((s) => s.startsWith('2'))) {
          if (!headerOf(status, 'Idempotent-Replayed')) problems.push(`${where}: ${status} does not declare Idempotent-Replayed`);
        }
      } else if (idempotencyKey) {
        problems.push(`${where} declares Idempotency-Key, which the gateway does not apply to it`);
      }
      for (const status of Object.keys(responses)) {
        if (!headerOf(status, 'x-request-id')) problems.push(`${where}: ${status} does not declare x-request-id`);
        if ((authenticated || providerWebhook) && status !== '401' && !headerOf(status, 'RateLimit-Remaining')) problems.push(`${where}: ${status} does not declare the RateLimit-* headers`);
      }
      if (responses['429'] && !headerOf('429', 'Retry-After')) problems.push(`${where}: 429 does not declare Retry-After`);
    }
  }

  // Schemas: named enums referenced (never inlined), integers as integers, public names without suffixes.
  const schemas = document.components?.schemas ?? {};
  for (const name of REQUIRED_ENUMS) if (!Array.isArray((schemas[name] as Json | undefined)?.['enum'])) problems.push(`no named enum ${name}`);
  if (!((schemas['ShipmentStatus'] as Json | undefined)?.['enum'] as unknown[] | undefined)?.includes('created')) problems.push('ShipmentStatus lacks created');
  const problemFields = ((schemas['Problem'] as Json | undefined)?.['properties'] ?? {}) as Record<string, Json>;
  for (const field of ['requiredScopes', 'from', 'to', 'shipmentId']) if (!problemFields[field]) problems.push(`Problem does not document ${field}`);
  if (problemFields['code']?.['$ref'] !== '#/components/schemas/ProblemCode') problems.push('Problem.code does not reference ProblemCode');
  for (const name of Object.keys(schemas)) if (/(Dto|Input)$/.test(name)) problems.push(`schema ${name}: public names carry no Dto/Input suffix`);
  const walk = (node: unknown, at: string, inSchema: boolean, topLevel: boolean): void => {
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${at}/${i}`, inSchema, false));
    if (!node || typeof node !== 'object') return;
    const object = node as Json;
    if (inSchema) {
      const values = Array.isArray(object['enum']) ? (object['enum'] as unknown[]).filter((v) => v !== null) : [];
      if (values.length > 1 && !topLevel) problems.push(`${at}: inline enum [${values.join(', ')}]; reference a named enum`);
      const types = Array.isArray(object['type']) ? object['type'] : [object['type']];
      if (types.includes('number') && object['format'] !== 'double' && object['format'] !== 'float') problems.push(`${at}: number; say integer, or format double for a fraction`);
    }
    for (const [key, value] of Object.entries(object)) {
      if (key === 'example' || key === 'examples' || key === 'default') continue;
      walk(value, `${at}/${key}`, inSchema || key === 'schema' || key === 'properties' || key === 'items', false);
    }
  };
  for (const [name, schema] of Object.entries(schemas)) walk(schema, `#/components/schemas/${name}`, true, true);
  walk(document.paths, '#/paths', false, false);
  walk(document.components?.parameters ?? {}, '#/components/parameters', false, false);
  walk(document.components?.headers ?? {}, '#/components/headers', false, false);
  walk(document.webhooks ?? {}, '#/webhooks', false, false);
  problems.push(...danglingReferences(document));
  return problems;
}

/**
 * Every `$ref` anywhere in the document, examples included, must point at something in it:
 * client generators' reference parsers follow them all, and one dangling reference stops
 * @hey-api/openapi-ts outright (a catalogue example's `#/$defs/...` once did).
 */
function danglingReferences(document: ContractDocument): string[] {
  const found: string[] = [];
  const target = (ref: string): unknown =>
    ref
      .slice(2)
      .split('/')
      .map((part) => decodeURIComponent(part).replaceAll('~1', '/').replaceAll('~0', '~'))
      .reduce<unknown>((n, part) => (n && typeof n === 'object' ? (n as Json)[part] : undefined), document);
  const visit = (node: unknown, at: string): void => {
    if (Array.isArray(node)) return node.forEach((n, i) => visit(n, `${at}/${i}`));
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node as Json)) {
      if (key === '$ref' && typeof value === 'string') {
        if (!value.startsWith('#/') || target(value) === undefined) found.push(`${at}: $ref ${value} points at nothing in the document`);
      } else {
        visit(value, `${at}/${key}`);
      }
    }
  };
  visit(document, '#');
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.includes('.spec.') ? [full] : [];
  });
}

/**
 * The route-specific problems (ROUTE_PROBLEMS) that a feature's code throws but none of its
 * operations documents. Read from the sources: each feature folder of each service, the
 * problems its files throw (`throw new ShipmentExistsError(…)`, `new ConflictError('code', …)`),
 * and the operations its controllers declare (`operationId: '…'`); one of those operations
 * must show the problem's code in the document. Folders without a controller are job paths.
 */
export function undocumentedRouteProblems(document: ContractDocument, repoRoot: string): string[] {
  const files = ['services', 'libs'].flatMap((root) => sourceFiles(path.join(repoRoot, root)).filter((f) => f.includes(`${path.sep}src${path.sep}`)));
  const codeOfClass = new Map<string, string>();
  for (const file of files) {
    for (const match of readFileSync(file, 'utf8').matchAll(/class (\w+) extends \w+ \{([\s\S]*?)\n\}/g)) {
      const code = /readonly code = '([a-z0-9-]+)'/.exec(match[2]!)?.[1];
      if (code) codeOfClass.set(match[1]!, code);
    }
  }
  const documented = new Map<string, Set<string>>();
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const op = item[method] as (Operation & { operationId?: string }) | undefined;
      if (!op?.operationId) continue;
      const codes = new Set<string>();
      for (const response of Object.values(op.responses ?? {})) {
        const media = ((response['content'] as Json | undefined)?.[PROBLEM] ?? {}) as Json;
        const examples = [media['example'], ...Object.values((media['examples'] as Record<string, Json> | undefined) ?? {}).map((e) => e['value'])];
        for (const example of examples) if (typeof (example as Json | undefined)?.['code'] === 'string') codes.add((example as Json)['code'] as string);
      }
      documented.set(op.operationId, codes);
    }
  }
  const problems: string[] = [];
  for (const service of readdirSync(path.join(repoRoot, 'services'))) {
    const modules = path.join(repoRoot, 'services', service, 'src', 'modules');
    let features: string[];
    try {
      features = readdirSync(modules, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch {
      continue;
    }
    for (const feature of features) {
      const featureFiles = sourceFiles(path.join(modules, feature));
      const texts = featureFiles.map((f) => readFileSync(f, 'utf8'));
      const operations = featureFiles.filter((f) => f.endsWith('.controller.ts')).flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/operationId: '(\w+)'/g)].map((m) => m[1]!));
      if (operations.length === 0) continue;
      const thrown = new Set<string>();
      for (const text of texts) {
        for (const m of text.matchAll(/throw new (\w+)\(/g)) {
          const code = codeOfClass.get(m[1]!);
          if (code) thrown.add(code);
        }
        for (const m of text.matchAll(/new ConflictError\(\s*'([a-z0-9-]+)'/g)) thrown.add(m[1]!);
      }
      for (const code of thrown) {
        if (!(code in ROUTE_PROBLEMS)) continue;
        if (!operations.some((id) => documented.get(id)?.has(code))) {
          problems.push(`${service}/${feature} throws ${code}, which none of its operations (${operations.join(', ')}) documents`);
        }
      }
    }
  }
  return problems;
}
