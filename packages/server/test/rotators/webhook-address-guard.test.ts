/**
 * The webhook address guard's call-time check, as the connection sees it: the `lookup` handed to
 * `http.request` refuses every non-public class of address a name may resolve to (so no socket is
 * ever opened to one), hands back exactly the addresses it checked, and admits exactly the listed
 * networks. No connection is made here: the lookup is called directly.
 */
import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { parseNetworkList } from '../../src/domain/network-address.js';
import type { HostResolver } from '../../src/rotators/webhook-address-guard.js';
import { AddressRefusedError, WebhookAddressGuard } from '../../src/rotators/webhook-address-guard.js';

function guardFor(answers: readonly string[] | Error, allowed = ''): WebhookAddressGuard {
  const resolve: HostResolver = () =>
    answers instanceof Error
      ? Promise.reject(answers)
      : Promise.resolve(answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  return new WebhookAddressGuard({ allowed: parseNetworkList(allowed).networks, resolve });
}

function lookup(guard: WebhookAddressGuard, all: boolean): Promise<string | LookupAddress[]> {
  return new Promise((resolve, reject) => {
    guard.lookup('hook.test', { all }, (error, address) => {
      if (error) reject(error);
      else resolve(address);
    });
  });
}

const NON_PUBLIC = [
  ['127.0.0.1', 'loopback'],
  ['::1', 'loopback'],
  ['0.0.0.0', 'unspecified'],
  ['::', 'unspecified'],
  ['169.254.169.254', 'link-local'],
  ['fe80::1', 'link-local'],
  ['10.0.0.1', 'private'],
  ['172.16.0.1', 'private'],
  ['192.168.0.1', 'private'],
  ['100.64.0.1', 'shared'],
  ['fd00::1', 'unique-local'],
  ['224.0.0.251', 'multicast'],
  ['ff02::1', 'multicast'],
  ['255.255.255.255', 'broadcast'],
  ['240.0.0.1', 'reserved'],
  ['::ffff:127.0.0.1', 'loopback'],
  ['::ffff:169.254.169.254', 'link-local'],
  ['::ffff:10.0.0.1', 'private'],
  ['::127.0.0.1', 'loopback'],
  ['64:ff9b::a9fe:a9fe', 'link-local'],
  ['64:ff9b::10.0.0.1', 'private'],
  ['2002:a00:1::', 'private'],
] as const;

describe('the connection lookup of a webhook', () => {
  it.each(NON_PUBLIC)('refuses a name resolving to %s (%s)', async (address, addressClass) => {
    for (const all of [true, false]) {
      const error = await lookup(guardFor([address]), all).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AddressRefusedError);
      expect((error as AddressRefusedError).detail).toEqual({
        host: 'hook.test',
        reason: 'address_refused',
        addresses: [{ address, addressClass }],
      });
    }
  });

  it('refuses a name when any one of its addresses is refused, and one that does not resolve', async () => {
    await expect(lookup(guardFor(['93.184.216.34', '10.0.0.1']), true)).rejects.toBeInstanceOf(
      AddressRefusedError,
    );
    const unresolved = await lookup(
      guardFor(Object.assign(new Error('x'), { code: 'ENOTFOUND' })),
      true,
    ).catch((e: unknown) => e);
    expect((unresolved as AddressRefusedError).detail).toMatchObject({
      reason: 'unresolved',
      cause: 'ENOTFOUND',
    });
  });

  it('hands the connection exactly the addresses it checked', async () => {
    const guard = guardFor(['93.184.216.34', '2606:2800:220:1::1']);
    expect(await lookup(guard, true)).toEqual([
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800:220:1::1', family: 6 },
    ]);
    expect(await lookup(guard, false)).toBe('93.184.216.34');
  });

  it('admits exactly the listed networks', async () => {
    const allowed = '10.20.0.0/16,127.0.0.1,fd00:1::/64';
    for (const address of ['10.20.3.4', '127.0.0.1', '::ffff:127.0.0.1', 'fd00:1::9']) {
      expect(await lookup(guardFor([address], allowed), false)).toBe(address);
    }
    for (const address of ['10.21.0.1', '127.0.0.2', '::1', 'fd00:2::1', '169.254.169.254']) {
      await expect(lookup(guardFor([address], allowed), false)).rejects.toBeInstanceOf(AddressRefusedError);
    }
  });

  it('checks literal hosts, which connections never look up', () => {
    const guard = guardFor([]);
    expect(() => {
      guard.assertLiteralAllowed(new URL('http://[::ffff:7f00:1]:8080/'));
    }).toThrow(AddressRefusedError);
    expect(() => {
      guard.assertLiteralAllowed(new URL('http://169.254.169.254/'));
    }).toThrow(AddressRefusedError);
    expect(() => {
      guard.assertLiteralAllowed(new URL('https://93.184.216.34/'));
    }).not.toThrow();
    // A name is left to the lookup.
    expect(() => {
      guard.assertLiteralAllowed(new URL('https://hook.test/'));
    }).not.toThrow();
  });
});
