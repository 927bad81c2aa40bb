import { PROBLEM_CONTENT_TYPE, problemType } from '@careflow/http';
import type { OpenAPIObject } from '@nestjs/swagger';
import { isProviderWebhook, serviceFor } from '../proxy/service-routes.js';

type Json = Record<string, unknown>;
type Operation = { requestBody?: unknown; security?: Array<Record<string, string[]>>; parameters?: Json[]; responses: Record<string, Json> };

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };
const REQUEST_ID = '5f0c3c1e-8d1f-4c55-9d0e-2f3f1f7f9a10';

/** The response headers the gateway adds, as reusable components. */
const HEADERS: Record<string, Json> = {
  RequestId: {
    description: 'The request id: yours when you sent `x-request-id`, else a new one. It is in every log line and job the request causes.',
    schema: { type: 'string' },
  },
  RateLimitLimit: { description: 'Requests the API key may make per minute.', schema: { type: 'integer' } },
  RateLimitRemaining: { description: 'Requests left in the current minute.', schema: { type: 'integer' } },
  RateLimitReset: { description: 'Seconds until the current minute\'s budget resets.', schema: { type: 'integer' } },
  RetryAfter: { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } },
  IdempotentReplayed: {
    description: '`true` when this is the stored response of an earlier request with the same `Idempotency-Key`; absent otherwise.',
    schema: { type: 'string', enum: ['true'] },
  },
};

const IDEMPOTENCY_KEY_PARAMETER: Json = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Makes a retry safe: the same key with the same request returns the first response again for 24 hours (with `Idempotent-Replayed: true`); ' +
    'the same key with another method, path or body is 422 `idempotency-key-reused`; a retry while the first request is still running is 409 ' +
    '`idempotency-key-in-flight` with `Retry-After`. Keys are per API key, 1–255 visible ASCII characters; a UUID per logical request is a good choice.',
  schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
  example: 'web-form-8812',
};

const ref = (kind: 'headers' | 'parameters', name: string) => ({ $ref: `#/components/${kind}/${name}` });

/** What the gateway itself can answer on an operation, whatever the service behind it does. */
export interface GatewayAnswers {
  /** 401, 403, 429 with RateLimit-* headers: every operation that takes an API key. */
  authenticated: boolean;
  /** 401 (the provider's credentials, checked by the service) and 429 per client address: a mail provider's webhook. */
  providerWebhook: boolean;
  /** Idempotency-Key: 400 for a malformed key, 409 in flight, 422 reused; replays carry Idempotent-Replayed. */
  idempotent: boolean;
  /** 413 past the body limit, 415 for a content type or encoding it cannot read. */
  takesBody: boolean;
}

export function gatewayAnswers(method: string, path: string, op: { requestBody?: unknown; security?: unknown[] }): GatewayAnswers {
  const concrete = path.replace(/\{[^}]+\}/g, 'x1');
  const providerWebhook = isProviderWebhook(method.toUpperCase(), concrete);
  const isPublic = !op.security || op.security.every((s) => Object.keys(s as object).length === 0);
  return {
    authenticated: !providerWebhook && !isPublic,
    providerWebhook,
    // The proxy applies Idempotency-Key to every POST it forwards with an API key; the gateway's own routes (API keys: a secret) do not.
    idempotent: method.toUpperCase() === 'POST' && serviceFor(concrete) !== undefined && !providerWebhook,
    takesBody: op.requestBody !== undefined,
  };
}

const PROBLEMS: Record<string, { status: number; title: string; detail: string }> = {
  unauthorized: { status: 401, title: 'Missing or invalid API key', detail: 'The API key is unknown or revoked' },
  forbidden: { status: 403, title: 'The API key lacks the required scope', detail: 'This operation needs the scope tickets:write' },
  'rate-limited': { status: 429, title: 'Too many requests', detail: 'The key\'s budget of 6000 requests per minute is spent; retry in 12 s' },
  'payload-too-large': { status: 413, title: 'Request body too large', detail: 'The body of this request may have at most 1048576 bytes' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type', detail: 'Content-Type text/plain is not accepted here; send application/json' },
  'idempotency-key-in-flight': { status: 409, title: 'Conflict', detail: 'A request with this Idempotency-Key is still being processed; retry shortly' },
  'idempotency-key-reused': { status: 422, title: 'Idempotency-Key reused with a different request', detail: 'This Idempotency-Key was first used with another method, path or body; use a new key for a new request' },
};

function problemExample(code: string): Json {
  const p = PROBLEMS[code]!;
  const extra = code === 'forbidden' ? { requiredScopes: ['tickets:write'] } : code === 'payload-too-large' ? { limit: 1048576 } : {};
  return { type: problemType(code), title: p.title, status: p.status, detail: p.detail, code, requestId: REQUEST_ID, ...extra };
}

/**
 * Adds one problem answer to an operation's responses: a new response, or a further named
 * example (and sentence) on the one the operation already documents for that status.
 */
function addProblem(op: Operation, code: string, description: string, headers: Record<string, unknown> = {}): void {
  const status = String(PROBLEMS[code]!.status);
  const existing = op.responses[status];
  if (!existing) {
    op.responses[status] = { description, headers, content: { [PROBLEM_CONTENT_TYPE]: { schema: PROBLEM_REF, example: problemExample(code) } } };
    return;
  }
  const content = ((existing['content'] as Record<string, Json> | undefined) ?? {})[PROBLEM_CONTENT_TYPE] ?? { schema: PROBLEM_REF };
  const examples = (content['examples'] as Record<string, unknown> | undefined) ?? (content['example'] !== undefined ? { [String((content['example'] as Json)['code'] ?? 'problem')]: { value: content['example'] } } : {});
  if (!(code in examples)) {
    examples[code] = { value: problemExample(code) };
    existing['description'] = `${String(existing['description'] ?? '').replace(/\.?$/, '.')} Or: ${description}`.trim();
  }
  const { example: _example, ...rest } = content;
  existing['content'] = { ...((existing['content'] as Json | undefined) ?? {}), [PROBLEM_CONTENT_TYPE]: { ...rest, examples } };
  existing['headers'] = { ...((existing['headers'] as Json | undefined) ?? {}), ...headers };
}

/**
 * The gateway's part of the contract, written once into the merged document rather than into
 * every controller: it stands in front of every operation, so what it sends and answers is
 * true of all of them. Request id and rate-limit headers, Idempotency-Key on the POSTs the
 * proxy applies it to, and the statuses the gateway answers itself (401, 403, 413, 415, 429,
 * 409 and 422 for Idempotency-Key). `gatewayAnswers` says which apply where; the contract test
 * reads the same function.
 */
export function describeGatewayContract(document: OpenAPIObject): OpenAPIObject {
  const components = document.components ?? {};
  components.headers = { ...(components.headers ?? {}), ...(HEADERS as NonNullable<OpenAPIObject['components']>['headers']) };
  components.parameters = { ...(components.parameters ?? {}), IdempotencyKey: IDEMPOTENCY_KEY_PARAMETER as never };
  document.components = components;
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const op = (item as Record<string, Operation | undefined>)[method];
      if (!op) continue;
      const answers = gatewayAnswers(method, path, op);
      const rateLimited = answers.authenticated || answers.providerWebhook;
      const rateHeaders = rateLimited
        ? { 'RateLimit-Limit': ref('headers', 'RateLimitLimit'), 'RateLimit-Remaining': ref('headers', 'RateLimitRemaining'), 'RateLimit-Reset': ref('headers', 'RateLimitReset') }
        : {};
      if (answers.authenticated) {
        addProblem(op, 'unauthorized', 'No API key, or an unknown or revoked one.');
        addProblem(op, 'forbidden', 'The API key has none of the scopes this operation accepts (`requiredScopes`).');
      }
      if (rateLimited) {
        addProblem(op, 'rate-limited', 'Over the request budget (per API key, or per client address for failed authentications); retry after `Retry-After` seconds.', {
          ...rateHeaders,
          'Retry-After': ref('headers', 'RetryAfter'),
        });
      }
      if (answers.takesBody) {
        addProblem(op, 'payload-too-large', 'The request body exceeds the size limit (`limit`, in bytes).');
        addProblem(op, 'unsupported-media-type', 'The request body has a content type or encoding this operation does not read.');
      }
      if (answers.idempotent) {
        op.parameters = [...(op.parameters ?? []).filter((p) => p['name'] !== 'Idempotency-Key'), ref('parameters', 'IdempotencyKey')];
        addProblem(op, 'idempotency-key-in-flight', 'A request with this `Idempotency-Key` is still running; retry after `Retry-After` seconds.', {
          'Retry-After': ref('headers', 'RetryAfter'),
        });
        addProblem(op, 'idempotency-key-reused', 'This `Idempotency-Key` was first used with another method, path or body.');
      }
      op.responses['default'] ??= {
        description: 'Any other problem, e.g. 503 `service-unavailable` or 504 `upstream-timeout` while a service is down or slow (retry later).',
        content: { [PROBLEM_CONTENT_TYPE]: { schema: PROBLEM_REF, example: { type: problemType('service-unavailable'), title: 'Service unavailable', status: 503, detail: 'The tickets service is not reachable; retry shortly', code: 'service-unavailable', requestId: REQUEST_ID, service: 'tickets' } } },
      };
      for (const [status, response] of Object.entries(op.responses)) {
        const headers: Record<string, unknown> = { 'x-request-id': ref('headers', 'RequestId'), ...((response['headers'] as Json | undefined) ?? {}) };
        // The rate limit is counted (and its headers set) once the key is known: not on a 401.
        if (rateLimited && status !== '401') Object.assign(headers, rateHeaders);
        if (answers.idempotent && status.startsWith('2')) headers['Idempotent-Replayed'] = ref('headers', 'IdempotentReplayed');
        response['headers'] = headers;
      }
    }
  }
  return document;
}
