import { describe, expect, it } from 'vitest';
import { assertPublicAddress, nonPublicKind } from './delivery-address.js';

describe('webhook delivery addresses', () => {
  it.each([
    ['127.0.0.1', 'a loopback address'],
    ['::1', 'a loopback address'],
    ['10.1.2.3', 'a private address'],
    ['172.31.255.255', 'a private address'],
    ['192.168.1.1', 'a private address'],
    ['100.64.0.1', 'a carrier-grade NAT (CGNAT) address'],
    ['169.254.10.10', 'a link-local address'],
    ['169.254.169.254', 'a cloud metadata address'],
    ['fd00:ec2::254', 'a cloud metadata address'],
    ['fd12:3456::1', 'a private address'],
    ['fe80::1', 'a link-local address'],
    ['224.0.0.1', 'a multicast address'],
    ['ff02::1', 'a multicast address'],
    ['::ffff:127.0.0.1', 'a loopback address'],
    ['0.0.0.0', 'an unspecified address'],
  ])('refuses %s (%s), as the endpoint API\'s guard classifies it', (address, kind) => {
    expect(nonPublicKind(address)).toBe(kind);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111'])('allows the public address %s', (address) => {
    expect(nonPublicKind(address)).toBeNull();
  });

  it('checks what a name resolves to: localhost is loopback', async () => {
    await expect(assertPublicAddress('http://localhost:8080/hooks')).rejects.toThrow(/localhost resolves to .*loopback/);
    await expect(assertPublicAddress('http://[::1]/hooks')).rejects.toThrow(/loopback/);
    await expect(assertPublicAddress('https://93.184.216.34/hooks')).resolves.toEqual({ address: '93.184.216.34', family: 4 });
  });
});
