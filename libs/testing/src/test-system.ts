import { createCareflowClient, type CareflowClient } from '@careflow/client';
import request from 'supertest';
import { afterAll, beforeAll } from 'vitest';
import { ResponseContract } from './response-contract.js';
import { Stack, type StackOptions } from './stack.js';

/** A function when the options depend on what an earlier hook started (an SMTP sink's URL). */
export type TestSystemOptions = StackOptions | (() => StackOptions | Promise<StackOptions>);

/** The running system of one e2e file, as its tests reach it. */
export interface TestSystem {
  readonly stack: Stack;
  /** Requests through the gateway; every JSON response is checked against the OpenAPI document (ResponseContract). */
  readonly api: ReturnType<typeof request>;
  /** The merged OpenAPI document the running gateway serves. */
  readonly contract: ResponseContract;
  /** The Authorization header of the admin API key. */
  admin(): { authorization: string };
  /**
   * @careflow/client on the gateway, as an integrator uses it, with the admin key unless given
   * another; its answers are checked against the OpenAPI document like `api`'s.
   */
  client(apiKey?: string): CareflowClient;
}

/**
 * Starts a Stack before the file's tests and stops it after them; call it once, at describe
 * level. Vitest runs beforeAll hooks in the order they are registered and afterAll hooks in
 * reverse (`sequence.hooks: 'stack'`), so a hook registered before this one (an SMTP sink)
 * is up before the stack starts and stops after it, and one registered after (fixtures, a
 * queue client) sees the stack running and is closed before it stops.
 */
export function useStack(options: TestSystemOptions = {}): TestSystem {
  let running: { stack: Stack; api: ReturnType<typeof request>; contract: ResponseContract } | undefined;
  // The stack only exists once beforeAll has run: say so rather than fail on undefined.
  const started = () => {
    if (!running) throw new Error('The stack is not running: reach it from a test or from a hook registered after useStack().');
    return running;
  };

  beforeAll(async () => {
    const stack = await Stack.start(typeof options === 'function' ? await options() : options);
    const contract = new ResponseContract((await request(stack.gatewayUrl).get('/docs/openapi.json').expect(200)).body);
    running = { stack, api: contract.enforce(request(stack.gatewayUrl)), contract };
  });
  afterAll(async () => running?.stack.stop());

  return {
    get stack() {
      return started().stack;
    },
    get api() {
      return started().api;
    },
    get contract() {
      return started().contract;
    },
    admin: () => ({ authorization: `Bearer ${started().stack.adminKey}` }),
    client: (apiKey) => {
      const { stack, contract } = started();
      return createCareflowClient({ apiKey: apiKey ?? stack.adminKey, baseUrl: stack.gatewayUrl, fetch: contract.checkedFetch() });
    },
  };
}
