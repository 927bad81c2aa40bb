/** How a client retries answers that say "not now". */
export interface RetryPolicy {
  /** Attempts in all, the first included. Default 3. */
  maxAttempts?: number;
  /** A Retry-After longer than this is not waited for: the answer is returned as it is. Default 30 s. */
  maxDelayMs?: number;
  /** The wait when an answer gives no Retry-After; doubled per attempt. Default 250 ms. */
  baseDelayMs?: number;
}

const IN_FLIGHT = 'idempotency-key-in-flight';

/**
 * Wraps fetch so that 429, 503 and 409 idempotency-key-in-flight are retried after the
 * answer's Retry-After (or a short backoff), a bounded number of times. Every other answer,
 * and the last one, is returned unchanged. The request is cloned per attempt, so a retried
 * POST sends the same body and the same Idempotency-Key.
 */
export function retryingFetch(fetch: (request: Request) => Promise<Response>, policy: RetryPolicy = {}): (request: Request) => Promise<Response> {
  const maxAttempts = Math.max(1, policy.maxAttempts ?? 3);
  const maxDelayMs = policy.maxDelayMs ?? 30_000;
  const baseDelayMs = policy.baseDelayMs ?? 250;
  return async (request) => {
    for (let attempt = 1; ; attempt++) {
      const response = await fetch(attempt < maxAttempts ? request.clone() : request);
      if (attempt >= maxAttempts || !(await isRetryable(response))) return response;
      const delay = retryAfterMs(response.headers.get('retry-after')) ?? baseDelayMs * 2 ** (attempt - 1);
      if (delay > maxDelayMs) return response;
      await response.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  };
}

async function isRetryable(response: Response): Promise<boolean> {
  if (response.status === 429 || response.status === 503) return true;
  if (response.status !== 409) return false;
  const body: unknown = await response
    .clone()
    .json()
    .catch(() => undefined);
  return typeof body === 'object' && body !== null && 'code' in body && body.code === IN_FLIGHT;
}

/** Retry-After as milliseconds: delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
