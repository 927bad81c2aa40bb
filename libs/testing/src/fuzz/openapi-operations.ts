/** The part of JSON Schema (as OpenAPI 3.1 uses it) that request generation reads. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  format?: string;
  pattern?: string;
  example?: unknown;
  examples?: unknown[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  nullable?: boolean;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  $ref?: string;
}

export interface ApiParameter {
  name: string;
  required: boolean;
  schema: JsonSchema;
}

/** One operation of the public API, with every `$ref` resolved. */
export interface ApiOperation {
  method: string;
  /** The path template, e.g. `/v1/tickets/{id}`. */
  path: string;
  operationId?: string;
  pathParams: ApiParameter[];
  queryParams: ApiParameter[];
  headerParams: ApiParameter[];
  body?: { contentType: string; schema: JsonSchema; required: boolean };
  scopes: string[];
}

interface RawParameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: JsonSchema;
}

interface RawOperation {
  operationId?: string;
  parameters?: Array<RawParameter | { $ref: string }>;
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
  security?: Array<Record<string, string[]>>;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, JsonSchema>; parameters?: Record<string, RawParameter> };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/**
 * Every operation of the gateway's merged OpenAPI document. Reading the routes from the
 * document (not a list in a test) is what makes a new service's routes covered the day they
 * land; a document the gateway could only partly merge is refused, since the routes of the
 * service that did not answer would silently go untested.
 */
export async function fetchApiOperations(gatewayUrl: string): Promise<ApiOperation[]> {
  const res = await fetch(`${gatewayUrl}/docs/openapi.json`);
  if (res.status !== 200) throw new Error(`GET /docs/openapi.json answered ${res.status}`);
  const missing = res.headers.get('x-careflow-missing-services');
  if (missing) throw new Error(`the OpenAPI document lacks the operations of ${missing}`);
  return listApiOperations((await res.json()) as OpenApiDocument);
}

export function listApiOperations(document: OpenApiDocument): ApiOperation[] {
  const resolve = refResolver(document);
  const operations: ApiOperation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    const shared = (item['parameters'] as RawOperation['parameters']) ?? [];
    for (const method of METHODS) {
      const op = item[method] as RawOperation | undefined;
      if (!op) continue;
      const parameters = [...shared, ...(op.parameters ?? [])].map((p) => resolve(p) as RawParameter);
      const of = (where: string): ApiParameter[] =>
        parameters
          .filter((p) => p.in === where)
          .map((p) => ({ name: p.name, required: p.required ?? where === 'path', schema: resolve(p.schema ?? {}) as JsonSchema }));
      const [contentType, media] = Object.entries(op.requestBody?.content ?? {})[0] ?? [];
      operations.push({
        method: method.toUpperCase(),
        path,
        operationId: op.operationId,
        pathParams: of('path'),
        queryParams: of('query'),
        headerParams: of('header'),
        body: contentType ? { contentType, schema: resolve(media?.schema ?? {}) as JsonSchema, required: op.requestBody?.required ?? false } : undefined,
        scopes: (op.security ?? []).flatMap((s) => Object.values(s).flat()),
      });
    }
  }
  return operations;
}

/** Inlines `#/components/...` references; a cycle is cut to `{}` (any value) rather than looping. */
function refResolver(document: OpenApiDocument): (node: unknown) => unknown {
  const lookup = (ref: string): unknown => {
    if (!ref.startsWith('#/')) throw new Error(`external $ref not supported: ${ref}`);
    return ref
      .slice(2)
      .split('/')
      .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')], document);
  };
  const resolve = (node: unknown, seen: ReadonlySet<string>): unknown => {
    if (Array.isArray(node)) return node.map((n) => resolve(n, seen));
    if (!node || typeof node !== 'object') return node;
    const ref = (node as { $ref?: unknown }).$ref;
    if (typeof ref === 'string') {
      if (seen.has(ref)) return {};
      const target = lookup(ref);
      if (target === undefined) throw new Error(`unresolvable $ref ${ref}`);
      return resolve(target, new Set([...seen, ref]));
    }
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, k === 'example' || k === 'examples' || k === 'default' ? v : resolve(v, seen)]));
  };
  return (node) => resolve(node, new Set());
}
