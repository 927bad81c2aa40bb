import net from 'node:net';
import nodemailer from 'nodemailer';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from './eventually.js';
import { SmtpSink } from './smtp-sink.js';

/** Opens an SMTP transaction by hand up to DATA, then resets the connection (as a killed sender's kernel does). */
async function resetMidTransaction(port: number): Promise<void> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  let buffered = '';
  const replies: string[] = [];
  let waiting: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('latin1');
    let end: number;
    while ((end = buffered.indexOf('\r\n')) >= 0) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      // A multi-line reply continues with "250-"; its last line has a space after the code.
      if (/^\d{3} /.test(line)) replies.push(line);
      waiting?.();
    }
  });
  const reply = async (): Promise<string> => {
    while (replies.length === 0) await new Promise<void>((resolve) => (waiting = resolve));
    return replies.shift()!;
  };
  expect(await reply()).toMatch(/^220 /);
  for (const [command, code] of [
    ['EHLO sender.test', '250'],
    ['MAIL FROM:<shop@sender.test>', '250'],
    ['RCPT TO:<customer@example.test>', '250'],
    ['DATA', '354'],
  ] as const) {
    socket.write(`${command}\r\n`);
    expect(await reply()).toMatch(new RegExp(`^${code} `));
  }
  // The sink has read everything sent so far (it answered DATA): the reset is what it reads next.
  socket.resetAndDestroy();
}

describe('SmtpSink', () => {
  let sink: SmtpSink | undefined;
  afterEach(async () => {
    await sink?.stop();
    sink = undefined;
  });

  it('survives senders resetting their connections mid-transaction and keeps accepting mail', async () => {
    sink = await SmtpSink.start();
    // SMTPServer re-emits such resets as its own 'error' event: with no listener the second
    // one was an uncaught exception that failed a whole test run (a stack stopped while its
    // worker had SMTP connections open).
    await resetMidTransaction(sink.port);
    await resetMidTransaction(sink.port);
    await eventually(() => expect(sink!.connectionErrors).toHaveLength(2));
    expect(sink.connectionErrors.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(['ECONNRESET', 'ECONNRESET']);

    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: sink.port, secure: false, ignoreTLS: true });
    await transport.sendMail({ from: 'shop@sender.test', to: 'customer@example.test', subject: 'after the resets', text: 'still here' });
    expect(sink.messages.map((m) => m.parsed.subject)).toEqual(['after the resets']);
  });

  it('rejects when it cannot listen', async () => {
    sink = await SmtpSink.start();
    await expect(SmtpSink.start(sink.port)).rejects.toThrow(/EADDRINUSE/);
  });
});
