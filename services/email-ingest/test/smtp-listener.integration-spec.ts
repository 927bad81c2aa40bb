import { freePort } from '@careflow/testing';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import { useEmailIngestApp } from './app.support.js';

/** A self-signed certificate for STARTTLS (openssl is on every development and CI machine). */
function selfSignedCertificate(): { cert: string; key: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'careflow-smtp-tls-'));
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=mx.shop.example'], { stdio: 'ignore' });
  return { cert, key };
}

/**
 * A plain SMTP conversation over a socket, for what a library client would not do (send more
 * DATA than SIZE allows without declaring it): each command is sent and its reply returned.
 */
class SmtpDialog {
  private buffer = '';
  private waiting?: (line: string) => void;

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.flush();
    });
  }

  static async open(port: number): Promise<{ dialog: SmtpDialog; greeting: string }> {
    const socket = net.connect(port, '127.0.0.1');
    const dialog = new SmtpDialog(socket);
    return { dialog, greeting: await dialog.reply() };
  }

  /** Sends one command (or DATA content) and returns the last line of the reply. */
  async send(text: string): Promise<string> {
    this.socket.write(text.endsWith('\r\n') ? text : `${text}\r\n`);
    return this.reply();
  }

  close(): void {
    this.socket.destroy();
  }

  private reply(): Promise<string> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.flush();
    });
  }

  private flush(): void {
    // A reply ends with a line "NNN text" (continuation lines are "NNN-text").
    const match = /(^|\r\n)(\d{3} [^\r\n]*)\r\n/.exec(this.buffer);
    if (!match || !this.waiting) return;
    this.buffer = this.buffer.slice(match.index + match[0].length);
    const resolve = this.waiting;
    this.waiting = undefined;
    resolve(match[2]!);
  }
}

describe('the inbound SMTP listener', () => {
  let port: number;
  const tls = selfSignedCertificate();
  const running = useEmailIngestApp(async () => {
    port = await freePort();
    return {
      INBOUND_SMTP_PORT: String(port),
      INBOUND_SMTP_DOMAINS: 'shop.example, support.shop.example',
      INBOUND_SMTP_HOSTNAME: 'mx.shop.example',
      INBOUND_SMTP_MAX_RECIPIENTS: '3',
      INBOUND_SMTP_TLS_CERT: tls.cert,
      INBOUND_SMTP_TLS_KEY: tls.key,
      EMAIL_BODY_LIMIT: '64kb',
    };
  });

  const transport = (options: { starttls?: boolean } = {}) =>
    nodemailer.createTransport({
      host: '127.0.0.1',
      port,
      secure: false,
      ...(options.starttls ? { requireTLS: true, tls: { rejectUnauthorized: false } } : { ignoreTLS: true }),
    });

  async function stored(): Promise<Array<{ id: string; source: string; raw: Buffer }>> {
    const { rows } = await running.db.pool.query(`SELECT id, source, raw FROM email_ingest.inbound_emails ORDER BY received_at`);
    return rows;
  }

  async function count(): Promise<number> {
    return (await stored()).length;
  }

  function message(subject: string, body: Buffer | string = 'Hello, where is my parcel?\r\n'): Buffer {
    return Buffer.concat([
      Buffer.from(`From: Lan <lan.nguyen@example.com>\r\nTo: Support <support@shop.example>\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, '')}@example.com>\r\n\r\n`),
      Buffer.isBuffer(body) ? body : Buffer.from(body),
    ]);
  }

  it('stores mail for a configured domain before answering 250, with delivery headers before the original bytes', async () => {
    const raw = message('Parcel 1042');
    const info = await transport().sendMail({ envelope: { from: 'lan.nguyen@example.com', to: ['Support@Shop.Example', 'billing@support.shop.example'] }, raw });
    expect(info.response).toMatch(/^250 2\.6\.0 Message accepted as [0-9a-f-]{36}$/);
    const id = /as ([0-9a-f-]{36})$/.exec(info.response)![1];

    const row = (await stored()).find((r) => r.id === id)!;
    expect(row.source).toBe('smtp');
    expect(row.raw.subarray(row.raw.length - raw.length).equals(raw)).toBe(true);
    // (nodemailer lower-cases the domain of an envelope address; the local part is kept.)
    const added = row.raw.subarray(0, row.raw.length - raw.length).toString('utf8');
    expect(added).toMatch(
      /^Return-Path: <lan\.nguyen@example\.com>\r\nDelivered-To: Support@shop\.example\r\nDelivered-To: billing@support\.shop\.example\r\nReceived: from \S+ \(\[127\.0\.0\.1\]\)\r\n\tby mx\.shop\.example \(Careflow\) with ESMTP id \S+;\r\n\t\w{3}, \d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d \+0000\r\n$/,
    );
  });

  it('refuses recipients of other domains with 550 5.7.1 and stores nothing', async () => {
    const before = await count();
    const error = await transport()
      .sendMail({ envelope: { from: 'spammer@example.net', to: ['victim@elsewhere.example'] }, raw: message('relay?') })
      .catch((e: { responseCode?: number; response?: string }) => e);
    expect(error).toMatchObject({ responseCode: 550 });
    expect((error as { response: string }).response).toMatch(/^550 5\.7\.1 Relay access denied/);
    expect(await count()).toBe(before);

    // A subdomain is not the domain; an accepted recipient does not open the door to others.
    const { dialog } = await SmtpDialog.open(port);
    expect(await dialog.send('EHLO client.example')).toMatch(/^250 /);
    expect(await dialog.send('MAIL FROM:<a@example.net>')).toMatch(/^250 /);
    expect(await dialog.send('RCPT TO:<support@evil.shop.example>')).toMatch(/^550 5\.7\.1 /);
    expect(await dialog.send('RCPT TO:<support@shop.example>')).toMatch(/^250 /);
    expect(await dialog.send('RCPT TO:<x@gmail.com>')).toMatch(/^550 5\.7\.1 /);
    expect(await dialog.send('QUIT')).toMatch(/^221 /);
    dialog.close();
  });

  it('announces SIZE and answers 552 for a message over EMAIL_BODY_LIMIT, declared or not', async () => {
    const before = await count();
    const { dialog } = await SmtpDialog.open(port);
    const ehlo = await dialog.send('EHLO client.example');
    expect(ehlo).toMatch(/^250 /);
    // Declared too big: refused at MAIL FROM.
    expect(await dialog.send(`MAIL FROM:<a@example.net> SIZE=${64 * 1024 + 1}`)).toMatch(/^552 /);
    // Not declared: read, dropped, refused after the data.
    expect(await dialog.send('MAIL FROM:<a@example.net>')).toMatch(/^250 /);
    expect(await dialog.send('RCPT TO:<support@shop.example>')).toMatch(/^250 /);
    expect(await dialog.send('DATA')).toMatch(/^354 /);
    const line = `${'x'.repeat(998)}\r\n`;
    expect(await dialog.send(`Subject: big\r\n\r\n${line.repeat(70)}.\r\n`)).toMatch(/^552 5\.3\.4 /);
    // The connection goes on: a small message after it is accepted.
    expect(await dialog.send('MAIL FROM:<a@example.net>')).toMatch(/^250 /);
    expect(await dialog.send('RCPT TO:<support@shop.example>')).toMatch(/^250 /);
    expect(await dialog.send('DATA')).toMatch(/^354 /);
    expect(await dialog.send('Subject: small\r\n\r\nok\r\n.\r\n')).toMatch(/^250 2\.6\.0 /);
    dialog.close();
    expect(await count()).toBe(before + 1);
  });

  it('limits recipients per message (452 4.5.3) and takes no AUTH', async () => {
    const { dialog } = await SmtpDialog.open(port);
    await dialog.send('EHLO client.example');
    expect(await dialog.send('AUTH PLAIN AGxhbgBzZWNyZXQ=')).toMatch(/^5\d\d /);
    await dialog.send('MAIL FROM:<a@example.net>');
    for (const n of [1, 2, 3]) expect(await dialog.send(`RCPT TO:<r${n}@shop.example>`)).toMatch(/^250 /);
    expect(await dialog.send('RCPT TO:<r4@shop.example>')).toMatch(/^452 4\.5\.3 /);
    expect(await dialog.send('RCPT TO:<r1@shop.example>')).toMatch(/^250 /);
    dialog.close();
  });

  it('stores an 8-bit body byte for byte (dot-stuffed lines included)', async () => {
    const body = Buffer.concat([
      Buffer.from('Caf'),
      Buffer.from([0xe9, 0x20, 0xe0, 0x20, 0xff, 0xfe, 0x80, 0x81, 0x9f]),
      Buffer.from('\r\n.leading dot\r\n..two dots\r\nGrüße, Nguyễn\r\n'),
    ]);
    const raw = Buffer.concat([Buffer.from('Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n'), message('8bit', body)]);
    const info = await transport().sendMail({ envelope: { from: 'lan.nguyen@example.com', to: ['support@shop.example'] }, raw });
    const id = /as ([0-9a-f-]{36})$/.exec(info.response)![1];
    const row = (await stored()).find((r) => r.id === id)!;
    expect(row.raw.subarray(row.raw.length - raw.length).equals(raw)).toBe(true);
    expect(row.raw.subarray(0, row.raw.length - raw.length).toString('utf8')).toContain('\tfor <support@shop.example>;');
  });

  it('offers STARTTLS with the configured certificate', async () => {
    const raw = message('over TLS');
    const info = await transport({ starttls: true }).sendMail({ envelope: { from: 'lan.nguyen@example.com', to: ['support@shop.example'] }, raw });
    const id = /as ([0-9a-f-]{36})$/.exec(info.response)![1];
    const row = (await stored()).find((r) => r.id === id)!;
    expect(row.raw.toString('utf8')).toMatch(/\(Careflow\) with ESMTPS id/);
  });

  it('answers 451 4.3.0 when the message cannot be stored, so the sender retries, and stores it on the retry', async () => {
    const before = await count();
    // A real failure of the INSERT (Postgres refuses the row), not a stub.
    await running.db.pool.query(`ALTER TABLE email_ingest.inbound_emails ADD CONSTRAINT test_refuses_smtp CHECK (source <> 'smtp') NOT VALID`);
    const raw = message('retry me');
    const send = () => transport().sendMail({ envelope: { from: 'lan.nguyen@example.com', to: ['support@shop.example'] }, raw });
    let error: { responseCode?: number; response?: string } | undefined;
    try {
      error = await send().then(
        () => undefined,
        (e: { responseCode?: number; response?: string }) => e,
      );
    } finally {
      await running.db.pool.query(`ALTER TABLE email_ingest.inbound_emails DROP CONSTRAINT test_refuses_smtp`);
    }
    expect(error).toMatchObject({ responseCode: 451 });
    expect(error!.response).toMatch(/^451 4\.3\.0 /);
    expect(await count()).toBe(before);

    const info = await send();
    expect(info.response).toMatch(/^250 /);
    expect(await count()).toBe(before + 1);
  });
});
