import { describe, expect, it } from 'vitest';
import { ResponseContract, type CheckedResponse } from './response-contract.js';

const document = {
  paths: {
    '/v1/tickets/{id}': {
      get: {
        operationId: 'getTicket',
        responses: {
          '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/Ticket' } } } },
          '404': { content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
        },
      },
      delete: { operationId: 'deleteTicket', responses: { '204': { description: 'Gone' } } },
    },
    '/v1/tickets/search': { get: { operationId: 'searchTickets', responses: { '200': { content: { 'application/json': { schema: { type: 'array' } } } } } } },
  },
  components: {
    schemas: {
      Ticket: {
        type: 'object',
        required: ['id', 'status', 'createdAt'],
        properties: { id: { type: 'string', format: 'uuid' }, status: { enum: ['new', 'open'] }, createdAt: { type: 'string', format: 'date-time' }, number: { type: 'integer', example: 3 } },
      },
      Problem: { type: 'object', required: ['status', 'code'], properties: { status: { type: 'integer' }, code: { type: 'string' } } },
    },
  },
};

const json = (status: number, body: unknown, contentType = 'application/json; charset=utf-8'): CheckedResponse => ({ status, contentType, text: JSON.stringify(body), body });
const ticket = { id: '0b6f3c9e-3f7e-4a4e-9a55-6f0a3b5d2c11', status: 'new', createdAt: '2026-11-23T09:30:00.000Z', number: 3 };

describe('ResponseContract', () => {
  const contract = new ResponseContract(document);

  it('accepts a body its operation documents, through $refs into the components', () => {
    expect(contract.check('GET', `/v1/tickets/${ticket.id}?expand=1`, json(200, ticket))).toBeUndefined();
    expect(contract.check('GET', '/v1/tickets/nope', json(404, { status: 404, code: 'ticket-not-found' }, 'application/problem+json'))).toBeUndefined();
  });

  it('refuses a body its schema refuses: a missing field, a value outside the enum, a bad format, a float for an integer', () => {
    const { createdAt: _, ...withoutCreatedAt } = ticket;
    expect(contract.check('GET', `/v1/tickets/${ticket.id}`, json(200, withoutCreatedAt))).toMatch(/getTicket.*createdAt/);
    expect(contract.check('GET', `/v1/tickets/${ticket.id}`, json(200, { ...ticket, status: 'closed' }))).toMatch(/allowed values/);
    expect(contract.check('GET', `/v1/tickets/${ticket.id}`, json(200, { ...ticket, createdAt: 'yesterday' }))).toMatch(/date-time/);
    expect(contract.check('GET', `/v1/tickets/${ticket.id}`, json(200, { ...ticket, number: 3.5 }))).toMatch(/integer/);
  });

  it('refuses a field the schema does not list, unless told to allow them', () => {
    const extra = json(404, { status: 404, code: 'ticket-not-found', requiredScopes: ['admin'] }, 'application/problem+json');
    expect(contract.check('GET', '/v1/tickets/nope', extra)).toMatch(/unevaluated properties/);
    expect(new ResponseContract(document, { allowUndocumentedFields: true }).check('GET', '/v1/tickets/nope', extra)).toBeUndefined();
  });

  it('refuses a status the operation does not document, and a media type its response does not', () => {
    expect(contract.check('GET', `/v1/tickets/${ticket.id}`, json(400, { status: 400, code: 'x' }, 'application/problem+json'))).toMatch(/answered 400, which it does not document/);
    expect(contract.check('GET', `/v1/tickets/${ticket.id}`, json(404, { status: 404, code: 'x' }))).toMatch(/application\/json, which the 404 response does not document/);
  });

  it('prefers a literal path to a template, and leaves undocumented routes and bodiless answers alone', () => {
    expect(contract.check('GET', '/v1/tickets/search', json(200, []))).toBeUndefined();
    expect(contract.check('GET', '/health/ready', json(200, { ok: true }))).toBeUndefined();
    expect(contract.check('POST', '/v1/tickets/abc', json(405, {}))).toBeUndefined();
    expect(contract.check('DELETE', '/v1/tickets/abc', { status: 204, contentType: undefined, text: '', body: {} })).toBeUndefined();
  });
});
