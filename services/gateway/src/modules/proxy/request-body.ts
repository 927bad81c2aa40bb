import { DomainError } from '@careflow/platform';
import type { IncomingMessage } from 'node:http';
import type { Readable, Transform } from 'node:stream';
import zlib from 'node:zlib';

export class RequestBodyTooLargeError extends DomainError {
  readonly status = 413;
  readonly code = 'payload-too-large';
  readonly title = 'Request body too large';
  constructor(limit: number) {
    super(`The body of this request may have at most ${limit} bytes`);
    this.extensions['limit'] = limit;
  }
}

export class UnsupportedContentEncodingError extends DomainError {
  readonly status = 415;
  readonly code = 'unsupported-media-type';
  readonly title = 'Unsupported media type';
  constructor(encoding: string) {
    super(`Content-Encoding ${encoding} is not accepted; send identity, gzip, deflate or br`);
  }
}

export class UnreadableBodyError extends DomainError {
  readonly status = 400;
  readonly code = 'unreadable-body';
  readonly title = 'The request body could not be read';
}

const UNITS: Record<string, number> = { kb: 1024, mb: 1024 * 1024 };

/** A size as the config classes accept it (`512kb`, `1mb`, `25mb`), in bytes. */
export function byteSize(size: string): number {
  const match = /^(\d+)(kb|mb)$/.exec(size);
  if (!match) throw new Error(`not a size: ${size}`);
  return Number(match[1]) * UNITS[match[2]!]!;
}

/**
 * Reads a request body into memory, never more than `limit` bytes (after decompression). A
 * declared Content-Length above the limit is refused before a byte is read, and a chunked or
 * compressed body the moment it passes the limit. (body-parser reads off the whole rest of an
 * oversized body before it answers; here the caller answers at once and closes the connection.)
 */
export function readRequestBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(new RequestBodyTooLargeError(limit));
  if (req.headers['transfer-encoding'] === undefined && !(Number(declared ?? 0) > 0)) return Promise.resolve(Buffer.alloc(0));
  let decoder: Transform | undefined;
  try {
    decoder = decoderFor(req);
  } catch (error) {
    return Promise.reject(error);
  }
  const source: Readable = decoder ? req.pipe(decoder) : req;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (error?: unknown) => {
      if (settled) return;
      settled = true;
      source.removeListener('data', onData);
      if (decoder) {
        req.unpipe(decoder);
        decoder.destroy();
      }
      if (error) {
        req.pause();
        reject(error);
      } else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) finish(new RequestBodyTooLargeError(limit));
      else chunks.push(chunk);
    };
    source.on('data', onData);
    source.once('end', () => finish());
    source.once('error', (error: Error) => finish(new UnreadableBodyError(error.message)));
    if (decoder) req.once('error', (error: Error) => finish(new UnreadableBodyError(error.message)));
    req.once('close', () => {
      if (!req.complete) finish(new UnreadableBodyError('The client closed the connection before the body ended'));
    });
  });
}

/** What inflates the body, if it is compressed (as body-parser did: services always get it plain). */
function decoderFor(req: IncomingMessage): Transform | undefined {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  switch (encoding) {
    case 'identity':
      return undefined;
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip();
    case 'deflate':
      return zlib.createInflate();
    case 'br':
      return zlib.createBrotliDecompress();
    default:
      throw new UnsupportedContentEncodingError(encoding);
  }
}
