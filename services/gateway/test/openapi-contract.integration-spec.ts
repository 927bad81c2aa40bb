import { REPO_ROOT, useStack } from '@careflow/testing';
import { describe, expect, it } from 'vitest';
import { contractViolations, undocumentedRouteProblems } from './openapi-contract.js';

describe('the merged OpenAPI document keeps the contract rules', () => {
  const system = useStack();

  it('documents what every operation can answer, named enums, integers and scope alternatives', async () => {
    const res = await system.api.get('/docs/openapi.json').expect(200);
    expect(res.headers['x-careflow-missing-services']).toBeUndefined();
    expect(contractViolations(res.body)).toEqual([]);
    expect(undocumentedRouteProblems(res.body, REPO_ROOT)).toEqual([]);
  });
});
