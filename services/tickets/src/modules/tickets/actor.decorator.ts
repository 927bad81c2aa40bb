import type { TicketActor } from '@careflow/contracts';
import { PRINCIPAL_HEADERS } from '@careflow/http';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

/**
 * Who makes a change: the agent named in `On-Behalf-Of` (checked to exist by the service),
 * else the API key that authenticated the request.
 */
export const Actor = createParamDecorator((_: unknown, context: ExecutionContext): TicketActor => {
  const req = context.switchToHttp().getRequest<Request>();
  const agent = req.header(PRINCIPAL_HEADERS.onBehalfOf)?.trim();
  if (agent) return { type: 'agent', id: agent };
  return { type: 'api_key', id: req.header(PRINCIPAL_HEADERS.keyId) ?? null };
});
