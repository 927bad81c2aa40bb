import { Pool } from 'undici';
import type { FuzzRequest } from './fuzz-request.js';
import { readable } from './fuzz-request.js';

export type FuzzResponse =
  | { ok: true; status: number; contentType: string; body: string; requestId?: string }
  /** No HTTP answer at all: the connection was reset or closed, or nothing came in time. */
  | { ok: false; error: string };

/**
 * Sends fuzz requests exactly as built: the target is not normalised (`..` and `%2e%2e`
 * stay), bodies are raw bytes, headers go out as given. undici's dispatcher API, because
 * fetch normalises URLs, and supertest serialises bodies itself.
 */
export class FuzzClient {
  private readonly pool: Pool;

  constructor(baseUrl: string, timeoutMs = 30_000) {
    this.pool = new Pool(baseUrl, { connections: 2, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  }

  async send(request: FuzzRequest): Promise<FuzzResponse> {
    try {
      const res = await this.pool.request({
        method: request.method as 'GET',
        path: request.target,
        headers: request.headers,
        body: request.body,
      });
      const body = await res.body.text();
      const requestId = res.headers['x-request-id'];
      return { ok: true, status: res.statusCode, contentType: String(res.headers['content-type'] ?? ''), body, requestId: typeof requestId === 'string' ? requestId : undefined };
    } catch (error) {
      const { code, message } = error as { code?: string; message?: string };
      // The client refusing to send (a header value it cannot put on the wire) is a bug of the generator.
      if (code === 'UND_ERR_INVALID_ARG') throw error;
      return { ok: false, error: `${code ?? 'error'}: ${message ?? String(error)}` };
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

export function describeResponse(response: FuzzResponse): string {
  return response.ok ? `→ ${response.status} ${response.contentType}\n  ${readable(response.body, 1500)}` : `→ no response (${response.error})`;
}
