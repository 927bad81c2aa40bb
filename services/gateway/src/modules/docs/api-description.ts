/** The introduction at the top of the public API reference. */
export const API_DESCRIPTION = `Careflow is an API-first customer-care platform for online shops: tickets with numbers,
priorities and promised response times; support e-mail in and out; proactive shipment notices; customer segments.

**Authentication.** Send an API key (an opaque \`cf_…\` string, not a JWT) as \`Authorization: Bearer <key>\`. A
missing or unknown key is 401; a key without any of the operation's scopes is 403 (\`requiredScopes\` lists them). An
operation lists its scopes as alternatives: any one suffices. Scopes: \`tickets:read\`, \`tickets:write\`, \`customers:read\`,
\`customers:write\`, \`orders:write\`, \`inbound:write\`, \`webhooks:manage\`, \`admin\` (implies all).

**Errors** are \`application/problem+json\` (RFC 9457) with \`type\`, \`title\`, \`status\`, \`detail\`, a stable
\`code\`, the \`requestId\`, and for validation errors \`errors: [{ field, message }]\` naming each field.

**Lists** take \`limit\` (default 50, max 200) and \`cursor\`; the body is \`{ data, nextCursor }\`.

**Idempotency.** Send \`Idempotency-Key\` on a POST (any but \`createApiKey\`, whose answer holds a secret): the same key with the same body returns the first response
again for 24 hours (with \`Idempotent-Replayed: true\`); the same key with another body is 422; while the first
request is still running, 409 with \`Retry-After\`. Operations that take it declare the \`Idempotency-Key\` header.

**Rate limits.** Each key has a budget per minute; responses carry \`RateLimit-Limit\`, \`RateLimit-Remaining\`,
\`RateLimit-Reset\`; over budget is 429 with \`Retry-After\`.

**Ids.** An id that cannot be one (not a UUID, or for tickets neither a UUID nor a ticket number) is 400 naming \`id\`;
a well-formed id that names nothing is 404.

**Tracing.** Every response carries \`x-request-id\` (yours, when you send one).`;
