import type { OpenAPIObject } from '@nestjs/swagger';

/** A JSON Schema (2020-12), as plain data. */
export type JsonSchema = Record<string, unknown>;

export interface WebhookCatalogueEntry {
  name: string;
  summary: string;
  description: string;
  /** The whole body `{ type, timestamp, data }`, self-contained: referenced schemas under `$defs`. */
  schema: JsonSchema;
  example: unknown;
}

const COMPONENT_REF = '#/components/schemas/';
const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

type Node = unknown;

/**
 * OpenAPI's schema dialect to plain JSON Schema: `nullable: true` (which the Nest generator
 * still writes) becomes a `null` alternative, and component references point into `$defs`.
 */
function toJsonSchema(node: Node, refs: Set<string>): Node {
  if (Array.isArray(node)) return node.map((n) => toJsonSchema(n, refs));
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (key === 'nullable') continue;
    if (key === '$ref' && typeof value === 'string' && value.startsWith(COMPONENT_REF)) {
      const name = value.slice(COMPONENT_REF.length);
      refs.add(name);
      out[key] = `#/$defs/${name}`;
    } else if (key === 'properties' && value && typeof value === 'object') {
      // Property names are not schemas: convert what each names, keep the names.
      out[key] = Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([name, schema]) => [name, toJsonSchema(schema, refs)]));
    } else {
      out[key] = toJsonSchema(value, refs);
    }
  }
  if ((node as Record<string, unknown>)['nullable'] !== true) return out;
  if (typeof out['type'] === 'string') {
    out['type'] = [out['type'], 'null'];
    if (Array.isArray(out['enum']) && !out['enum'].includes(null)) out['enum'] = [...out['enum'], null];
    return out;
  }
  return { anyOf: [out, { type: 'null' }] };
}

/**
 * The event catalogue from the merged OpenAPI document's `webhooks` section: each service
 * documents the events it emits next to the code that emits them (`*-webhooks.docs.ts`), and
 * this is a projection of that one description, so the catalogue and the document cannot
 * disagree. Sorted by name.
 */
export function webhookCatalogue(document: OpenAPIObject): WebhookCatalogueEntry[] {
  const components = (document.components?.schemas ?? {}) as Record<string, Node>;
  return Object.entries(document.webhooks ?? {})
    .map(([name, item]) => {
      const post = (item as { post?: { summary?: string; description?: string; requestBody?: { content?: Record<string, { schema?: Node; example?: unknown }> } } }).post;
      const body = post?.requestBody?.content?.['application/json'];
      const refs = new Set<string>();
      // The body's own schema at the root (not a $ref to it), so a reader sees its properties at once.
      const bodyRef = (body?.schema as { $ref?: unknown } | undefined)?.$ref;
      const rootName = typeof bodyRef === 'string' && bodyRef.startsWith(COMPONENT_REF) ? bodyRef.slice(COMPONENT_REF.length) : null;
      const root = toJsonSchema(rootName ? (components[rootName] ?? {}) : (body?.schema ?? {}), refs) as JsonSchema;
      // Every other schema reachable from the body, each converted once.
      const defs: Record<string, Node> = {};
      for (let pending = [...refs]; pending.length > 0; ) {
        const next = pending.pop()!;
        if (next in defs) continue;
        const found = new Set<string>();
        defs[next] = toJsonSchema(components[next] ?? {}, found);
        pending.push(...[...found].filter((r) => !(r in defs)));
      }
      const schema: JsonSchema = { $schema: JSON_SCHEMA_DIALECT, title: name, ...root, ...(Object.keys(defs).length ? { $defs: defs } : {}) };
      return { name, summary: post?.summary ?? '', description: post?.description ?? '', schema, example: body?.example ?? null };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}
