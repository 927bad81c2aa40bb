import { Channel, CommentAuthorType, InboundEmailStatus, NotificationStatus, OrderChannel, Scope, Segment, ShipmentStatus, SlaMetric, TicketPriority, TicketStatus, TicketType, WebhookEventType } from '@careflow/contracts';
import type { OpenAPIObject } from '@nestjs/swagger';
import { PROBLEM_CODES } from './problem-codes.js';

export type NamedEnums = Readonly<Record<string, readonly unknown[]>>;

/**
 * The shared vocabulary as named schemas of the public document (`#/components/schemas/TicketStatus`),
 * so a generated client has one `TicketStatus` type, not one copy per field. The public names
 * are the integrator's: `SegmentKey` for the built-in segments a customer's primary segment is
 * always one of.
 */
export const SHARED_ENUMS: NamedEnums = {
  TicketStatus,
  TicketPriority,
  TicketType,
  Channel,
  SegmentKey: Segment,
  OrderChannel,
  ShipmentStatus,
  TrackingEventStatus: ShipmentStatus.filter((s) => s !== 'created'),
  CommentAuthorType,
  InboundEmailStatus,
  NotificationStatus,
  Scope,
  WebhookEventType,
  SlaMetric,
  ProblemCode: PROBLEM_CODES,
};

const DESCRIPTIONS: Record<string, string> = {
  SegmentKey: 'A built-in segment. A customer\'s primary segment is always one of these; custom segments are memberships beside it.',
  TrackingEventStatus: 'A carrier\'s tracking status: every shipment status but `created`, which only a new shipment has.',
  ProblemCode: 'The stable machine-readable code of a problem (the last segment of its `type`).',
};

type Node = Record<string, unknown>;

const sameValues = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((v) => b.includes(v));

/**
 * Writes a one-element `allOf` around a `$ref` as the `$ref` itself, and replaces every inline `enum` of the document whose values are exactly those of a named enum
 * with a `$ref` to it (`anyOf: [$ref, null]` where null is allowed), and adds the named enums it
 * used to `components.schemas`. One rule for every service, applied where its document is built.
 * An enum that matches none stays inline; the contract test reports it.
 */
export function nameEnums(document: OpenAPIObject, named: NamedEnums): OpenAPIObject {
  const used = new Set<string>();
  const entries = Object.entries(named);
  const visit = (node: unknown, inSchema: boolean): unknown => {
    if (Array.isArray(node)) return node.map((n) => visit(n, inSchema));
    if (!node || typeof node !== 'object') return node;
    let object = node as Node;
    // Nest writes a reference with siblings (a description, an example) as a one-element allOf; OpenAPI 3.1 allows the siblings beside $ref.
    const allOf = object['allOf'];
    if (inSchema && Array.isArray(allOf) && allOf.length === 1 && typeof (allOf[0] as Node)['$ref'] === 'string' && Object.keys(allOf[0] as Node).length === 1) {
      const { allOf: _allOf, ...rest } = object;
      object = { ...rest, $ref: (allOf[0] as Node)['$ref'] };
    }
    const values = Array.isArray(object['enum']) ? (object['enum'] as unknown[]) : undefined;
    if (inSchema && values) {
      const nullable = values.includes(null) || (Array.isArray(object['type']) && object['type'].includes('null')) || object['nullable'] === true;
      const match = entries.find(([, v]) => sameValues(v, values.filter((x) => x !== null)));
      if (match) {
        used.add(match[0]);
        const { enum: _enum, type: _type, nullable: _nullable, ...rest } = object;
        const ref = { $ref: `#/components/schemas/${match[0]}` };
        return nullable ? { ...rest, anyOf: [ref, { type: 'null' }] } : { ...rest, ...ref };
      }
    }
    return Object.fromEntries(
      Object.entries(object).map(([k, v]) => [k, k === 'example' || k === 'examples' || k === 'default' ? v : visit(v, inSchema || k === 'schema' || k === 'schemas' || k === 'properties' || k === 'items')]),
    );
  };
  const paths = visit(document.paths, false) as OpenAPIObject['paths'];
  const webhooks = document.webhooks ? (visit(document.webhooks, false) as OpenAPIObject['webhooks']) : undefined;
  // A component that is itself an enum (declared with `enumName`) stays; what it holds is visited.
  const schemas = Object.fromEntries(
    Object.entries(document.components?.schemas ?? {}).map(([name, schema]) => [
      name,
      Object.fromEntries(Object.entries(schema as Node).map(([k, v]) => [k, k === 'example' || k === 'examples' || k === 'default' ? v : visit(v, true)])),
    ]),
  ) as Record<string, unknown>;
  for (const name of used) {
    const values = named[name]!;
    schemas[name] = { type: 'string', enum: [...values], ...(DESCRIPTIONS[name] ? { description: DESCRIPTIONS[name] } : {}) };
  }
  return { ...document, paths, ...(webhooks ? { webhooks } : {}), components: { ...document.components, schemas: schemas as NonNullable<OpenAPIObject['components']>['schemas'] } };
}

/**
 * Request schemas state their defaults in words, not as `default`: generators that treat a
 * property with a default as always present (openapi-typescript's default output) would make
 * an integrator send a field the API fills in. Responses keep nothing of the kind to lose.
 */
export function defaultsInWords(document: OpenAPIObject): OpenAPIObject {
  const schemas = (document.components?.schemas ?? {}) as Record<string, Node>;
  const refsIn = (node: unknown, found: Set<string>): Set<string> => {
    if (Array.isArray(node)) node.forEach((n) => refsIn(n, found));
    else if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node as Node)) {
        if (k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')) found.add(v.slice('#/components/schemas/'.length));
        else if (k !== 'example' && k !== 'examples') refsIn(v, found);
      }
    }
    return found;
  };
  const pending = [...refsIn(Object.values(document.paths).flatMap((item) => Object.values(item as Node).map((op) => (op as Node | undefined)?.['requestBody'])), new Set())];
  const requestSchemas = new Set<string>();
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (requestSchemas.has(name) || !schemas[name]) continue;
    requestSchemas.add(name);
    pending.push(...refsIn(schemas[name], new Set()));
  }
  for (const name of requestSchemas) {
    const properties = (schemas[name]!['properties'] ?? {}) as Record<string, Node>;
    for (const property of Object.values(properties)) {
      if (!('default' in property)) continue;
      const words = `Default: \`${JSON.stringify(property['default'])}\`.`;
      delete property['default'];
      property['description'] = property['description'] ? `${String(property['description'])} ${words}` : words;
    }
  }
  return document;
}
