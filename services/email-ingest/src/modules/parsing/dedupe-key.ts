import { createHash } from 'node:crypto';
import type { ParsedMessage } from './parsed-message.js';

/**
 * The identity of a message for duplicate detection: its Message-ID, or, without one, a hash of
 * what the sender wrote (From, Date, Subject, text, attachments), so the same mail arriving by
 * two routes (other Received headers, another mailbox) has the same key.
 */
export function dedupeKey(parsed: ParsedMessage): string {
  if (parsed.messageId) return `mid:${parsed.messageId}`;
  const hash = createHash('sha256');
  const field = (value: string): void => {
    hash.update(String(value.length));
    hash.update(':');
    hash.update(value);
  };
  field(parsed.from.address);
  field(parsed.date ? parsed.date.toISOString() : '');
  field(parsed.subject.normalize('NFC').replace(/\s+/g, ' ').trim());
  field(parsed.text.normalize('NFC').replace(/\s+/g, ' ').trim());
  for (const attachment of parsed.attachments) {
    field(`${attachment.filename}\u0000${attachment.size}\u0000${createHash('sha256').update(attachment.content).digest('hex')}`);
  }
  return `sha256:${hash.digest('hex')}`;
}
