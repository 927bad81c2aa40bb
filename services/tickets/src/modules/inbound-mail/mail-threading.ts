import { withoutSubaddress } from '@careflow/contracts';

/**
 * Pure pieces of inbound mail routing: how Message-IDs, subject tokens and recipient
 * addresses are read, so the service and its unit spec agree on them.
 */

/** A Message-ID as it is stored and compared: `<left@right>`, trimmed; null when it is none. */
export function normalizeMessageId(id: string): string | null {
  const bare = id.trim().replace(/^<(.*)>$/s, '$1').trim();
  return /^[^\s<>@]+@[^\s<>@]+$/.test(bare) ? `<${bare}>` : null;
}

/** The ticket number of the first `[#1042]` token in a subject, in canonical form; null when there is none. */
export function subjectTicketNumber(subject: string): string | null {
  return /\[#([1-9][0-9]{0,14})\]/.exec(subject)?.[1] ?? null;
}


/** The addresses to look each recipient up by, in routing order: as given, then without its subaddress. */
export function routingAddresses(recipients: readonly string[]): string[] {
  return [...new Set(recipients.map((r) => r.trim().toLowerCase()).flatMap((r) => [r, withoutSubaddress(r)]))];
}
