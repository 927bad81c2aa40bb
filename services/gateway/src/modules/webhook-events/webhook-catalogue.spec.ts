import type { OpenAPIObject } from '@nestjs/swagger';
import { describe, expect, it } from 'vitest';
import { webhookCatalogue } from './webhook-catalogue.js';

const document = {
  openapi: '3.1.0',
  info: { title: 't', version: '1' },
  paths: {},
  webhooks: {
    'thing.changed': {
      post: {
        summary: 'A thing changed',
        description: 'Long text.',
        requestBody: {
          content: {
            'application/json': {
              schema: { $ref: '#/components/schemas/ThingChangedEventDto' },
              example: { type: 'thing.changed', data: { id: 'a', previous: null } },
            },
          },
        },
      },
    },
    'another.event': { post: { summary: 'Another', description: 'Other.', requestBody: { content: { 'application/json': { schema: { type: 'object' }, example: {} } } } } },
  },
  components: {
    schemas: {
      ThingChangedEventDto: {
        type: 'object',
        properties: { type: { type: 'string', enum: ['thing.changed'] }, data: { $ref: '#/components/schemas/ThingDto' } },
        required: ['type', 'data'],
      },
      ThingDto: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          previous: { type: 'string', enum: ['a', 'b'], nullable: true },
          // a property literally named "nullable" is a name, not the keyword
          nullable: { type: 'boolean' },
          owner: { allOf: [{ $ref: '#/components/schemas/OwnerDto' }], nullable: true },
        },
      },
      OwnerDto: { type: 'object', properties: { name: { type: 'string' } } },
      Unrelated: { type: 'string' },
    },
  },
} as unknown as OpenAPIObject;

describe('webhookCatalogue', () => {
  it('lists every webhook of the document by name, with its texts and example', () => {
    const catalogue = webhookCatalogue(document);
    expect(catalogue.map((e) => e.name)).toEqual(['another.event', 'thing.changed']);
    expect(catalogue[1]).toMatchObject({ summary: 'A thing changed', description: 'Long text.', example: { type: 'thing.changed', data: { id: 'a', previous: null } } });
  });

  it('makes each schema self-contained JSON Schema: reachable components under $defs, nullable as a null alternative', () => {
    const schema = webhookCatalogue(document)[1]!.schema;
    expect(schema).toMatchObject({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      title: 'thing.changed',
      type: 'object',
      properties: { type: { type: 'string', enum: ['thing.changed'] }, data: { $ref: '#/$defs/ThingDto' } },
      required: ['type', 'data'],
    });
    const defs = schema['$defs'] as Record<string, Record<string, unknown>>;
    expect(Object.keys(defs).sort()).toEqual(['OwnerDto', 'ThingDto']);
    expect(defs['ThingDto']!['properties']).toEqual({
      id: { type: 'string' },
      previous: { type: ['string', 'null'], enum: ['a', 'b', null] },
      nullable: { type: 'boolean' },
      owner: { anyOf: [{ allOf: [{ $ref: '#/$defs/OwnerDto' }] }, { type: 'null' }] },
    });
    expect(JSON.stringify(schema)).not.toContain('#/components/');
  });
});
