import { randomBytes } from 'node:crypto';

/**
 * Message-IDs of mail about a ticket carry the ticket's id, `<cf.{ticketId}.{random hex}@{domain}>`,
 * so a reply threads back to its ticket from its In-Reply-To / References alone (notifications
 * mints them, tickets reads them). Nothing else is encoded: the id alone opens no ticket to a
 * stranger, tickets still checks that the sender is a participant.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TICKET_MESSAGE_ID = /^<?cf\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.[0-9a-f]+@[^\s<>@]+>?$/i;

/** A fresh Message-ID for mail about ticket `ticketId`, under `domain` (checked by the caller). */
export function ticketMessageId(domain: string, ticketId: string): string {
  if (!UUID.test(ticketId)) throw new RangeError(`${JSON.stringify(ticketId)} is not a ticket id`);
  return `<cf.${ticketId.toLowerCase()}.${randomBytes(12).toString('hex')}@${domain}>`;
}

/** The ticket id a Message-ID of ticket mail carries (lower-case), or null when it is not one. */
export function ticketIdOfMessageId(messageId: string): string | null {
  const match = TICKET_MESSAGE_ID.exec(messageId.trim());
  return match ? match[1]!.toLowerCase() : null;
}

/** `support+vip@shop.test` → `support@shop.test`: plus-addressing (RFC 5233 subaddress) reaches the same mailbox. */
export function withoutSubaddress(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0) return address;
  const plus = address.indexOf('+');
  return plus > 0 && plus < at ? `${address.slice(0, plus)}${address.slice(at)}` : address;
}
