import { acceptOrCreateRequestId, type Logger } from '@careflow/platform';
import { STATUS_CODES, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { PROBLEM_CONTENT_TYPE, STATUS_TITLES, problem } from './problem.js';

/** Node's parser errors and the status Node itself would answer them with. */
const STATUS_BY_ERROR: Record<string, number> = {
  HPE_HEADER_OVERFLOW: 431,
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 413,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

const DETAILS: Record<number, string> = {
  431: 'The request line and headers are larger than the server accepts; send long values in the body',
  413: 'The chunk extensions of the body are larger than the server accepts',
  408: 'The request did not arrive in time',
  400: 'The request is not valid HTTP',
};

/**
 * Node answers a request it cannot parse (a 100 kB query string: 431; malformed HTTP: 400)
 * by itself, with an empty body. This answers as every other error of the API does:
 * problem+json with a stable code and a request id. There is no request or response object
 * at that point, so the answer is written to the socket, which is then closed (as Node does).
 */
export function answerUnparsableRequests(server: Server, logger: Logger): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    // The peer is gone, or part of another response is on the wire: nothing can be said safely.
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const status = STATUS_BY_ERROR[error.code ?? ''] ?? 400;
    const requestId = acceptOrCreateRequestId(undefined);
    const [code, title] = STATUS_TITLES[status] ?? ['bad-request', 'Bad request'];
    const body = JSON.stringify(problem(status, code, title, DETAILS[status], { requestId }));
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        `content-type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\n` +
        `x-content-type-options: nosniff\r\n` +
        `x-request-id: ${requestId}\r\n` +
        `connection: close\r\n\r\n${body}`,
    );
    socket.destroy();
    logger.info({ requestId, status, error: error.code, remoteAddress: socket.remoteAddress }, 'unparsable request');
  });
}
