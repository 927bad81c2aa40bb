import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import type { MailboxForFetch } from './mailbox.record.js';

/** The connection settings of a mailbox as imapflow takes them; `credential` is the decrypted secret. */
export function imapOptions(m: Pick<MailboxForFetch, 'host' | 'port' | 'tls' | 'username' | 'authMethod'>, credential: string, timeoutMs: number): ImapFlowOptions {
  return {
    host: m.host,
    port: m.port,
    // implicit: TLS from the start; starttls: the upgrade is required (a stripped STARTTLS
    // capability fails the connection instead of sending the password in clear); none: clear text
    secure: m.tls === 'implicit',
    doSTARTTLS: m.tls === 'starttls' ? true : m.tls === 'none' ? false : undefined,
    auth: m.authMethod === 'xoauth2' ? { user: m.username, accessToken: credential } : { user: m.username, pass: credential },
    logger: false,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: 5 * 60_000,
    // IDLE soon after the last command, so mail arriving right after a fetch is pushed at once
    autoIdleDelay: 500,
    // some servers drop an IDLE after 30 minutes: restart it before that
    maxIdleTime: 10 * 60_000,
    disableCompression: false,
    clientInfo: { name: 'Careflow email-ingest' },
  };
}

export function openImapClient(options: ImapFlowOptions): ImapFlow {
  return new ImapFlow(options);
}

const MAX_ERROR_LENGTH = 500;

/**
 * What went wrong, in words fit for the mailbox's lastError: the server's own text for a
 * refused login, the network reason otherwise. Never the credential (imapflow's errors do not
 * carry it; the text is also cut and stripped of control characters).
 */
export function describeImapError(error: unknown): string {
  const e = (error ?? {}) as { message?: string; code?: string; authenticationFailed?: boolean; serverResponseCode?: string; response?: unknown; responseText?: unknown };
  const serverText = typeof e.responseText === 'string' ? e.responseText : typeof e.response === 'string' ? e.response : null;
  let text: string;
  if (e.authenticationFailed || e.serverResponseCode === 'AUTHENTICATIONFAILED') {
    text = `authentication failed: ${serverText ?? e.message ?? 'the server refused the login'}`;
  } else if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') {
    text = `host not found (${e.code})`;
  } else if (e.code === 'ECONNREFUSED') {
    text = 'connection refused';
  } else if (e.code === 'CONNECT_TIMEOUT' || e.code === 'GREETING_TIMEOUT' || e.code === 'ETIMEDOUT') {
    text = `timed out connecting (${e.code})`;
  } else {
    const base = e.message ?? String(error);
    text = serverText && !base.includes(serverText) ? `${base}: ${serverText}` : base;
    if (e.code && !text.includes(e.code)) text = `${text} (${e.code})`;
  }
  const clean = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return clean.length > MAX_ERROR_LENGTH ? `${clean.slice(0, MAX_ERROR_LENGTH - 1)}…` : clean;
}

/** Wait before attempt n+1 after n failures in a row: base · 2^(n−1), capped, with ±20% jitter. */
export function retryDelay(failures: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  if (failures <= 0) return 0;
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.min(failures - 1, 30));
  return Math.round(Math.min(maxMs, exponential * (0.8 + 0.4 * random())));
}
