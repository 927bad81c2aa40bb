import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * The address a webhook may be delivered to, checked at delivery time on the very address
 * the connection is made to (DNS rebinding cannot swap it after the check).
 *
 * The endpoint API (modules/webhook-endpoints/ssrf-guard.ts) checks URLs when they are
 * registered; this copy of the classifier is the delivery side's, to be merged with it.
 */
const RANGES: ReadonlyArray<[network: string, prefix: number, family: 'ipv4' | 'ipv6', kind: string]> = [
  ['169.254.169.254', 32, 'ipv4', 'a cloud metadata address'],
  ['fd00:ec2::254', 128, 'ipv6', 'a cloud metadata address'],
  ['0.0.0.0', 8, 'ipv4', 'an unspecified ("this network") address'],
  ['127.0.0.0', 8, 'ipv4', 'a loopback address'],
  ['10.0.0.0', 8, 'ipv4', 'a private address'],
  ['172.16.0.0', 12, 'ipv4', 'a private address'],
  ['192.168.0.0', 16, 'ipv4', 'a private address'],
  ['100.64.0.0', 10, 'ipv4', 'a carrier-grade NAT (CGNAT) address'],
  ['169.254.0.0', 16, 'ipv4', 'a link-local address'],
  ['192.0.0.0', 24, 'ipv4', 'a reserved address'],
  ['192.0.2.0', 24, 'ipv4', 'a documentation address'],
  ['198.51.100.0', 24, 'ipv4', 'a documentation address'],
  ['203.0.113.0', 24, 'ipv4', 'a documentation address'],
  ['198.18.0.0', 15, 'ipv4', 'a benchmarking address'],
  ['224.0.0.0', 4, 'ipv4', 'a multicast address'],
  ['240.0.0.0', 4, 'ipv4', 'a reserved address'],
  ['::', 128, 'ipv6', 'an unspecified address'],
  ['::1', 128, 'ipv6', 'a loopback address'],
  // IPv4-mapped and NAT64 addresses reach IPv4 hosts: whichever they are, refused.
  ['::ffff:0:0', 96, 'ipv6', 'an IPv4-mapped address'],
  ['64:ff9b::', 96, 'ipv6', 'a NAT64 address'],
  ['fc00::', 7, 'ipv6', 'a private (unique local) address'],
  ['fe80::', 10, 'ipv6', 'a link-local address'],
  ['ff00::', 8, 'ipv6', 'a multicast address'],
  ['2001:db8::', 32, 'ipv6', 'a documentation address'],
  ['100::', 64, 'ipv6', 'a discard address'],
];

const LISTS = RANGES.map(([network, prefix, family, kind]) => {
  const list = new BlockList();
  list.addSubnet(network, prefix, family);
  return { list, family, kind };
});

/** Why an address is not a public one (loopback, private, …), or null for a public address. */
export function nonPublicKind(address: string): string | null {
  const version = isIP(address);
  if (version === 0) return 'not an IP address';
  const family = version === 4 ? 'ipv4' : 'ipv6';
  return LISTS.find((r) => r.family === family && r.list.check(address, family))?.kind ?? null;
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
