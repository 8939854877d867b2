/**
 * The matching primitives of policy evaluation, pure and bounded: `*`/`?` wildcards matched
 * iteratively (never a regular expression built from policy text), and IPv4/IPv6 addresses and CIDR
 * ranges (IPv4-mapped IPv6 addresses count as IPv4, as Node reports dual-stack clients).
 */

/** A wildcard pattern, split into code points once. */
export interface Glob {
  readonly source: string;
  /** The text matched against (lower-cased for case-insensitive patterns), as code points. */
  readonly text: string;
  readonly chars: readonly string[];
  readonly literal: boolean;
}

export interface CidrRange {
  readonly version: 4 | 6;
  readonly base: bigint;
  readonly prefix: number;
}

// ---------------------------------------------------------------------------------------------------
// Wildcards

export function compileGlob(source: string, caseInsensitive = false): Glob {
  const text = caseInsensitive ? source.toLowerCase() : source;
  return { source, text, chars: Array.from(text), literal: !/[*?]/.test(text) };
}

/**
 * `*` and `?` matching, iteratively: on a mismatch it retries from the most recent `*` only, so the
 * cost is at most pattern length × subject length, whatever the pattern (no backtracking blow-up, and
 * no regular expression built from policy text).
 */
export function globMatches(pattern: readonly string[], subject: ArrayLike<string>): boolean {
  let p = 0;
  let s = 0;
  let starAt = -1;
  let resumeAt = 0;
  while (s < subject.length) {
    const c = pattern[p];
    if (c === '*') {
      starAt = p;
      resumeAt = s;
      p += 1;
    } else if (c !== undefined && (c === '?' || c === subject[s])) {
      p += 1;
      s += 1;
    } else if (starAt >= 0) {
      p = starAt + 1;
      resumeAt += 1;
      s = resumeAt;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p += 1;
  return p === pattern.length;
}

/** Convenience for callers and tests: does `pattern` match `subject` (case-sensitive)? */
export function wildcardMatch(pattern: string, subject: string): boolean {
  return globMatches(Array.from(pattern), Array.from(subject));
}

export function matchGlob(glob: Glob, subject: string, subjectChars: () => ArrayLike<string>): boolean {
  return glob.literal ? glob.text === subject : globMatches(glob.chars, subjectChars());
}

/**
 * A subject's code points for `globMatches`: the string itself when it has no surrogate pair (every
 * code unit is then a code point, and indexing a string allocates nothing), else its code points.
 */
export function codePoints(subject: string): ArrayLike<string> {
  return SURROGATE.test(subject) ? Array.from(subject) : subject;
}

const SURROGATE = /[\uD800-\uDFFF]/;

// ---------------------------------------------------------------------------------------------------
// IP addresses

interface IpAddress {
  readonly version: 4 | 6;
  readonly value: bigint;
}

const MAPPED_PREFIX = 0xffffn;

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^(?:0|[1-9]\d{0,2})$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  if (text.length > 45 || !/^[0-9A-Fa-f:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (half: string): bigint[] | undefined => {
    if (half === '') return [];
    const out: bigint[] = [];
    const items = half.split(':');
    for (const [i, item] of items.entries()) {
      if (i === items.length - 1 && item.includes('.')) {
        const v4 = parseIpv4(item);
        if (v4 === undefined) return undefined;
        out.push(v4 >> 16n, v4 & 0xffffn);
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(item)) {
        out.push(BigInt(`0x${item}`));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groupsOf(halves[0] ?? '');
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) return undefined;
  // A dotted quad may only end the address.
  if (halves.length === 2 && (halves[0] ?? '').includes('.')) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  let value = 0n;
  for (const group of [...head, ...Array<bigint>(halves.length === 2 ? missing : 0).fill(0n), ...tail]) {
    value = (value << 16n) | group;
  }
  return value;
}

/** Parses an IPv4 or IPv6 address; an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) counts as IPv4. */
export function parseIpAddress(text: string): IpAddress | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { version: 4, value: v4 };
  if (!text.includes(':')) return undefined;
  const v6 = parseIpv6(text);
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === MAPPED_PREFIX) return { version: 4, value: v6 & 0xffffffffn };
  return { version: 6, value: v6 };
}

/**
 * Parses `address` or `address/prefix` (a bare address is a /32 or /128). Host bits below the prefix
 * are ignored, as in RAM's own examples. An IPv4-mapped IPv6 range of prefix ≥ 96 becomes its IPv4 range.
 */
export function parseCidr(text: string): CidrRange | undefined {
  const slash = text.indexOf('/');
  const addressText = slash < 0 ? text : text.slice(0, slash);
  const prefixText = slash < 0 ? undefined : text.slice(slash + 1);
  const v4 = parseIpv4(addressText);
  const version: 4 | 6 = v4 !== undefined ? 4 : 6;
  const value = v4 ?? (addressText.includes(':') ? parseIpv6(addressText) : undefined);
  if (value === undefined) return undefined;
  const bits = version === 4 ? 32 : 128;
  let prefix = bits;
  if (prefixText !== undefined) {
    if (!/^(?:0|[1-9]\d{0,2})$/.test(prefixText)) return undefined;
    prefix = Number(prefixText);
    if (prefix > bits) return undefined;
  }
  if (version === 6 && value >> 32n === MAPPED_PREFIX && prefix >= 96) {
    return { version: 4, base: mask(value & 0xffffffffn, 32, prefix - 96), prefix: prefix - 96 };
  }
  return { version, base: mask(value, bits, prefix), prefix };
}

function mask(value: bigint, bits: number, prefix: number): bigint {
  const shift = BigInt(bits - prefix);
  return (value >> shift) << shift;
}

export function cidrContains(range: CidrRange, address: IpAddress): boolean {
  if (range.version !== address.version) return false;
  return mask(address.value, range.version === 4 ? 32 : 128, range.prefix) === range.base;
}
