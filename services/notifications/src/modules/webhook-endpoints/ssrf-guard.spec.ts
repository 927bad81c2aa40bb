import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { assertPublicUrl, classifyAddress, WebhookUrlNotAllowedError } from './ssrf-guard.js';

describe('classifyAddress', () => {
  it.each([
    ['8.8.8.8'],
    ['1.1.1.1'],
    ['93.184.216.34'],
    ['172.15.255.255'],
    ['172.32.0.0'],
    ['100.63.255.255'],
    ['100.128.0.0'],
    ['169.253.255.255'],
    ['223.255.255.255'],
    ['11.0.0.1'],
    ['2606:4700:4700::1111'],
    ['2001:4860:4860::8888'],
    ['2a00:1450:4001:80b::200e'],
    ['::ffff:8.8.8.8'],
    ['64:ff9b::808:808'],
    ['2002:808:808::1'],
  ])('%s is public', (ip) => {
    expect(classifyAddress(ip)).toBe('public');
  });

  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['[::1]', 'loopback'],
    ['10.0.0.1', 'private'],
    ['10.255.255.255', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456:789a::1', 'private'],
    ['fec0::1', 'private'],
    ['169.254.0.1', 'link-local'],
    ['169.254.255.255', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf::1', 'link-local'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['ff05::1:3', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['169.254.169.254', 'cloud-metadata'],
    ['fd00:ec2::254', 'cloud-metadata'],
    ['100.100.100.200', 'cloud-metadata'],
    ['192.0.2.10', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.99', 'documentation'],
    ['2001:db8::1', 'documentation'],
    ['240.0.0.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['2001::1', 'reserved'],
    ['::7f00:1', 'reserved'],
  ])('%s is %s', (ip, reason) => {
    expect(classifyAddress(ip)).toBe(reason);
  });

  it.each([
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['0:0:0:0:0:ffff:7f00:1', 'loopback'],
    ['::FFFF:10.1.2.3', 'private'],
    ['::ffff:169.254.169.254', 'cloud-metadata'],
    ['::ffff:a9fe:a9fe', 'cloud-metadata'],
    ['::ffff:192.168.0.1', 'private'],
    ['::ffff:0.0.0.0', 'unspecified'],
  ])('IPv4-mapped %s is judged by its IPv4 address: %s', (ip, reason) => {
    expect(classifyAddress(ip)).toBe(reason);
  });

  it.each([
    ['64:ff9b::7f00:1', 'loopback'],
    ['64:ff9b::169.254.169.254', 'cloud-metadata'],
    ['64:ff9b:1::a00:1', 'private'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:c0a8:101::1', 'private'],
    ['2002:a9fe:a9fe::', 'cloud-metadata'],
  ])('NAT64 and 6to4 %s are judged by the IPv4 address they carry: %s', (ip, reason) => {
    expect(classifyAddress(ip)).toBe(reason);
  });

  it.each(['', 'localhost', 'example.com', '256.0.0.1', '1.2.3', '::g', '1::2::3', '127.0.0.1.', ' 127.0.0.1', '127.0.0.1\u0000'])(
    '%j is not an IP address',
    (text) => {
      expect(classifyAddress(text)).toBe('not-an-ip');
    },
  );
});

describe('assertPublicUrl', () => {
  const resolvesTo = (...addresses: string[]) => async (): Promise<LookupAddress[]> =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  const refuse = async (url: string, lookup = resolvesTo('93.184.216.34')) => {
    const error = await assertPublicUrl(url, { allowPrivate: false, lookup }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WebhookUrlNotAllowedError);
    const e = error as WebhookUrlNotAllowedError;
    expect(e.status).toBe(400);
    expect(e.code).toBe('webhook-url-not-allowed');
    expect(e.errors[0]!.field).toBe('url');
    return e;
  };

  it('accepts a host whose every address is public, and returns one to connect to', async () => {
    await expect(assertPublicUrl('https://hooks.shop.example/careflow', { allowPrivate: false, lookup: resolvesTo('93.184.216.34', '2606:2800:220:1::1') })).resolves.toEqual({
      address: '93.184.216.34',
      family: 4,
    });
  });

  it.each([
    ['http://127.0.0.1/', 'loopback'],
    ['http://127.1/', 'loopback'],
    ['http://0x7f.0.0.1/', 'loopback'],
    ['http://2130706433/', 'loopback'],
    ['http://[::1]:8080/x', 'loopback'],
    ['http://[::ffff:127.0.0.1]/', 'loopback'],
    ['http://169.254.169.254/latest/meta-data/', 'cloud-metadata'],
    ['http://[fd00:ec2::254]/', 'cloud-metadata'],
    ['https://10.0.0.8/hook', 'private'],
    ['http://0.0.0.0:3000/', 'unspecified'],
  ])('refuses the IP literal %s (%s) without resolving anything', async (url, reason) => {
    const e = await refuse(url, async () => {
      throw new Error('must not resolve an IP literal');
    });
    expect(e.reason).toBe(reason);
  });

  it('refuses a name that resolves to a private address, saying where it resolves', async () => {
    const e = await refuse('http://localhost:9/x', resolvesTo('127.0.0.1', '::1'));
    expect(e.reason).toBe('loopback');
    expect(e.errors[0]!.message).toContain('localhost resolves to 127.0.0.1');
  });

  it('refuses when any one of the addresses is private (a client may connect to any)', async () => {
    const e = await refuse('https://mixed.example/', resolvesTo('93.184.216.34', '10.1.2.3'));
    expect(e.reason).toBe('private');
  });

  it('refuses a host that does not resolve', async () => {
    const e = await refuse('https://nowhere.invalid/', async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    });
    expect(e.reason).toBe('unresolvable');
  });

  it('refuses a host whose resolver does not answer in time', async () => {
    const error = await assertPublicUrl('https://slow.example/', { allowPrivate: false, lookup: () => new Promise(() => {}), lookupTimeoutMs: 50 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WebhookUrlNotAllowedError);
    expect((error as WebhookUrlNotAllowedError).reason).toBe('unresolvable');
  });

  it.each(['ftp://example.com/', 'file:///etc/passwd', 'not a url', 'gopher://127.0.0.1/'])('refuses %s: not http(s)', async (url) => {
    expect((await refuse(url)).reason).toBe('scheme');
  });

  it('accepts private addresses when allowed, still returning the address to connect to', async () => {
    await expect(assertPublicUrl('http://127.0.0.1:9/x', { allowPrivate: true })).resolves.toEqual({ address: '127.0.0.1', family: 4 });
    await expect(assertPublicUrl('http://[::1]/', { allowPrivate: true })).resolves.toEqual({ address: '::1', family: 6 });
    await expect(assertPublicUrl('http://localhost/', { allowPrivate: true, lookup: resolvesTo('127.0.0.1') })).resolves.toEqual({ address: '127.0.0.1', family: 4 });
  });
});
