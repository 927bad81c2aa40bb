/** A response kept to replay to a retry with the same Idempotency-Key. */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** An idempotency record as the idempotency repository returns it. */
export interface IdempotencyRecord {
  /** The fingerprint of the request that claimed the key (method, path and body). */
  fingerprint: string;
  /** Null while that request is still in flight. */
  response: StoredResponse | null;
}
