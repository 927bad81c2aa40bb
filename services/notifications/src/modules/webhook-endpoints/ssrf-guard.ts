import { DomainError, type FieldError } from '@careflow/platform';
import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/**
 * The SSRF guard: a webhook URL is the shop's to choose, and Careflow's servers call it, so an
 * address inside Careflow's own network (its databases, the cloud metadata service) must not
 * be reachable that way. Used when an endpoint is created or changed, and by the delivery
 * worker before every connection (a name can resolve elsewhere by then: DNS rebinding).
 */

/** Why an address is not public. */
export type BlockedAddressReason =
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'cgnat'
  | 'multicast'
  | 'unspecified'
  | 'broadcast'
  | 'documentation'
  | 'cloud-metadata'
  | 'reserved'
  | 'not-an-ip';

export type AddressClass = 'public' | BlockedAddressReason;

interface Range {
  /** The network as 16 bytes (IPv4 as its IPv4-mapped IPv6 form). */
  bytes: Uint8Array;
  /** Prefix length over the 128 bits. */
  bits: number;
  reason: BlockedAddressReason;
}

const V4_MAPPED_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

function v4Range(cidr: string, reason: BlockedAddressReason): Range {
  const [ip, bits] = cidr.split('/') as [string, string];
  return { bytes: Uint8Array.from([...V4_MAPPED_PREFIX, ...ip.split('.').map(Number)]), bits: 96 + Number(bits), reason };
}

function v6Range(cidr: string, reason: BlockedAddressReason): Range {
  const [ip, bits] = cidr.split('/') as [string, string];
  return { bytes: parseIPv6(ip)!, bits: Number(bits), reason };
}

/** First match wins: the more specific ranges come first (metadata before link-local). */
const V4_RANGES: readonly Range[] = [
  v4Range('169.254.169.254/32', 'cloud-metadata'), // AWS, GCP, Azure, OpenStack
  v4Range('100.100.100.200/32', 'cloud-metadata'), // Alibaba Cloud
  v4Range('255.255.255.255/32', 'broadcast'),
  v4Range('0.0.0.0/8', 'unspecified'), // "this network"; 0.0.0.0 reaches the local host on Linux
  v4Range('127.0.0.0/8', 'loopback'),
  v4Range('10.0.0.0/8', 'private'),
  v4Range('172.16.0.0/12', 'private'),
  v4Range('192.168.0.0/16', 'private'),
  v4Range('169.254.0.0/16', 'link-local'),
  v4Range('100.64.0.0/10', 'cgnat'),
  v4Range('224.0.0.0/4', 'multicast'),
  v4Range('240.0.0.0/4', 'reserved'),
  v4Range('192.0.0.0/24', 'reserved'), // IETF protocol assignments
  v4Range('198.18.0.0/15', 'reserved'), // benchmarking
  v4Range('192.0.2.0/24', 'documentation'),
  v4Range('198.51.100.0/24', 'documentation'),
  v4Range('203.0.113.0/24', 'documentation'),
];

const V6_RANGES: readonly Range[] = [
  v6Range('::/128', 'unspecified'),
  v6Range('::1/128', 'loopback'),
  v6Range('fd00:ec2::254/128', 'cloud-metadata'), // AWS IMDS over IPv6
  v6Range('fc00::/7', 'private'), // unique local
  v6Range('fe80::/10', 'link-local'),
  v6Range('fec0::/10', 'private'), // site-local (deprecated)
  v6Range('ff00::/8', 'multicast'),
  v6Range('2001:db8::/32', 'documentation'),
  v6Range('64:ff9b:1::/48', 'private'), // local-use NAT64
  v6Range('100::/64', 'reserved'), // discard
  v6Range('2001::/32', 'reserved'), // Teredo: the tunnelled address is not visible
  v6Range('::/96', 'reserved'), // IPv4-compatible (deprecated)
];

function inRange(bytes: Uint8Array, range: Range): boolean {
  let bits = range.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((bytes[i]! & mask) !== (range.bytes[i]! & mask)) return false;
  }
  return true;
}

function parseIPv4(text: string): number[] | null {
  if (isIP(text) !== 4) return null;
  return text.split('.').map(Number);
}

/** 16 bytes of an IPv6 address (with an embedded dotted IPv4 tail, without a zone), or null. */
function parseIPv6(text: string): Uint8Array | null {
  if (isIP(text) !== 6) return null;
  let head = text;
  const tail: number[] = [];
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(head);
  if (dotted) {
    const v4 = parseIPv4(dotted[2]!);
    if (!v4) return null;
    head = dotted[1]!.endsWith('::') ? dotted[1]! : dotted[1]!.slice(0, -1);
    tail.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
  }
  const [left, right] = head.includes('::') ? (head.split('::') as [string, string]) : [head, null];
  const groups = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const l = groups(left);
  const r = right === null ? [] : groups(right);
  const missing = 8 - l.length - r.length - tail.length;
  const all = right === null ? [...l, ...tail] : [...l, ...new Array<number>(missing).fill(0), ...r, ...tail];
  if (all.length !== 8) return null;
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}

function classifyV4(octets: readonly number[]): AddressClass {
  const bytes = Uint8Array.from([...V4_MAPPED_PREFIX, ...octets]);
  return V4_RANGES.find((r) => inRange(bytes, r))?.reason ?? 'public';
}

/**
 * Whether an IP address may be called: `'public'`, or why not. IPv6 forms that carry an IPv4
 * address (IPv4-mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) are judged
 * by the IPv4 address they reach. A zone (`fe80::1%eth0`) is ignored; anything that is not an
 * IP address is `'not-an-ip'`.
 */
export function classifyAddress(ip: string): AddressClass {
  const address = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  const v4 = parseIPv4(address);
  if (v4) return classifyV4(v4);
  const bytes = parseIPv6(address.replace(/%[^%]*$/, ''));
  if (!bytes) return 'not-an-ip';
  const starts = (prefix: number[]) => prefix.every((b, i) => bytes[i] === b);
  if (starts(V4_MAPPED_PREFIX)) return classifyV4([...bytes.subarray(12)]);
  if (starts([0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0])) return classifyV4([...bytes.subarray(12)]);
  if (starts([0x20, 0x02])) return classifyV4([...bytes.subarray(2, 6)]);
  return V6_RANGES.find((r) => inRange(bytes, r))?.reason ?? 'public';
}

const REASONS: Record<BlockedAddressReason, string> = {
  loopback: 'a loopback address',
  private: 'a private network address',
  'link-local': 'a link-local address',
  cgnat: 'a carrier-grade NAT (shared) address',
  multicast: 'a multicast address',
  unspecified: 'the unspecified address',
  broadcast: 'the broadcast address',
  documentation: 'a documentation address',
  'cloud-metadata': 'a cloud metadata service address',
  reserved: 'a reserved address',
  'not-an-ip': 'not an IP address',
};

/** The URL points where Careflow does not call (400 naming `url`). */
export class WebhookUrlNotAllowedError extends DomainError {
  readonly status = 400;
  readonly code = 'webhook-url-not-allowed';
  readonly title = 'Webhook URL not allowed';
  override readonly errors: FieldError[];
  constructor(
    message: string,
    readonly reason: BlockedAddressReason | 'scheme' | 'unresolvable',
  ) {
    super(`url: ${message}`);
    this.errors = [{ field: 'url', message }];
  }
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export interface PublicUrlOptions {
  /** WEBHOOK_ALLOW_PRIVATE_URLS: every resolved address is accepted (development, tests). */
  allowPrivate: boolean;
  /** The resolver (tests use their own); dns.lookup with `all: true` by default. */
  lookup?: (hostname: string) => Promise<LookupAddress[]>;
  /** A resolver that does not answer within this long counts as no answer (dns.lookup has no timeout of its own). */
  lookupTimeoutMs?: number;
}

const DEFAULT_LOOKUP_TIMEOUT_MS = 5_000;

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const systemLookup = (hostname: string) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * Resolves the URL's host and checks every address it resolves to (one private answer among
 * public ones is enough to refuse: a client could connect to any of them). Returns the
 * address to connect to, so the caller connects to what was checked, not to a second lookup.
 * An IP literal is checked as it is. Throws WebhookUrlNotAllowedError saying why.
 */
export async function assertPublicUrl(url: string | URL, options: PublicUrlOptions): Promise<ResolvedAddress> {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch {
    throw new WebhookUrlNotAllowedError('url must be an absolute http or https URL', 'scheme');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new WebhookUrlNotAllowedError('url must be an http or https URL', 'scheme');
  }
  // WHATWG URL has already normalised the host: 0x7f.1 and 2130706433 are 127.0.0.1 here.
  const host = parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname;
  const family = isIP(host);
  let addresses: ResolvedAddress[];
  if (family === 4 || family === 6) {
    addresses = [{ address: host, family }];
  } else {
    let found: LookupAddress[];
    try {
      found = await withTimeout((options.lookup ?? systemLookup)(host), options.lookupTimeoutMs ?? DEFAULT_LOOKUP_TIMEOUT_MS);
    } catch {
      throw new WebhookUrlNotAllowedError(`url's host ${host} does not resolve`, 'unresolvable');
    }
    addresses = found.filter((a) => a.family === 4 || a.family === 6).map((a) => ({ address: a.address, family: a.family as 4 | 6 }));
    if (addresses.length === 0) throw new WebhookUrlNotAllowedError(`url's host ${host} does not resolve`, 'unresolvable');
  }
  if (!options.allowPrivate) {
    for (const a of addresses) {
      const verdict = classifyAddress(a.address);
      if (verdict !== 'public') {
        const via = a.address === host ? '' : ` (${host} resolves to ${a.address})`;
        throw new WebhookUrlNotAllowedError(`url points to ${REASONS[verdict]}${via}; webhooks are only sent to public addresses`, verdict);
      }
    }
  }
  return addresses[0]!;
}
