import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually } from './eventually.js';

export interface ReceivedWebhook {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  receivedAt: Date;
}

/** A status to answer with, or `'hang'`: never answer (a receiver that times out). */
export type WebhookAnswer = number | 'hang';

/** A real HTTP endpoint that records what is POSTed to it and answers with a settable status. */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  status = 200;
  /** Decides each answer when set (e.g. 500, 500, then 200); `status` otherwise. */
  answer?: (webhook: ReceivedWebhook, index: number) => WebhookAnswer;
  private server?: http.Server;

  static async start(): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    receiver.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const webhook = { path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), receivedAt: new Date() };
        receiver.received.push(webhook);
        const answer = receiver.answer ? receiver.answer(webhook, receiver.received.length - 1) : receiver.status;
        if (answer !== 'hang') res.writeHead(answer).end();
      });
    });
    await new Promise<void>((resolve) => receiver.server!.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/hooks`;
  }

  async waitFor(predicate: (w: ReceivedWebhook) => boolean, timeoutMs = 10_000): Promise<ReceivedWebhook> {
    return eventually(() => {
      const found = this.received.find(predicate);
      if (!found) throw new Error(`no matching webhook among ${this.received.length}`);
      return found;
    }, timeoutMs);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
