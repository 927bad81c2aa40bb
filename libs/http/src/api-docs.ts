import { applyDecorators, HttpCode, type Type } from '@nestjs/common';
import { Scope, TicketStatus } from '@careflow/contracts';
import { ApiExtraModels, ApiOperation, ApiProperty, ApiPropertyOptional, ApiResponse, ApiSchema, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CODES, ROUTE_PROBLEMS, type RouteProblem } from './problem-codes.js';
import { PROBLEM_CONTENT_TYPE, STATUS_TITLES, problemType } from './problem.js';

@ApiSchema({ name: 'FieldError' })
export class FieldErrorDto {
  @ApiProperty({ example: 'email' })
  field!: string;
  @ApiProperty({ example: 'email must be an email' })
  message!: string;
}

/** RFC 9457 problem details. */
@ApiSchema({ name: 'Problem', description: 'RFC 9457 problem details; some problems add the fields documented here as optional.' })
export class ProblemDto {
  @ApiProperty({ example: problemType('validation-error'), format: 'uri' })
  type!: string;
  @ApiProperty({ example: 'Request validation failed' })
  title!: string;
  @ApiProperty({ type: 'integer', example: 400 })
  status!: number;
  @ApiPropertyOptional({ example: 'email: email must be an email' })
  detail?: string;
  @ApiPropertyOptional({ example: '/v1/customers/c-1001' })
  instance?: string;
  @ApiProperty({ enum: PROBLEM_CODES, example: 'validation-error', description: 'Stable machine-readable error code.' })
  code!: string;
  @ApiPropertyOptional({ example: '5f0c3c1e-8d1f-4c55-9d0e-2f3f1f7f9a10' })
  requestId?: string;
  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'Per-field problems (validation errors).' })
  errors?: FieldErrorDto[];
  @ApiPropertyOptional({ enum: Scope, isArray: true, example: ['tickets:write'], description: '403 `forbidden`: the scopes of which the key needs any one.' })
  requiredScopes?: string[];
  @ApiPropertyOptional({ enum: TicketStatus, example: 'closed', description: '409 `invalid-transition`: the ticket\'s current status.' })
  from?: string;
  @ApiPropertyOptional({ enum: TicketStatus, example: 'open', description: '409 `invalid-transition`: the status asked for.' })
  to?: string;
  @ApiPropertyOptional({ format: 'uuid', example: '0b6f3f3e-5d0e-4a1b-9a43-6c2d8f1e7a55', description: '409 `shipment-exists`: the shipment already recorded with this carrier and tracking number.' })
  shipmentId?: string;
  @ApiPropertyOptional({ example: 'support@shop.test', description: '409 `address-taken`: the inbound address another group holds.' })
  address?: string;
  @ApiPropertyOptional({ example: 'billing', description: '409 `address-taken`: the group holding the address.' })
  group?: string;
  @ApiPropertyOptional({ type: 'integer', example: 1048576, description: '413 `payload-too-large`: the largest body accepted, in bytes.' })
  limit?: number;
  @ApiPropertyOptional({ example: 'tickets', description: '503 `service-unavailable`, 504 `upstream-timeout`: the service that did not answer.' })
  service?: string;
}

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503;

function routeProblemExample(code: RouteProblem): Record<string, unknown> {
  const p = ROUTE_PROBLEMS[code];
  return { type: problemType(code), title: p.title, status: p.status, detail: p.detail, code, requestId: '5f0c3c1e-8d1f-4c55-9d0e-2f3f1f7f9a10', ...p.extra };
}

const ERROR_DESCRIPTIONS: Record<ErrorStatus, string> = {
  400: 'The request is malformed or a field is invalid; `errors` names each field.',
  401: 'No API key, or an unknown or revoked one.',
  403: 'The API key lacks the scope this operation needs.',
  404: 'The resource does not exist.',
  409: 'The resource is not in a state that allows this change.',
  413: 'The request body exceeds the size limit.',
  415: 'The request body has an unsupported content type.',
  422: 'The request is valid but refers to something that does not fit (an unknown group, a reused Idempotency-Key).',
  429: 'The API key exceeded its request budget; retry after `Retry-After` seconds.',
  503: 'A part of the system is unavailable; retry later.',
};

function errorExample(status: ErrorStatus): Record<string, unknown> {
  const [code, title] = STATUS_TITLES[status]!;
  const base = { type: problemType(code), title, status, code, requestId: '5f0c3c1e-8d1f-4c55-9d0e-2f3f1f7f9a10' };
  return status === 400
    ? {
        ...problem400(),
        requestId: base.requestId,
      }
    : { ...base, detail: ERROR_DESCRIPTIONS[status] };
}

function problem400(): Record<string, unknown> {
  return {
    type: problemType('validation-error'),
    title: 'Request validation failed',
    status: 400,
    code: 'validation-error',
    detail: 'email: email must be an email',
    errors: [{ field: 'email', message: 'email must be an email' }],
  };
}

/** Errors every authenticated operation can answer with; 503 is the gateway's while the service behind it is down. */
const COMMON_ERRORS: ErrorStatus[] = [401, 403, 429, 503];

export interface OperationDoc {
  summary: string;
  description?: string;
  operationId: string;
  /** Success status and body type (omit type for an empty body). */
  status: 200 | 201 | 202 | 204;
  type?: Type<unknown> | [Type<unknown>];
  /** Example of the success body. */
  example?: unknown;
  /** A success body of bytes, not JSON: its media type (`message/rfc822`, `application/octet-stream`). */
  binary?: string;
  /** Errors specific to this operation, in addition to 401, 403 and 429. */
  errors?: ErrorStatus[];
  /** The route's own problems (an invalid status transition), each documented with its example under its status. */
  problems?: RouteProblem[];
  /** Public operations have no 401/403/429. */
  public?: boolean;
  /** What an error means for this operation, where the general description does not fit (a provider's credentials, not an API key). */
  errorDescriptions?: Partial<Record<ErrorStatus, string>>;
  tags?: string[];
}

/**
 * One decorator per operation that documents the success body with an example and every
 * error response as problem+json, so the OpenAPI document cannot forget either.
 */
export function ApiOperationDoc(doc: OperationDoc): MethodDecorator {
  const problems = doc.problems ?? [];
  const errors = [...new Set([...(doc.public ? [] : COMMON_ERRORS), ...(doc.errors ?? []), ...problems.map((code) => ROUTE_PROBLEMS[code].status as ErrorStatus)])].sort();
  const examplesOf = (status: ErrorStatus) => {
    const own = problems.filter((code) => ROUTE_PROBLEMS[code].status === status);
    if (own.length === 0) return { example: errorExample(status) };
    // The general example stays beside the route's own when the status also has a general cause (a 400 for any invalid field).
    const general = doc.errors?.includes(status) || (!doc.public && COMMON_ERRORS.includes(status)) ? { [STATUS_TITLES[status]![0]]: { value: errorExample(status) } } : {};
    return { examples: { ...general, ...Object.fromEntries(own.map((code) => [code, { value: routeProblemExample(code) }])) } };
  };
  const decorators = [
    ApiExtraModels(ProblemDto),
    HttpCode(doc.status),
    ApiOperation({ summary: doc.summary, description: doc.description, operationId: doc.operationId, tags: doc.tags }),
    ApiResponse({
      status: doc.status,
      description: doc.status === 204 ? 'No content' : 'Success',
      ...(doc.type ? { type: doc.type } : {}),
      ...(doc.example !== undefined ? { example: doc.example } : {}),
      ...(doc.binary ? { content: { [doc.binary]: { schema: { type: 'string', format: 'binary' } } } } : {}),
    }),
    ...errors.map((status) =>
      ApiResponse({
        status,
        description: doc.errorDescriptions?.[status] ?? ERROR_DESCRIPTIONS[status],
        content: {
          [PROBLEM_CONTENT_TYPE]: {
            schema: { $ref: getSchemaPath(ProblemDto) },
            ...examplesOf(status),
          },
        },
      }),
    ),
  ];
  return applyDecorators(...decorators);
}
