import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { appendFileSync } from 'node:fs';
import type request from 'supertest';

type Agent = ReturnType<typeof request>;
type SupertestResponse = Awaited<ReturnType<Agent['get']>>;

/** What the check reads of a response, from supertest or fetch alike. */
export interface CheckedResponse {
  status: number;
  contentType: string | undefined;
  text: string | undefined;
  body: unknown;
}

interface OpenApiOperation {
  operationId?: string;
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: Record<string, unknown>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;
const DOCUMENT_ID = 'https://careflow.test/openapi.json';

/**
 * Holds every JSON response the e2e tests receive to the published contract: the request's
 * method and path pick the operation in the merged OpenAPI document, the status must be one
 * the operation documents (or its `default`), and the body must match that response's schema
 * (JSON Schema 2020-12, as OpenAPI 3.1 writes it). Paths the document does not describe (health,
 * docs, unknown routes tested for 404) are not checked.
 */
export class ResponseContract {
  private readonly ajv = new Ajv2020({ allErrors: true, strict: false, discriminator: true });
  private readonly routes: Array<{ method: string; pattern: RegExp; literal: number; path: string; operation: OpenApiOperation }>;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(document: OpenApiDocument, options: { allowUndocumentedFields?: boolean } = {}) {
    addFormats.default(this.ajv);
    // Every object schema that lists its properties is closed (unevaluatedProperties: false, which
    // sees through allOf), so a field the document does not mention is a drift too.
    const closed = options.allowUndocumentedFields === true ? document : closeObjects(document);
    // $refs in the document (#/components/schemas/…) resolve against it.
    this.ajv.addSchema({ $id: DOCUMENT_ID, components: closed.components ?? {}, paths: closed.paths });
    this.routes = Object.entries(document.paths).flatMap(([path, item]) =>
      METHODS.filter((m) => item[m]).map((method) => ({
        method,
        path,
        pattern: new RegExp(`^${path.split(/\{[^}]+\}/).map(escape).join('[^/]+')}/?$`),
        literal: path.replace(/\{[^}]+\}/g, '').length,
        operation: item[method]!,
      })),
    );
    // A literal segment is more specific than a parameter: /v1/segments/rules before /v1/segments/{id}.
    this.routes.sort((a, b) => b.literal - a.literal);
  }

  /** Why a response breaks the contract, or undefined when it keeps it (or is not covered). */
  check(method: string, url: string, res: CheckedResponse): string | undefined {
    const pathname = new URL(url, 'http://gateway.test').pathname;
    const route = this.routes.find((r) => r.method === method.toLowerCase() && r.pattern.test(pathname));
    if (!route) return undefined;
    const name = `${method.toUpperCase()} ${route.path} (${route.operation.operationId ?? 'no operationId'}) answered ${res.status}`;
    const responses = route.operation.responses ?? {};
    const statusKey = [String(res.status), `${String(res.status)[0]}XX`, 'default'].find((k) => k in responses);
    if (statusKey === undefined) return `${name}, which it does not document (documented: ${Object.keys(responses).join(', ')})`;
    const mediaType = (res.contentType ?? '').split(';')[0]!.trim();
    if (!/^application\/(.+\+)?json$/.test(mediaType)) return undefined;
    const content = responses[statusKey]!.content ?? {};
    if (!(mediaType in content)) {
      if (res.text === '' || res.text === undefined) return undefined;
      return `${name} with ${mediaType}, which the ${statusKey} response does not document (documented: ${Object.keys(content).join(', ') || 'no body'})`;
    }
    if (!content[mediaType]!.schema) return undefined;
    const pointer = ['paths', route.path, route.method, 'responses', statusKey, 'content', mediaType, 'schema'].map(pointerEscape).join('/');
    let validate = this.validators.get(pointer);
    if (!validate) {
      validate = this.ajv.getSchema(`${DOCUMENT_ID}#/${pointer}`);
      if (!validate) return `${name}: no schema at #/${pointer}`;
      this.validators.set(pointer, validate);
    }
    if (validate(res.body)) return undefined;
    const reasons = (validate.errors ?? []).map((e) => {
      const field = 'unevaluatedProperty' in e.params ? ` (${String(e.params['unevaluatedProperty'])})` : '';
      return `${e.instancePath || 'body'} ${e.message ?? e.keyword}${field}`;
    });
    return `${name} with a body its schema refuses: ${[...new Set(reasons)].join('; ')}\nbody: ${JSON.stringify(res.body).slice(0, 600)}`;
  }

  /**
   * A fetch whose every answer is checked before the caller sees it: for @careflow/client
   * (`createCareflowClient({ fetch: contract.checkedFetch() })`) and other fetch-based callers.
   */
  checkedFetch(fetch: (request: Request) => Promise<Response> = (request) => globalThis.fetch(request)): (request: Request) => Promise<Response> {
    return async (request) => {
      const response = await fetch(request);
      const text = await response.clone().text();
      let body: unknown;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        body = undefined;
      }
      const failure = this.failure(this.check(request.method, request.url, { status: response.status, contentType: response.headers.get('content-type') ?? undefined, text, body }));
      if (failure) throw failure;
      return response;
    };
  }

  /**
   * The error a drift of one answer raises (none when it keeps the contract, or in a survey),
   * for callers that make their requests themselves (the fuzz suite): the body is read as JSON
   * when it is JSON.
   */
  verify(method: string, url: string, res: { status: number; contentType: string | undefined; text: string }): Error | undefined {
    let body: unknown;
    try {
      body = res.text === '' ? undefined : JSON.parse(res.text);
    } catch {
      body = undefined;
    }
    let broken: string | undefined;
    try {
      broken = this.check(method, url, { ...res, body });
    } catch {
      broken = undefined; // a target no URL parser reads names no operation
    }
    return this.failure(broken);
  }

  /** The error a drift raises; none when there is no drift, or when a survey records it instead (CAREFLOW_CONTRACT_REPORT=<file>). */
  private failure(broken: string | undefined): Error | undefined {
    if (!broken) return undefined;
    const report = process.env['CAREFLOW_CONTRACT_REPORT'];
    if (!report) return new Error(`response contract: ${broken}`);
    appendFileSync(report, `${broken.split('\n')[0]}\n`);
    return undefined;
  }

  /** The agent, with every request's response checked before the test sees it. */
  enforce(agent: Agent): Agent {
    return new Proxy(agent, {
      get: (target, property, receiver) => {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof property !== 'string' || typeof value !== 'function' || !METHODS.some((m) => m === property || `del` === property)) return value;
        return (url: string, ...rest: unknown[]) => {
          const test: { end: (fn?: (err: unknown, res: SupertestResponse) => void) => unknown } = value.call(target, url, ...rest);
          const end = test.end.bind(test);
          test.end = (fn?: (err: unknown, res: SupertestResponse) => void) =>
            end((err: unknown, res: SupertestResponse) => {
              const broken =
                err || !res
                  ? undefined
                  : this.check(property === 'del' ? 'delete' : property, url, { status: res.status, contentType: res.headers['content-type'], text: res.text, body: res.body });
              fn?.(this.failure(broken) ?? err, res);
            });
          return test;
        };
      },
    });
  }
}

/** A copy of the document whose object schemas refuse properties they do not list. */
function closeObjects<T>(node: T): T {
  if (Array.isArray(node)) return node.map((item: unknown) => closeObjects(item)) as T;
  if (typeof node !== 'object' || node === null) return node;
  const copy: Record<string, unknown> = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, key === 'example' || key === 'examples' ? value : closeObjects(value)]));
  if (isRecord(copy['properties']) && !('additionalProperties' in copy) && !('unevaluatedProperties' in copy)) copy['unevaluatedProperties'] = false;
  return copy as T;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const pointerEscape = (segment: string) => encodeURIComponent(segment.replace(/~/g, '~0').replace(/\//g, '~1'));
