import net from 'node:net';

export interface RawHttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends bytes as they are (headers that promise more body than is sent, a request line
 * no client library would build) and returns the answer once the server closes the
 * connection. Rejects when no answer arrives within `timeoutMs`: the server was waiting
 * for the rest of the request.
 */
export function rawHttp(baseUrl: string, request: string | Buffer, timeoutMs = 5_000): Promise<RawHttpAnswer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms${chunks.length ? ` (got ${Buffer.concat(chunks).toString('latin1').slice(0, 200)})` : ''}`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      if (split < 0) {
        reject(new Error(`the connection closed without an answer: ${JSON.stringify(text.slice(0, 200))}`));
        return;
      }
      const [statusLine, ...lines] = text.slice(0, split).split('\r\n');
      const headers = Object.fromEntries(
        lines.map((line) => [line.slice(0, line.indexOf(':')).trim().toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
      );
      resolve({ status: Number(statusLine!.split(' ')[1]), headers, body: text.slice(split + 4) });
    };
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', done);
    // A reset after the answer (the server closed with our bytes unread) still leaves the answer.
    socket.on('error', () => undefined);
    socket.write(request);
  });
}
