import type { IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';

/**
 * The address a request comes from. Each of the `trustedHops` reverse proxies in front of the
 * gateway appended the address it saw to X-Forwarded-For, so the client is that many entries
 * from the right; anything further left was written by the client and proves nothing.
 */
export function clientAddress(req: IncomingMessage, trustedHops: number): string {
  const socketAddress = req.socket.remoteAddress ?? 'unknown';
  if (trustedHops === 0) return socketAddress;
  const header = req.headers['x-forwarded-for'];
  const entries = (Array.isArray(header) ? header : [header ?? ''])
    .flatMap((value) => value.split(','))
    .map((entry) => entry.trim())
    .filter(Boolean);
  // Fewer entries than proxies: the request skipped an outer one; its first entry is still a proxy's.
  return entries[entries.length - trustedHops] ?? entries[0] ?? socketAddress;
}

/**
 * What limits count an address as: an IPv4 address alone (IPv4-mapped IPv6 included), an IPv6
 * address by its /64, which one subscriber usually holds whole and can rotate through freely.
 */
export function addressBucket(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1]!;
  const plain = address.split('%')[0]!;
  if (!isIPv6(plain)) return address;
  return `${ipv6Groups(plain).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, `::` expanded, an IPv4 tail as two groups. */
function ipv6Groups(address: string): string[] {
  const parse = (part: string | undefined): string[] =>
    part
      ? part.split(':').flatMap((group) => {
          if (!group.includes('.')) return [group];
          const [a, b, c, d] = group.split('.').map(Number) as [number, number, number, number];
          return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
        })
      : [];
  const [head, tail] = address.split('::');
  const left = parse(head);
  const right = parse(tail);
  const zeros = tail === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((group) => parseInt(group, 16).toString(16));
}
