import { describe, expect, it } from 'vitest';
import { listApiOperations } from './openapi-operations.js';

describe('operations of an OpenAPI document', () => {
  it('lists each operation with its parameters, body and scopes, references resolved', () => {
    const operations = listApiOperations({
      paths: {
        '/v1/tickets/{id}': {
          parameters: [{ $ref: '#/components/parameters/Id' }],
          patch: {
            parameters: [{ name: 'On-Behalf-Of', in: 'header', schema: { type: 'string' } }],
            requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Patch' } } } },
            security: [{ apiKey: ['tickets:write'] }],
          },
          get: { parameters: [{ name: 'limit', in: 'query', schema: { type: 'number', example: 5 } }] },
        },
      },
      components: {
        parameters: { Id: { name: 'id', in: 'path', schema: { type: 'string' } } },
        schemas: {
          Patch: { type: 'object', properties: { tags: { type: 'array', items: { $ref: '#/components/schemas/Tag' } }, self: { $ref: '#/components/schemas/Patch' } } },
          Tag: { type: 'string', example: 'delivery' },
        },
      },
    });
    expect(operations.map((o) => `${o.method} ${o.path}`)).toEqual(['GET /v1/tickets/{id}', 'PATCH /v1/tickets/{id}']);
    const patch = operations[1]!;
    expect(patch.pathParams).toEqual([{ name: 'id', required: true, schema: { type: 'string' } }]);
    expect(patch.headerParams.map((p) => p.name)).toEqual(['On-Behalf-Of']);
    expect(patch.scopes).toEqual(['tickets:write']);
    expect(patch.body?.schema.properties?.['tags']?.items).toEqual({ type: 'string', example: 'delivery' });
    // A schema that contains itself is cut where it recurs, not followed forever.
    expect(patch.body?.schema.properties?.['self']).toEqual({});
    expect(operations[0]!.queryParams).toEqual([{ name: 'limit', required: false, schema: { type: 'number', example: 5 } }]);
  });
});
