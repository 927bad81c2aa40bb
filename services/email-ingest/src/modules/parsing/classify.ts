import { withoutSubaddress } from '@careflow/contracts';
import { readDeliveryStatus, returnedMessageId } from './delivery-status.js';
import type { DeliveryStatusRecipient } from './delivery-status.js';
import { messageId } from './message-id.js';
import { headerValues } from './parsed-message.js';
import type { ParsedMessage } from './parsed-message.js';

export interface BounceReport {
  /** The Message-ID of our message that bounced, when the report quotes it. */
  originalMessageId: string | null;
  recipients: DeliveryStatusRecipient[];
}

export type Classification =
  | { kind: 'bounce'; report: BounceReport }
  | { kind: 'auto_reply'; reason: string }
  /** Mailing-list mail becomes a ticket but gets no acknowledgement (RFC 3834 §2). */
  | { kind: 'mail'; mailingList: boolean };

export interface ClassifyOptions {
  /** The addresses we send from (MAIL_FROM); mail from them is our own, looping back. */
  ownAddresses: readonly string[];
}

const utf8 = new TextDecoder('utf-8');
const REPORT_PARTS = ['message/delivery-status', 'message/global-delivery-status'];
const RETURNED_PARTS = ['text/rfc822-headers', 'message/rfc822', 'message/global-headers', 'message/global'];
const DAEMON = /^(?:mailer-daemon|postmaster)@/i;
const STATUS_CODE = /\b([45])\.\d{1,3}\.\d{1,3}\b/;

function contentTypeOf(parsed: ParsedMessage): { type: string; reportType: string | null } {
  const value = headerValues(parsed, 'content-type')[0] ?? '';
  const type = (value.split(';')[0] ?? '').trim().toLowerCase();
  const reportType = value.match(/;\s*report-type\s*=\s*"?([\w.-]+)/i)?.[1]?.toLowerCase() ?? null;
  return { type, reportType };
}


function rfc3464Report(parsed: ParsedMessage): BounceReport {
  const statusPart = parsed.attachments.find((a) => REPORT_PARTS.includes(a.contentType));
  const recipients = statusPart ? readDeliveryStatus(utf8.decode(statusPart.content)) : [];
  let originalMessageId: string | null = null;
  for (const part of parsed.attachments.filter((a) => RETURNED_PARTS.includes(a.contentType))) {
    originalMessageId = returnedMessageId(utf8.decode(part.content));
    if (originalMessageId) break;
  }
  return { originalMessageId, recipients };
}

/**
 * A bounce without an RFC 3464 report (qmail's "failure notice", old Exim and Exchange): only
 * from MAILER-DAEMON or postmaster, and only the addresses that the text puts next to an
 * enhanced status code. Anything else from a daemon is treated as an automatic reply.
 */
function daemonTextReport(parsed: ParsedMessage): BounceReport | null {
  const lines = parsed.text.slice(0, 64 * 1024).split('\n');
  const recipients: DeliveryStatusRecipient[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < lines.length && recipients.length < 100; i++) {
    const address = lines[i]?.match(/^\s*<?([^\s<>@]+@[^\s<>@]+?)>?:?\s*$/)?.[1]?.toLowerCase();
    if (!address || seen.has(address)) continue;
    const status = lines.slice(i, i + 6).join(' ').match(STATUS_CODE);
    if (!status) continue;
    seen.add(address);
    const permanent = status[1] === '5';
    recipients.push({ address, status: status[0], action: permanent ? 'failed' : 'delayed', diagnostic: null, permanent });
  }
  if (recipients.length === 0) return null;
  const quoted = parsed.text.match(/^\s*Message-ID:\s*(<[^>\s]+>)/im)?.[1];
  return { originalMessageId: messageId(quoted), recipients };
}

function autoReplyReason(parsed: ParsedMessage, own: ReadonlySet<string>): string | null {
  const first = (name: string): string | null => headerValues(parsed, name)[0]?.trim().toLowerCase() ?? null;

  const autoSubmitted = first('auto-submitted');
  if (autoSubmitted !== null && (autoSubmitted.split(/[;\s(]/)[0] ?? '') !== 'no') return `auto-submitted: ${autoSubmitted.slice(0, 50)}`;

  const precedence = first('precedence')?.split(/[;\s(]/)[0] ?? null;
  // A list with List-Id is mailing-list mail (a ticket, not acknowledged); bulk and junk never are.
  if (precedence === 'bulk' || precedence === 'junk') return `precedence: ${precedence}`;
  if (precedence === 'list' && headerValues(parsed, 'list-id').length === 0) return 'precedence: list';

  if (headerValues(parsed, 'x-autoreply').length > 0) return 'x-autoreply';
  if (headerValues(parsed, 'x-autorespond').length > 0) return 'x-autorespond';
  // Exchange: set on out-of-office and inbox-rule replies; Outlook sets neither on mail a person writes.
  const suppress = first('x-auto-response-suppress');
  if (suppress !== null && /\b(?:all|oof)\b/.test(suppress)) return 'x-auto-response-suppress';
  if (headerValues(parsed, 'x-ms-exchange-inbox-rules-loop').length > 0) return 'x-ms-exchange-inbox-rules-loop';

  if (own.has(withoutSubaddress(parsed.from.address.toLowerCase()))) return 'from-own-address';
  if (DAEMON.test(parsed.from.address)) return 'from-mailer-daemon';
  return null;
}

/**
 * What an inbound message is: a bounce (decided first, whatever else it carries), an automatic
 * reply that must not create a ticket (RFC 3834 loop prevention), or mail.
 */
export function classify(parsed: ParsedMessage, options: ClassifyOptions): Classification {
  const { type, reportType } = contentTypeOf(parsed);
  if (type === 'multipart/report' && (reportType === 'delivery-status' || reportType === 'global-delivery-status')) {
    return { kind: 'bounce', report: rfc3464Report(parsed) };
  }
  if (DAEMON.test(parsed.from.address)) {
    const report = daemonTextReport(parsed);
    if (report) return { kind: 'bounce', report };
  }
  if (type === 'multipart/report') return { kind: 'auto_reply', reason: `report: ${reportType ?? 'unknown'}` };

  const own = new Set(options.ownAddresses.map((a) => withoutSubaddress(a.trim().toLowerCase())));
  const reason = autoReplyReason(parsed, own);
  if (reason) return { kind: 'auto_reply', reason };

  const mailingList = headerValues(parsed, 'list-id').length > 0 || headerValues(parsed, 'list-unsubscribe').length > 0;
  return { kind: 'mail', mailingList };
}
