import { applyDecorators, HttpCode, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiOperation, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE, STATUS_TITLES, problemType } from './problem.js';

export class FieldErrorDto {
  @ApiProperty({ example: 'email' })
  field!: string;
  @ApiProperty({ example: 'email must be an email' })
  message!: string;
}

/** RFC 9457 problem details. */
export class ProblemDto {
  @ApiProperty({ example: problemType('validation-error'), format: 'uri' })
  type!: string;
  @ApiProperty({ example: 'Request validation failed' })
  title!: string;
  @ApiProperty({ example: 400 })
  status!: number;
  @ApiPropertyOptional({ example: 'email: email must be an email' })
  detail?: string;
  @ApiPropertyOptional({ example: '/v1/customers/c-1001' })
  instance?: string;
  @ApiProperty({ example: 'validation-error', description: 'Stable machine-readable error code.' })
  code!: string;
  @ApiPropertyOptional({ example: '5f0c3c1e-8d1f-4c55-9d0e-2f3f1f7f9a10' })
  requestId?: string;
  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'Per-field problems (validation errors).' })
  errors?: FieldErrorDto[];
  // The members some problems add (RFC 9457 extensions), each with the code that carries it.
  @ApiPropertyOptional({ type: [String], example: ['tickets:write'], description: '`forbidden` (403): the scopes that allow the operation, any one of them.' })
  requiredScopes?: string[];
  @ApiPropertyOptional({ example: 'closed', description: '`invalid-transition` (409): the ticket\'s status.' })
  from?: string;
  @ApiPropertyOptional({ example: 'new', description: '`invalid-transition` (409): the status asked for.' })
  to?: string;
  @ApiPropertyOptional({ format: 'uuid', description: '`shipment-exists` (409): the shipment already recorded with this carrier and tracking number.' })
  shipmentId?: string;
  @ApiPropertyOptional({ example: 'returns@shop.test', description: '`address-taken` (409): the inbound address.' })
  address?: string;
  @ApiPropertyOptional({ example: 'returns', description: '`address-taken` (409): the group it already routes to.' })
  group?: string;
  @ApiPropertyOptional({ example: 'tickets', description: '`service-unavailable` (503), `upstream-timeout` (504): the service that did not answer.' })
  service?: string;
  @ApiPropertyOptional({ type: 'integer', example: 1048576, description: '`payload-too-large` (413): the body limit in bytes.' })
  limit?: number;
}

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503;

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
  /** Errors specific to this operation, in addition to 401, 403 and 429. */
  errors?: ErrorStatus[];
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
  const errors = [...new Set([...(doc.public ? [] : COMMON_ERRORS), ...(doc.errors ?? [])])].sort();
  const decorators = [
    ApiExtraModels(ProblemDto),
    HttpCode(doc.status),
    ApiOperation({ summary: doc.summary, description: doc.description, operationId: doc.operationId, tags: doc.tags }),
    ApiResponse({
      status: doc.status,
      description: doc.status === 204 ? 'No content' : 'Success',
      ...(doc.type ? { type: doc.type } : {}),
      ...(doc.example !== undefined ? { example: doc.example } : {}),
    }),
    ...errors.map((status) =>
      ApiResponse({
        status,
        description: doc.errorDescriptions?.[status] ?? ERROR_DESCRIPTIONS[status],
        content: {
          [PROBLEM_CONTENT_TYPE]: {
            schema: { $ref: getSchemaPath(ProblemDto) },
            example: errorExample(status),
          },
        },
      }),
    ),
  ];
  return applyDecorators(...decorators);
}
