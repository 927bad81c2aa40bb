/** What the listener knows about one SMTP transaction, written into the stored message. */
export interface SmtpEnvelope {
  /** MAIL FROM (empty for a bounce: `<>`). */
  mailFrom: string;
  /** The accepted RCPT TO addresses, in order. */
  recipients: readonly string[];
  /** The name the client gave in HELO/EHLO. */
  helo: string;
  remoteAddress: string;
  /** Our host name (the MX). */
  hostname: string;
  transmission: 'ESMTP' | 'ESMTPS' | 'SMTP';
  sessionId: string;
  receivedAt: Date;
}

/**
 * The trace lines a final-delivery MTA prepends (RFC 5321 4.4, Postfix's local delivery):
 * Return-Path with the envelope sender, one Delivered-To per envelope recipient (routing goes
 * by the address the mail was delivered to, not the To: header, which a Bcc or a list does
 * not name), and a Received: line. The message's own bytes follow untouched.
 */
export function deliveryHeaders(e: SmtpEnvelope): Buffer {
  const lines = [`Return-Path: <${headerSafe(e.mailFrom)}>`, ...e.recipients.map((r) => `Delivered-To: ${headerSafe(r)}`)];
  // `for` names the recipient only when there is one (RFC 5321 4.4: never disclose the others).
  const forClause = e.recipients.length === 1 ? `\r\n\tfor <${headerSafe(e.recipients[0]!)}>` : '';
  lines.push(
    `Received: from ${headerSafe(e.helo) || 'unknown'} ([${headerSafe(e.remoteAddress)}])\r\n\tby ${headerSafe(e.hostname)} (Careflow) with ${e.transmission} id ${headerSafe(e.sessionId)}${forClause};\r\n\t${rfc5322Date(e.receivedAt)}`,
  );
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
}

/**
 * A value from the client as it may appear in a header: SMTP lines cannot carry CR or LF,
 * but nothing else stops controls, spaces or `<>;` that would change what the line says.
 */
function headerSafe(value: string): string {
  return value.replace(/[^\x21-\x7e\u00a0-\uffff]|[<>;]/g, '').slice(0, 320);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `Tue, 2 Dec 2025 14:03:09 +0000` (RFC 5322 date-time, in UTC). */
export function rfc5322Date(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

/** The domain of an address, lower-cased (`Support@Shop.Example` → `shop.example`); '' when there is none. */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).toLowerCase().replace(/\.$/, '');
}
