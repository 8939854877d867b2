import { describe, expect, it } from 'vitest';
import type { AddressClass, IpNetwork } from './network-address.js';
import {
  classifyAddress,
  judgeAddress,
  parseIpAddress,
  parseNetwork,
  parseNetworkList,
} from './network-address.js';

function address(text: string) {
  const parsed = parseIpAddress(text);
  if (!parsed) throw new Error(`not an address: ${text}`);
  return parsed;
}

function networks(text: string): IpNetwork[] {
  const { networks: parsed, problems } = parseNetworkList(text);
  expect(problems).toEqual([]);
  return parsed;
}

/** Every class a webhook address is refused for, with IPv4 and IPv6 members and IPv4-carrying forms. */
const REFUSED: readonly (readonly [string, AddressClass])[] = [
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['::1', 'loopback'],
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['::', 'unspecified'],
  ['10.0.0.1', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.255', 'private'],
  ['192.168.1.1', 'private'],
  ['fec0::1', 'private'],
  ['64:ff9b:1::a00:1', 'private'],
  ['100.64.0.1', 'shared'],
  ['100.127.255.255', 'shared'],
  ['169.254.169.254', 'link-local'],
  ['fe80::1', 'link-local'],
  ['fe80::1%eth0', 'link-local'],
  ['fc00::1', 'unique-local'],
  ['fd12:3456::1', 'unique-local'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['ff02::1', 'multicast'],
  ['255.255.255.255', 'broadcast'],
  ['240.0.0.1', 'reserved'],
  ['192.0.0.170', 'reserved'],
  ['198.18.0.1', 'reserved'],
  ['100::1', 'reserved'],
  ['2001::1', 'reserved'],
  ['::2', 'unspecified'],
  ['1::', 'reserved'],
  ['192.0.2.1', 'documentation'],
  ['198.51.100.1', 'documentation'],
  ['203.0.113.1', 'documentation'],
  ['2001:db8::1', 'documentation'],
  // IPv4-mapped, -compatible, NAT64 and 6to4 forms are judged by the IPv4 address they lead to.
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:7f00:1', 'loopback'],
  ['0:0:0:0:0:ffff:169.254.169.254', 'link-local'],
  ['::ffff:10.1.2.3', 'private'],
  ['::ffff:0.0.0.0', 'unspecified'],
  ['::127.0.0.1', 'loopback'],
  ['::a9fe:a9fe', 'link-local'],
  ['::8.8.8.8', 'reserved'],
  ['64:ff9b::127.0.0.1', 'loopback'],
  ['64:ff9b::a9fe:a9fe', 'link-local'],
  ['64:ff9b::192.168.0.1', 'private'],
  ['2002:7f00:1::', 'loopback'],
  ['2002:a9fe:a9fe::1', 'link-local'],
  ['2002:c0a8:101::', 'private'],
];

describe('webhook address classes', () => {
  it.each(REFUSED)('refuses %s as %s by default', (text, expected) => {
    expect(classifyAddress(address(text))).toBe(expected);
    expect(judgeAddress(address(text), [])).toEqual({ admitted: false, addressClass: expected });
  });

  it.each([
    '8.8.8.8',
    '93.184.216.34',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '169.253.255.255',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
  ])('admits the public address %s', (text) => {
    expect(judgeAddress(address(text), [])).toEqual({ admitted: true, addressClass: 'public' });
  });

  it('admits exactly the networks an operator lists, and an IPv4-mapped form of a listed host', () => {
    const allowed = networks('127.0.0.1/32, 10.20.0.0/16,fd00:1::/64');
    const admitted = (text: string) => judgeAddress(address(text), allowed).admitted;
    expect(
      ['127.0.0.1', '::ffff:127.0.0.1', '10.20.0.1', '10.20.255.255', 'fd00:1::5'].map(admitted),
    ).toEqual([true, true, true, true, true]);
    expect(
      ['127.0.0.2', '::1', '10.21.0.1', '10.19.255.255', 'fd00:2::1', '169.254.169.254', '192.168.0.1'].map(
        admitted,
      ),
    ).toEqual([false, false, false, false, false, false, false]);
    // A relay form of a listed address is not the listed host.
    expect(admitted('64:ff9b::127.0.0.1')).toBe(false);
    expect(judgeAddress(address('::1'), networks('::1')).admitted).toBe(true);
    expect(judgeAddress(address('169.254.169.254'), networks('0.0.0.0/0')).admitted).toBe(true);
  });
});

describe('address and network parsing', () => {
  it.each([
    ['1.2.3.4', 4],
    ['::', 6],
    ['1::', 6],
    ['1:2:3:4:5:6:7::', 6],
    ['1:2:3:4:5:6:7:8', 6],
    ['::ffff:1.2.3.4', 6],
    ['FE80::A', 6],
  ] as const)('parses %s', (text, version) => {
    expect(parseIpAddress(text)?.version).toBe(version);
  });

  it.each([
    '',
    '1.2.3',
    '1.2.3.4.5',
    '01.2.3.4',
    '256.1.1.1',
    '1.2.3.-1',
    '0x7f.0.0.1',
    ':::',
    '1:::2',
    ':1::',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7:8::',
    '12345::',
    '1.2.3.4::',
    '::1.2.3',
    'g::1',
    'localhost',
  ])('refuses %j as an address', (text) => {
    expect(parseIpAddress(text)).toBeUndefined();
  });

  it('reads single hosts and CIDR networks, and names every bad entry', () => {
    expect(parseNetwork('10.0.0.0/8')).toMatchObject({ version: 4, prefix: 8 });
    expect(parseNetwork('127.0.0.1')).toMatchObject({ version: 4, prefix: 32 });
    expect(parseNetwork('fd00::/8')).toMatchObject({ version: 6, prefix: 8 });
    expect(parseNetwork('::1')).toMatchObject({ version: 6, prefix: 128 });
    const { networks: parsed, problems } = parseNetworkList(
      '10.0.0.0/8,, 10.0.0.1/8 ,10.0.0.0/33,example.com,fd00::1/8,1.2.3.4/x,1.2.3.4/8/9',
    );
    expect(parsed.map((n) => n.text)).toEqual(['10.0.0.0/8']);
    expect(problems).toEqual([
      '"10.0.0.1/8" has bits set after its prefix length; the network is 10.0.0.0/8',
      '"10.0.0.0/33" has a prefix length outside 0 to 32',
      '"example.com" is not an IPv4 or IPv6 address or network (CIDR, like 10.0.0.0/8 or fd00::/8)',
      '"fd00::1/8" has bits set after its prefix length; the network is fd00::/8',
      '"1.2.3.4/x" has a prefix length outside 0 to 32',
      '"1.2.3.4/8/9" is not an IPv4 or IPv6 address or network (CIDR, like 10.0.0.0/8 or fd00::/8)',
    ]);
  });
});
