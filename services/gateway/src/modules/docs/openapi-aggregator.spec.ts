import { describe, expect, it } from 'vitest';
import { publicServers } from './openapi-aggregator.js';

describe('the servers of the public document', () => {
  it('name the local gateway when no public URL is configured', () => {
    expect(publicServers({ GATEWAY_PORT: 3000 })).toEqual([{ url: 'http://127.0.0.1:3000', description: expect.any(String) }]);
  });

  it('put PUBLIC_URL first, without a trailing slash, so generated clients default to it', () => {
    expect(publicServers({ PUBLIC_URL: 'https://care.example.com/', GATEWAY_PORT: 8080 }).map((s) => s.url)).toEqual(['https://care.example.com', 'http://127.0.0.1:8080']);
  });
});
