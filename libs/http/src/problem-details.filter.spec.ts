import { ConflictError, NotFoundError } from '@careflow/platform';
import { NotFoundException } from '@nestjs/common';
import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import { RequestValidationError } from './request-errors.js';
import { toProblem } from './problem-details.filter.js';

const req = { method: 'GET', originalUrl: '/v1/things/1?x=1', headers: {} } as unknown as Request;

describe('toProblem', () => {
  it('maps domain errors by their code and status', () => {
    expect(toProblem(new NotFoundError('ticket', '42'), req)).toMatchObject({
      type: 'https://careflow.dev/problems/not-found', status: 404, code: 'not-found', detail: 'ticket "42" does not exist', instance: '/v1/things/1',
    });
    expect(toProblem(new ConflictError('invalid-transition', 'closed → open'), req)).toMatchObject({ status: 409, code: 'invalid-transition' });
    expect(toProblem(new RequestValidationError([{ field: 'a.b', message: 'bad' }]), req).errors).toEqual([{ field: 'a.b', message: 'bad' }]);
  });

  it('maps body-parser errors to 400 and 413', () => {
    expect(toProblem({ status: 400, type: 'entity.parse.failed', message: 'Unexpected token' }, req)).toMatchObject({ status: 400, code: 'malformed-json' });
    expect(toProblem({ status: 413, type: 'entity.too.large', message: 'request entity too large' }, req)).toMatchObject({ status: 413, code: 'payload-too-large' });
  });

  it('maps Nest route misses to 404, anything unknown to a 500 that reveals nothing', () => {
    expect(toProblem(new NotFoundException(), req)).toMatchObject({ status: 404, detail: 'No route GET /v1/things/1' });
    const internal = toProblem(new Error('password=hunter2 in SQL'), req);
    expect(internal).toMatchObject({ status: 500, code: 'internal' });
    expect(JSON.stringify(internal)).not.toContain('hunter2');
  });
});
