import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { classifyAddress, type BlockedAddressReason } from '../webhook-endpoints/ssrf-guard.js';

/**
 * The address a webhook may be delivered to, checked at delivery time on the very address
 * the connection is made to (DNS rebinding cannot swap it after the check), by the same
 * classifier the endpoint API checks URLs with when they are registered.
 */

const KINDS: Record<BlockedAddressReason, string> = {
  loopback: 'a loopback address',
  private: 'a private address',
  'link-local': 'a link-local address',
  cgnat: 'a carrier-grade NAT (CGNAT) address',
  multicast: 'a multicast address',
  unspecified: 'an unspecified address',
  broadcast: 'a broadcast address',
  documentation: 'a documentation address',
  'cloud-metadata': 'a cloud metadata address',
  reserved: 'a reserved address',
  'not-an-ip': 'not an IP address',
};

/** Why an address is not a public one (loopback, private, …), or null for a public address. */
export function nonPublicKind(address: string): string | null {
  const kind = classifyAddress(address);
  return kind === 'public' ? null : KINDS[kind];
}

/** A webhook URL whose host is (or resolves to) an address deliveries must not reach. */
export class UnsafeAddressError extends Error {
  readonly code = 'EWEBHOOKADDRESS';
  constructor(host: string, address: string, kind: string) {
    super(`refused: ${host} resolves to ${address}, ${kind} (set WEBHOOK_ALLOW_PRIVATE_URLS=true to allow)`);
  }
}

export interface CheckedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * Resolves a host and checks every address it has; the first is the one to connect to.
 * Every address must be public: a name with one private address among public ones is a
 * rebinding setup, refused whichever address a client would pick.
 */
export async function resolvePublicAddress(host: string): Promise<CheckedAddress> {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const answers = isIP(bare) ? [{ address: bare, family: isIP(bare) }] : await lookup(bare, { all: true, verbatim: true });
  for (const { address } of answers) {
    const kind = nonPublicKind(address);
    if (kind) throw new UnsafeAddressError(bare, address, kind);
  }
  const first = answers[0];
  if (!first) throw new UnsafeAddressError(bare, '(nothing)', 'no address');
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}

/** The delivery-time check of a URL (the interface shared with the endpoint API's guard). */
export async function assertPublicAddress(url: string): Promise<CheckedAddress> {
  return resolvePublicAddress(new URL(url).hostname);
}
