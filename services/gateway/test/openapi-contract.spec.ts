import { REPO_ROOT } from '@careflow/testing';
import { describe, expect, it } from 'vitest';
import { describeGatewayContract } from '../src/modules/docs/gateway-contract.js';
import { contractViolations, REQUIRED_ENUMS, undocumentedRouteProblems, type ContractDocument } from './openapi-contract.js';

const problem = (status: number, code: string) => ({
  description: code,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' }, example: { type: `https://careflow.dev/problems/${code}`, title: code, status, code } } },
});

/** A small document as a service and the gateway write it: one POST with a body, one GET by id. */
function goodDocument(): ContractDocument {
  const enums = Object.fromEntries(REQUIRED_ENUMS.map((name) => [name, { type: 'string', enum: name === 'ShipmentStatus' ? ['created', 'in_transit'] : ['a', 'b'] }]));
  const document = {
    openapi: '3.1.0',
    info: { title: 'test', version: '1' },
    servers: [{ url: 'http://127.0.0.1:3000' }],
    paths: {
      '/v1/tickets': {
        post: {
          operationId: 'createTicket',
          security: [{ apiKey: ['tickets:write'] }],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/CreateTicketRequest' } } } },
          responses: { '201': { description: 'Created', content: { 'application/json': { schema: { $ref: '#/components/schemas/Ticket' } } } }, '400': problem(400, 'validation-error') },
        },
      },
      '/v1/tickets/{id}': {
        get: {
          operationId: 'getTicket',
          security: [{ apiKey: ['tickets:read'] }, { apiKey: ['tickets:write'] }],
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'OK', content: { 'application/json': { schema: { $ref: '#/components/schemas/Ticket' } } } }, '400': problem(400, 'validation-error'), '404': problem(404, 'not-found') },
        },
      },
    },
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', bearerFormat: 'cf_ API key' } },
      schemas: {
        ...enums,
        Problem: {
          type: 'object',
          properties: {
            status: { type: 'integer' },
            code: { $ref: '#/components/schemas/ProblemCode' },
            requiredScopes: { type: 'array', items: { $ref: '#/components/schemas/Scope' } },
            from: { $ref: '#/components/schemas/TicketStatus' },
            to: { $ref: '#/components/schemas/TicketStatus' },
            shipmentId: { type: 'string', format: 'uuid' },
          },
        },
        CreateTicketRequest: { type: 'object', properties: { subject: { type: 'string' }, priority: { $ref: '#/components/schemas/TicketPriority' } } },
        Ticket: { type: 'object', properties: { number: { type: 'integer' }, status: { $ref: '#/components/schemas/TicketStatus' }, segment: { anyOf: [{ $ref: '#/components/schemas/SegmentKey' }, { type: 'null' }] } } },
      },
    },
  };
  return describeGatewayContract(document as never) as unknown as ContractDocument;
}

type Json = Record<string, unknown>;
/** The object at a path of keys in a document, to break it there. */
const dig = (from: unknown, ...keys: string[]): Json => keys.reduce<Json>((node, key) => node[key] as Json, from as Json);
const post = (d: ContractDocument, ...keys: string[]) => dig(d.paths, '/v1/tickets', 'post', ...keys);
const get = (d: ContractDocument, ...keys: string[]) => dig(d.paths, '/v1/tickets/{id}', 'get', ...keys);
const schemas = (d: ContractDocument, ...keys: string[]) => dig(d.components!.schemas, ...keys);

/** Breaks a good document in one way; the contract must name that way. */
function broken(breakIt: (d: ContractDocument) => void): string[] {
  const document = goodDocument();
  breakIt(document);
  return contractViolations(document);
}

describe('the OpenAPI contract rules', () => {
  it('hold for a document the gateway completed', () => {
    expect(contractViolations(goodDocument())).toEqual([]);
  });

  it('fail without the Idempotency-Key header on a POST the gateway applies it to', () => {
    expect(broken((d) => (post(d)['parameters'] = []))).toContainEqual(expect.stringMatching(/POST \/v1\/tickets does not declare the Idempotency-Key/));
  });

  it('fail when the idempotency answers, 413, 415, 401 or default are missing', () => {
    for (const status of ['409', '422', '413', '415', '401', '429']) {
      expect(broken((d) => delete post(d, 'responses')[status]), status).toContainEqual(expect.stringContaining(`POST /v1/tickets does not document ${status}`));
    }
    expect(broken((d) => delete get(d, 'responses')['404'])).toContainEqual(expect.stringContaining('GET /v1/tickets/{id} does not document 404'));
    expect(broken((d) => delete get(d, 'responses')['default'])).toContainEqual(expect.stringContaining('has no default problem response'));
  });

  it('fail when a 409 in flight has no Retry-After or a response no x-request-id', () => {
    expect(broken((d) => delete post(d, 'responses', '409', 'headers')['Retry-After'])).toContainEqual(expect.stringContaining('409 does not declare Retry-After'));
    expect(broken((d) => delete get(d, 'responses', '200', 'headers')['x-request-id'])).toContainEqual(expect.stringContaining('200 does not declare x-request-id'));
  });

  it('fail on scope alternatives written as one requirement', () => {
    expect(broken((d) => (get(d)['security'] = [{ apiKey: ['tickets:read', 'tickets:write'] }]))).toContainEqual(expect.stringContaining('are in one requirement'));
  });

  it('fail on an inline enum, a number meant as an integer, a Dto name, a missing named enum', () => {
    expect(broken((d) => (schemas(d, 'Ticket', 'properties')['status'] = { type: 'string', enum: ['new', 'open'] }))).toContainEqual(expect.stringContaining('Ticket/properties/status: inline enum'));
    expect(broken((d) => (schemas(d, 'Ticket', 'properties')['number'] = { type: 'number' }))).toContainEqual(expect.stringContaining('Ticket/properties/number: number'));
    expect(broken((d) => (get(d, 'parameters', '0')['schema'] = { type: 'string', enum: ['x', 'y'] }))).toContainEqual(expect.stringContaining('inline enum [x, y]'));
    expect(broken((d) => (schemas(d)['TicketDto'] = { type: 'object' }))).toContainEqual(expect.stringContaining('schema TicketDto'));
    expect(broken((d) => delete schemas(d)['SegmentKey'])).toContainEqual('no named enum SegmentKey');
    expect(broken((d) => (schemas(d, 'ShipmentStatus')['enum'] = ['in_transit', 'delivered']))).toContainEqual('ShipmentStatus lacks created');
  });

  it('fail on undocumented problem fields, a JWT bearer format, a relative server', () => {
    expect(broken((d) => delete schemas(d, 'Problem', 'properties')['requiredScopes'])).toContainEqual('Problem does not document requiredScopes');
    expect(broken((d) => (d.components!.securitySchemes!['apiKey']!['bearerFormat'] = 'JWT'))).toContainEqual(expect.stringContaining('says JWT'));
    expect(broken((d) => (d.servers = [{ url: '/' }]))).toContainEqual(expect.stringContaining('not an absolute URL'));
  });

  it('fail on a $ref that points at nothing, even inside an example', () => {
    const document = goodDocument();
    const get = (document.paths['/v1/tickets/{id}'] as Record<string, { responses: Record<string, { content?: Record<string, Record<string, unknown>> }> }>)['get']!;
    get.responses['200']!.content!['application/json']!['example'] = { schema: { data: { $ref: '#/$defs/Nothing' } } };
    expect(contractViolations(document)).toEqual([expect.stringContaining('$ref #/$defs/Nothing points at nothing')]);
  });

  it('fail when a feature throws a route problem that none of its operations documents', () => {
    // The operations as the sources declare them, but without their problems' examples.
    const bare: ContractDocument = { paths: { '/v1/tickets/{id}': { patch: { operationId: 'updateTicket', responses: { '409': problem(409, 'conflict') } } } } };
    expect(undocumentedRouteProblems(bare, REPO_ROOT)).toContainEqual(expect.stringContaining('tickets/tickets throws invalid-transition'));
    bare.paths['/v1/tickets/{id}']!['patch'] = { operationId: 'updateTicket', responses: { '409': problem(409, 'invalid-transition') } };
    expect(undocumentedRouteProblems(bare, REPO_ROOT)).not.toContainEqual(expect.stringContaining('tickets/tickets throws'));
  });
});
