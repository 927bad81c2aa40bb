import { REPO_ROOT } from '@careflow/testing';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { beforeAll, describe, expect, it } from 'vitest';
import { newWebhookSecret } from './webhook-secret.js';

type Handler = (req: { body: Buffer; headers: Record<string, string> }, res: { sendStatus(status: number): void }) => Promise<void>;

/** The README's "Receiving webhooks" snippet, as a shop would paste it. */
function readmeSnippet(): string {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Receiving webhooks\n'));
  const match = /```js\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error('README: no js block under "Receiving webhooks"');
  return match[1]!;
}

/**
 * Runs the snippet with a stand-in for express (it captures the route's handler and checks the
 * body parser is the raw one), the real `standardwebhooks`, and the two functions the shop
 * writes itself: a dedupe store and its handler.
 */
function receiverFromReadme(secret: string) {
  const code = readmeSnippet()
    .replace("import express from 'express';", '')
    .replace("import { Webhook } from 'standardwebhooks';", '');
  expect(code).not.toMatch(/^import /m);
  let handler: Handler | undefined;
  let parser: unknown;
  const RAW = Symbol('express.raw');
  const express = Object.assign(() => ({ post: (_path: string, bodyParser: unknown, h: Handler) => ((parser = bodyParser), (handler = h)) }), {
    raw: (options: { type: string }) => (expect(options.type).toBe('application/json'), RAW),
  });
  const seen = new Set<string>();
  const handled: unknown[] = [];
  const firstTimeSeen = async (id: string) => !seen.has(id) && Boolean(seen.add(id));
  const handle = async (event: unknown) => void handled.push(event);
  new Function('express', 'Webhook', 'process', 'firstTimeSeen', 'handle', code)(express, Webhook, { env: { CAREFLOW_WEBHOOK_SECRET: secret } }, firstTimeSeen, handle);
  expect(parser, 'the snippet reads the raw body').toBe(RAW);
  const receive = async (body: Buffer, headers: Record<string, string>) => {
    let status = 0;
    await handler!({ body, headers }, { sendStatus: (s) => void (status = s) });
    return status;
  };
  return { receive, handled };
}

/** A signature computed as the Standard Webhooks specification says, without the library. */
function sign(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

describe('the README\'s webhook receiver', () => {
  const secret = newWebhookSecret();
  const body = '{"type":"ticket.created","timestamp":"2026-12-01T09:00:00.000Z","data":{"id":"3f2b9c1e","number":1042,"version":1}}';
  let receiver: ReturnType<typeof receiverFromReadme>;
  const now = () => Math.floor(Date.now() / 1000);
  const headers = (id: string, timestamp: number, signature: string) => ({ 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature, 'content-type': 'application/json' });

  beforeAll(() => {
    receiver = receiverFromReadme(secret);
  });

  it('accepts a message signed the Standard Webhooks way, and hands on the event', async () => {
    const t = now();
    expect(await receiver.receive(Buffer.from(body), headers('msg_readme_1', t, sign(secret, 'msg_readme_1', t, body)))).toBe(204);
    expect(receiver.handled.at(-1)).toEqual(JSON.parse(body));
  });

  it('handles a repeated webhook-id once', async () => {
    const t = now();
    const before = receiver.handled.length;
    const h = headers('msg_readme_2', t, sign(secret, 'msg_readme_2', t, body));
    expect(await receiver.receive(Buffer.from(body), h)).toBe(204);
    expect(await receiver.receive(Buffer.from(body), h)).toBe(204);
    expect(receiver.handled.length).toBe(before + 1);
  });

  it('accepts either of two signatures (a secret rotation)', async () => {
    const t = now();
    const old = newWebhookSecret();
    const both = `${sign(old, 'msg_readme_3', t, body)} ${sign(secret, 'msg_readme_3', t, body)}`;
    expect(await receiver.receive(Buffer.from(body), headers('msg_readme_3', t, both))).toBe(204);
    expect(await receiver.receive(Buffer.from(body), headers('msg_readme_4', t, sign(old, 'msg_readme_4', t, body)))).toBe(400);
  });

  it('refuses a changed body, another message\'s signature, and an old timestamp', async () => {
    const t = now();
    const signature = sign(secret, 'msg_readme_5', t, body);
    expect(await receiver.receive(Buffer.from(body.replace('1042', '1043')), headers('msg_readme_5', t, signature))).toBe(400);
    expect(await receiver.receive(Buffer.from(body), headers('msg_readme_6', t, signature))).toBe(400);
    const old = t - 600;
    expect(await receiver.receive(Buffer.from(body), headers('msg_readme_7', old, sign(secret, 'msg_readme_7', old, body)))).toBe(400);
  });

  it('needs the raw body: the same JSON serialized again is other bytes, and fails', async () => {
    const spaced = '{ "type": "ticket.created", "data": { "id": "3f2b9c1e" } }';
    const t = now();
    const signature = sign(secret, 'msg_readme_8', t, spaced);
    expect(await receiver.receive(Buffer.from(JSON.stringify(JSON.parse(spaced))), headers('msg_readme_8', t, signature))).toBe(400);
    expect(await receiver.receive(Buffer.from(spaced), headers('msg_readme_8', t, signature))).toBe(204);
  });
});
