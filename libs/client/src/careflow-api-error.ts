/** An answer outside 2xx, raised where the client cannot hand back `{ error }` (iteration). */
export class CareflowApiError extends Error {
  constructor(
    readonly status: number,
    /** The problem+json body (RFC 9457), or whatever the server sent. */
    readonly problem: unknown,
  ) {
    super(`Careflow API answered ${status}${describe(problem)}`);
    this.name = 'CareflowApiError';
  }
}

function describe(problem: unknown): string {
  if (typeof problem !== 'object' || problem === null) return '';
  const code = 'code' in problem && typeof problem.code === 'string' ? problem.code : undefined;
  const detail = 'detail' in problem && typeof problem.detail === 'string' ? problem.detail : undefined;
  return [code, detail].filter(Boolean).length > 0 ? `: ${[code, detail].filter(Boolean).join(': ')}` : '';
}
