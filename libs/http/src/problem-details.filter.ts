import { DomainError, type Logger, LOGGER, RequestContext } from '@careflow/platform';
import { Catch, HttpException, Inject, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { IncomingMessage } from 'node:http';
import { pathOf } from './request-path.js';
import { STATUS_TITLES, problem, sendProblem, type Problem } from './problem.js';

/** Body-parser and other Express-level errors carry a status and a `type` string. */
interface HttpLayerError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
  message: string;
}

/** The error `type` of a JSON body that is not UTF-8 (thrown by the body parser's verify step). */
export const INVALID_UTF8 = 'encoding.invalid';

/** A request as Express or plain Node hands it over (Express rewrites `url` under a mount path, not `originalUrl`). */
type AnyRequest = IncomingMessage & { originalUrl?: string };

export function toProblem(error: unknown, req: AnyRequest): Problem {
  const requestId = RequestContext.requestId() ?? (req.headers['x-request-id'] as string | undefined);
  const path = pathOf(req.originalUrl ?? req.url);
  const extras = { instance: path, ...(requestId ? { requestId } : {}) };

  if (error instanceof DomainError) {
    return {
      ...problem(error.status, error.code, error.title, error.detail, { ...error.extensions, ...extras }),
      ...(error.errors ? { errors: error.errors } : {}),
    };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const [code, title] = STATUS_TITLES[status] ?? ['http-error', 'HTTP error'];
    const detail = status === 404 ? `No route ${req.method} ${path}` : error.message;
    return problem(status, code, title, detail, extras);
  }
  const layer = error as HttpLayerError;
  const status = layer?.status ?? layer?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const [code, title] = STATUS_TITLES[status] ?? ['bad-request', 'Bad request'];
    if (layer.type === 'entity.parse.failed') {
      return problem(400, 'malformed-json', 'Malformed JSON body', 'The request body is not valid JSON', extras);
    }
    if (layer.type === INVALID_UTF8) {
      return problem(400, 'malformed-json', 'Malformed JSON body', 'The request body is not valid UTF-8', extras);
    }
    return problem(status, code, title, layer.expose === false ? undefined : layer.message, extras);
  }
  return problem(500, 'internal', 'Internal error', 'An unexpected error occurred; it has been logged', extras);
}

/** The one place every error becomes application/problem+json (RFC 9457). */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const body = toProblem(error, req);
    if (body.status >= 500) {
      this.logger.error({ err: error, method: req.method, path: req.path }, 'unhandled error');
    }
    sendProblem(res, body);
  }
}
