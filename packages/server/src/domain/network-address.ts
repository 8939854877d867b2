/**
 * Which addresses Tessera may call on a user's behalf (rotation webhooks; docs/rotation.md): IP
 * addresses and networks parsed without I/O, each address classified by the special-purpose ranges it
 * falls in, and admitted when it is public or inside a network the operator allowed
 * (`TESSERA_ROTATION_WEBHOOK_ALLOWED_NETWORKS`). IPv6 forms that carry an IPv4 address (mapped,
 * compatible, NAT64, 6to4) are judged by the IPv4 address they lead to.
 */

export interface IpAddress {
  readonly version: 4 | 6;
  /** 4 or 16 bytes, network order. */
  readonly bytes: readonly number[];
}

export interface IpNetwork {
  readonly version: 4 | 6;
  readonly bytes: readonly number[];
  readonly prefix: number;
  /** As the operator wrote it, for messages and logs. */
  readonly text: string;
}

/** Why an address is not public; `public` when it is. */
export type AddressClass =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'shared'
  | 'link-local'
  | 'unique-local'
  | 'multicast'
  | 'broadcast'
  | 'documentation'
  | 'reserved';

export interface AddressVerdict {
  readonly admitted: boolean;
  readonly addressClass: AddressClass;
}

/** Dotted-quad IPv4 (decimal, no leading zeros) or RFC 4291 IPv6 text, with an optional `%zone`. */
export function parseIpAddress(text: string): IpAddress | undefined {
  const v4 = parseIpv4(text);
  if (v4) return { version: 4, bytes: v4 };
  const v6 = parseIpv6(text.replace(/%[^%]+$/, ''));
  return v6 ? { version: 6, bytes: v6 } : undefined;
}

function parseIpv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes: number[] = [];
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return undefined;
    bytes.push(Number(part));
  }
  return bytes;
}

function parseIpv6(text: string): number[] | undefined {
  if (!/^[0-9A-Fa-f:.]+$/.test(text) || text.length > 45) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (half: string): number[] | undefined => {
    if (half === '') return [];
    const bytes: number[] = [];
    const parts = half.split(':');
    for (const [index, part] of parts.entries()) {
      if (index === parts.length - 1 && part.includes('.')) {
        const v4 = parseIpv4(part);
        if (!v4) return undefined;
        bytes.push(...v4);
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(part)) {
        const value = parseInt(part, 16);
        bytes.push(value >> 8, value & 0xff);
      } else {
        return undefined;
      }
    }
    return bytes;
  };
  const head = groupsOf(halves[0] ?? '');
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? '') : [];
  if (!head || !tail) return undefined;
  // An embedded IPv4 address may only end the text.
  if (halves.length === 2 && (halves[0] ?? '').includes('.')) return undefined;
  if (halves.length === 1) return head.length === 16 ? head : undefined;
  const missing = 16 - head.length - tail.length;
  if (missing < 2) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

/** `address/prefix`, or a single address (a /32 or /128). Host bits after the prefix must be zero. */
export function parseNetwork(text: string): IpNetwork | string {
  const [addressText = '', prefixText, extra] = text.split('/');
  const address = parseIpAddress(addressText);
  if (!address || extra !== undefined || addressText.includes('%')) {
    return `"${text}" is not an IPv4 or IPv6 address or network (CIDR, like 10.0.0.0/8 or fd00::/8)`;
  }
  const max = address.version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= max)) return `"${text}" has a prefix length outside 0 to ${max}`;
  const network = { version: address.version, bytes: address.bytes, prefix, text };
  const base = address.bytes.map((byte, i) => byte & maskByte(prefix, i));
  if (base.some((byte, i) => byte !== address.bytes[i])) {
    const fixed = address.version === 4 ? base.join('.') : formatIpv6(base);
    return `"${text}" has bits set after its prefix length; the network is ${fixed}/${prefix}`;
  }
  return network;
}

/** A comma-separated list of networks; problems name each bad entry. */
export function parseNetworkList(text: string): { networks: IpNetwork[]; problems: string[] } {
  const networks: IpNetwork[] = [];
  const problems: string[] = [];
  for (const entry of text.split(',').map((e) => e.trim())) {
    if (entry === '') continue;
    const parsed = parseNetwork(entry);
    if (typeof parsed === 'string') problems.push(parsed);
    else networks.push(parsed);
  }
  return { networks, problems };
}

function maskByte(prefix: number, index: number): number {
  const bits = Math.min(8, Math.max(0, prefix - index * 8));
  return (0xff << (8 - bits)) & 0xff;
}

function formatIpv6(bytes: readonly number[]): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

export function networkContains(network: IpNetwork, address: IpAddress): boolean {
  if (network.version !== address.version) return false;
  return network.bytes.every((byte, i) => ((address.bytes[i] ?? 0) & maskByte(network.prefix, i)) === byte);
}

function net(text: string): IpNetwork {
  const parsed = parseNetwork(text);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

/** IPv4 special-purpose ranges (IANA registry); the first match wins. */
const IPV4_RANGES: readonly (readonly [IpNetwork, AddressClass])[] = [
  [net('0.0.0.0/8'), 'unspecified'],
  [net('10.0.0.0/8'), 'private'],
  [net('100.64.0.0/10'), 'shared'],
  [net('127.0.0.0/8'), 'loopback'],
  [net('169.254.0.0/16'), 'link-local'],
  [net('172.16.0.0/12'), 'private'],
  [net('192.0.0.0/24'), 'reserved'],
  [net('192.0.2.0/24'), 'documentation'],
  [net('192.88.99.0/24'), 'reserved'],
  [net('192.168.0.0/16'), 'private'],
  [net('198.18.0.0/15'), 'reserved'],
  [net('198.51.100.0/24'), 'documentation'],
  [net('203.0.113.0/24'), 'documentation'],
  [net('224.0.0.0/4'), 'multicast'],
  [net('255.255.255.255/32'), 'broadcast'],
  [net('240.0.0.0/4'), 'reserved'],
];

/** IPv6 ranges after the IPv4-carrying forms; anything outside 2000::/3 is not global unicast. */
const IPV6_RANGES: readonly (readonly [IpNetwork, AddressClass])[] = [
  [net('::/128'), 'unspecified'],
  [net('::1/128'), 'loopback'],
  [net('64:ff9b:1::/48'), 'private'],
  [net('100::/64'), 'reserved'],
  [net('2001:db8::/32'), 'documentation'],
  [net('2001::/23'), 'reserved'],
  [net('3fff::/20'), 'documentation'],
  [net('5f00::/16'), 'reserved'],
  [net('fc00::/7'), 'unique-local'],
  [net('fe80::/10'), 'link-local'],
  [net('fec0::/10'), 'private'],
  [net('ff00::/8'), 'multicast'],
];
const GLOBAL_UNICAST = net('2000::/3');
const MAPPED = net('::ffff:0:0/96');
const COMPATIBLE = net('::/96');
const NAT64 = net('64:ff9b::/96');
const SIX_TO_FOUR = net('2002::/16');

/** The IPv4 address an IPv6 address leads to, and whether it is the same host (mapped) or a relay. */
function embeddedIpv4(address: IpAddress): { readonly v4: IpAddress; readonly form: string } | undefined {
  if (address.version !== 6) return undefined;
  const last = { version: 4 as const, bytes: address.bytes.slice(12) };
  if (networkContains(MAPPED, address)) return { v4: last, form: 'mapped' };
  if (networkContains(NAT64, address)) return { v4: last, form: 'nat64' };
  if (networkContains(SIX_TO_FOUR, address)) {
    return { v4: { version: 4, bytes: address.bytes.slice(2, 6) }, form: '6to4' };
  }
  // :: and ::1 are IPv6's own unspecified and loopback addresses, not IPv4-compatible forms.
  if (networkContains(COMPATIBLE, address) && address.bytes.slice(12).some((b, i) => b > (i === 3 ? 1 : 0))) {
    return { v4: last, form: 'compatible' };
  }
  return undefined;
}

export function classifyAddress(address: IpAddress): AddressClass {
  const embedded = embeddedIpv4(address);
  if (embedded) {
    const inner = classifyAddress(embedded.v4);
    // The deprecated compatible form reaches nothing public; treat it as reserved when it looks public.
    return inner === 'public' && embedded.form === 'compatible' ? 'reserved' : inner;
  }
  const ranges = address.version === 4 ? IPV4_RANGES : IPV6_RANGES;
  for (const [range, addressClass] of ranges) if (networkContains(range, address)) return addressClass;
  if (address.version === 6 && !networkContains(GLOBAL_UNICAST, address)) return 'reserved';
  return 'public';
}

/**
 * Admitted: public, or inside an allowed network (as written, or — for an IPv4-mapped IPv6 address, the
 * same host — as its IPv4 address).
 */
export function judgeAddress(address: IpAddress, allowed: readonly IpNetwork[]): AddressVerdict {
  const addressClass = classifyAddress(address);
  const embedded = embeddedIpv4(address);
  const forms = embedded?.form === 'mapped' ? [address, embedded.v4] : [address];
  const listed = allowed.some((network) => forms.some((form) => networkContains(network, form)));
  return { admitted: addressClass === 'public' || listed, addressClass };
}
