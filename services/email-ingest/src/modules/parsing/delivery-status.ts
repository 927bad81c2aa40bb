import { messageId } from './message-id.js';

/** One per-recipient block of a delivery status notification (RFC 3464 §2.3). */
export interface DeliveryStatusRecipient {
  address: string;
  /** RFC 3463 enhanced status code, `5.1.1`. */
  status: string | null;
  /** failed, delayed, delivered, relayed, expanded. */
  action: string;
  diagnostic: string | null;
  /** Action failed with a 5.x.x status: the address must not be mailed again. */
  permanent: boolean;
}

const MAX_SCAN = 256 * 1024;
const MAX_RECIPIENTS = 100;
const STATUS = /\b([245])\.(\d{1,3})\.(\d{1,3})\b/;

/** `Name: value` fields of one block, folded lines joined, names lower-cased. */
function fields(block: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!result.has(name)) result.set(name, line.slice(colon + 1).trim());
  }
  return result;
}

/** The value after the type of a typed field: `rfc822; a@b` → `a@b`. */
function typedValue(value: string | undefined): string | null {
  if (value === undefined) return null;
  const semi = value.indexOf(';');
  const text = (semi >= 0 ? value.slice(semi + 1) : value).trim().replace(/^<(.*)>$/, '$1');
  return text === '' ? null : text;
}

/** The per-recipient blocks of a message/delivery-status body. */
export function readDeliveryStatus(body: string): DeliveryStatusRecipient[] {
  const blocks = body.slice(0, MAX_SCAN).split(/\r?\n[ \t]*\r?\n/);
  const recipients: DeliveryStatusRecipient[] = [];
  for (const block of blocks) {
    const f = fields(block);
    const address = typedValue(f.get('final-recipient')) ?? typedValue(f.get('original-recipient'));
    if (!address) continue;
    const status = f.get('status')?.match(STATUS)?.[0] ?? null;
    const action = (f.get('action') ?? '').trim().toLowerCase().split(/[\s(;]/)[0] || 'unknown';
    recipients.push({
      address: address.toLowerCase(),
      status,
      action,
      diagnostic: typedValue(f.get('diagnostic-code')),
      permanent: action === 'failed' && status !== null && status.startsWith('5.'),
    });
    if (recipients.length >= MAX_RECIPIENTS) break;
  }
  return recipients;
}

/** The Message-ID of the returned message, from its headers (text/rfc822-headers or message/rfc822). */
export function returnedMessageId(headersOrMessage: string): string | null {
  const head = headersOrMessage.slice(0, MAX_SCAN).split(/\r?\n\r?\n/)[0] ?? '';
  const value = fields(head).get('message-id');
  return messageId(value);
}
