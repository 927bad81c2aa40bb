/**
 * Addresses as Careflow writes them into mail headers and compares them: one strict rule for
 * the services that send (notifications) and those that receive (email-ingest).
 */

/**
 * A plain `local@domain` address: no spaces, control or line-breaking characters, no header
 * syntax (angle brackets, commas, semicolons, quotes, parentheses, backslashes), no empty
 * dot-separated label. Real shoppers' addresses pass; oddities fail loudly instead of being
 * "fixed".
 */
export function isPlainAddress(address: string): boolean {
  return (
    address.length <= 254 &&
    /^[^\s@<>,;:"()[\]\\\u0000-\u001f\u007f-\u009f\u2028\u2029]+@[^\s@<>,;:"()[\]\\\u0000-\u001f\u007f-\u009f\u2028\u2029]+$/.test(address) &&
    !/^\.|\.$|\.\.|@\.|\.@/.test(address)
  );
}

export interface Mailbox {
  /** The display name as written, its surrounding quotes removed ('' when there is none). */
  name: string;
  address: string;
}

/** `Name <address>` or a bare address, split; null when it is neither. */
export function parseMailbox(value: string): Mailbox | null {
  const trimmed = value.trim();
  const named = /^(.*?)\s*<([^<>]*)>$/s.exec(trimmed);
  const address = named ? named[2]!.trim() : trimmed;
  if (!isPlainAddress(address)) return null;
  return { name: (named ? named[1]! : '').replace(/^"(.*)"$/s, '$1'), address };
}

/**
 * The configured sender's mailbox (`Support <support@shop.test>`); a sender that is neither an
 * address nor `Name <address>` is a configuration error, thrown.
 */
export function senderMailbox(from: string): Mailbox {
  const mailbox = parseMailbox(from);
  if (!mailbox) throw new RangeError(`MAIL_FROM ${JSON.stringify(from)} is not an address or "Name <address>"`);
  return mailbox;
}
