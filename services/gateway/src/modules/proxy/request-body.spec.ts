import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { byteSize, readRequestBody, RequestBodyTooLargeError, UnsupportedContentEncodingError } from './request-body.js';

/** A request whose body the test writes; `complete` as Node's parser sets it. */
function request(headers: Record<string, string>) {
  const stream = new PassThrough() as PassThrough & { headers: Record<string, string>; complete: boolean };
  stream.headers = headers;
  stream.complete = false;
  stream.on('end', () => (stream.complete = true));
  let written = 0;
  const write = (chunk: Buffer) => {
    written += chunk.length;
    return stream.write(chunk);
  };
  return { req: stream as unknown as IncomingMessage, stream, write, written: () => written };
}

describe('byteSize', () => {
  it('reads the sizes the config accepts', () => {
    expect(byteSize('1mb')).toBe(1024 * 1024);
    expect(byteSize('512kb')).toBe(512 * 1024);
    expect(() => byteSize('1gb')).toThrow();
  });
});

describe('readRequestBody', () => {
  it('refuses a declared Content-Length above the limit without reading a byte', async () => {
    const { req, stream } = request({ 'content-length': String(25 * 1024 * 1024) });
    await expect(readRequestBody(req, 1024)).rejects.toBeInstanceOf(RequestBodyTooLargeError);
    expect(stream.readableFlowing).toBeNull(); // nobody ever started reading it
  });

  it('stops a chunked body the moment it passes the limit', async () => {
    const { req, stream, write } = request({ 'transfer-encoding': 'chunked' });
    const read = readRequestBody(req, 10_000);
    write(Buffer.alloc(8_000));
    write(Buffer.alloc(8_000));
    await expect(read).rejects.toBeInstanceOf(RequestBodyTooLargeError);
    expect(stream.readableFlowing).toBe(false); // paused: the rest is not read off
  });

  it('returns a body within the limit, and an empty one for a request without a body', async () => {
    const { req, stream } = request({ 'content-length': '5' });
    const read = readRequestBody(req, 10);
    stream.end(Buffer.from('hello'));
    expect((await read).toString()).toBe('hello');
    expect((await readRequestBody(request({}).req, 10)).length).toBe(0);
  });

  it('inflates gzip and holds the inflated size to the limit (no zip bombs)', async () => {
    const small = request({ 'content-encoding': 'gzip', 'transfer-encoding': 'chunked' });
    const read = readRequestBody(small.req, 100);
    small.stream.end(gzipSync('{"a":1}'));
    expect((await read).toString()).toBe('{"a":1}');

    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024));
    const big = request({ 'content-encoding': 'gzip', 'content-length': String(bomb.length) });
    const refused = readRequestBody(big.req, 64 * 1024);
    big.stream.end(bomb);
    await expect(refused).rejects.toBeInstanceOf(RequestBodyTooLargeError);
  });

  it('refuses an encoding it cannot inflate with 415', async () => {
    const { req } = request({ 'content-encoding': 'zstd-ish', 'content-length': '3' });
    await expect(readRequestBody(req, 10)).rejects.toBeInstanceOf(UnsupportedContentEncodingError);
  });
});
