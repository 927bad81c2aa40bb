import { WebhookEventType } from '@careflow/contracts';
import { useStack } from '@careflow/testing';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';

interface CatalogueEntry {
  name: string;
  summary: string;
  description: string;
  schema: Record<string, unknown>;
  example: { type: string; timestamp: string; data: unknown };
}

/** GET /v1/webhook-events: the catalogue, read from the merged OpenAPI document of every service. */
describe('the webhook event catalogue', () => {
  const system = useStack();
  let catalogue: CatalogueEntry[];

  beforeAll(async () => {
    const res = await system.api.get('/v1/webhook-events').set(system.admin()).expect(200);
    expect(res.body.nextCursor).toBeNull();
    catalogue = res.body.data;
  });

  it('covers exactly the events endpoints can subscribe to, plus webhook.test', () => {
    expect(catalogue.map((e) => e.name).sort()).toEqual([...WebhookEventType, 'webhook.test'].sort());
    for (const e of catalogue) {
      expect(e.summary, e.name).not.toBe('');
      expect(e.description, e.name).not.toBe('');
    }
  });

  it('gives each event a JSON Schema its example validates against', () => {
    // Not strict: the schemas carry OpenAPI's annotation keywords (`example`), which JSON Schema does not know.
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    for (const e of catalogue) {
      const { $schema, ...schema } = e.schema;
      expect($schema).toBe('https://json-schema.org/draft/2020-12/schema');
      const validate = ajv.compile(schema);
      expect(validate(e.example), `${e.name}: ${ajv.errorsText(validate.errors)}`).toBe(true);
      expect(e.example.type, e.name).toBe(e.name);
    }
  });

  it('schemas are strict enough to refuse a body of another shape', () => {
    const ajv = new Ajv2020({ strict: false });
    const shipment = catalogue.find((e) => e.name === 'shipment.status_changed')!;
    const { $schema: _, ...schema } = shipment.schema;
    const validate = ajv.compile(schema);
    const data = shipment.example.data as Record<string, unknown>;
    expect(validate({ ...shipment.example, data: { ...data, status: 'teleported' } })).toBe(false);
    expect(validate({ ...shipment.example, data: { ...data, previousStatus: null } })).toBe(true);
    const { shipmentId: _id, ...withoutId } = data;
    expect(validate({ ...shipment.example, data: withoutId })).toBe(false);
  });

  it('is the webhooks section of the OpenAPI document', async () => {
    const doc = await system.api.get('/docs/openapi.json').expect(200);
    expect(Object.keys(doc.body.webhooks).sort()).toEqual(catalogue.map((e) => e.name).sort());
    for (const e of catalogue) expect(doc.body.webhooks[e.name].post.requestBody.content['application/json'].example, e.name).toEqual(e.example);
  });

  it('needs the webhooks:manage scope', async () => {
    await system.api.get('/v1/webhook-events').expect(401);
    const key = await system.api.post('/v1/api-keys').set(system.admin()).send({ name: 'reader', scopes: ['tickets:read'] }).expect(201);
    await system.api.get('/v1/webhook-events').set({ authorization: `Bearer ${key.body.key}` }).expect(403);
    const manager = await system.api.post('/v1/api-keys').set(system.admin()).send({ name: 'hooks', scopes: ['webhooks:manage'] }).expect(201);
    await system.api.get('/v1/webhook-events').set({ authorization: `Bearer ${manager.body.key}` }).expect(200);
  });
});
