/**
 * Keeps rotation webhooks from reaching what the server can reach and their registrant cannot
 * (docs/rotation.md, "Which addresses a webhook may call"): a URL's host must be, or resolve only to,
 * addresses `domain/network-address.ts` admits. It is checked when the webhook is registered and again
 * on every call, where the check is the connection's own name lookup (`lookup`), so the address
 * checked is the address connected to: a name that changes its answer between a check and a connect
 * (DNS rebinding) gains nothing.
 */
import { lookup as systemLookup } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import type { AddressClass, IpNetwork } from '../domain/network-address.js';
import { judgeAddress, parseIpAddress } from '../domain/network-address.js';

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** Resolves a host name to every address it has (the system resolver; tests inject their own). */
export type HostResolver = (hostname: string, family: 0 | 4 | 6) => Promise<readonly ResolvedAddress[]>;

export const systemResolver: HostResolver = (hostname, family) =>
  new Promise((resolve, reject) => {
    systemLookup(hostname, { all: true, family }, (error, addresses) => {
      if (error) reject(error);
      else resolve(addresses.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 })));
    });
  });

/** The setting an operator uses to let webhooks reach non-public networks. */
export const ALLOWED_NETWORKS_SETTING = 'TESSERA_ROTATION_WEBHOOK_ALLOWED_NETWORKS';

/** What was refused, for the log and the audit trail only (never shown to the caller). */
export interface RefusalDetail {
  readonly host: string;
  readonly reason: 'address_refused' | 'unresolved';
  readonly addresses: readonly { readonly address: string; readonly addressClass: AddressClass }[];
  readonly cause?: string;
}

/** A host refused by the guard; `code` lets transport errors be told apart from it. */
export class AddressRefusedError extends Error {
  override name = 'AddressRefusedError';
  readonly code = 'TESSERA_ADDRESS_REFUSED';
  readonly detail: RefusalDetail;

  constructor(detail: RefusalDetail) {
    super(`The address of "${detail.host}" is not one rotation webhooks may call.`);
    this.detail = detail;
  }
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

const RESOLVE_TIMEOUT_MS = 5_000;

export class WebhookAddressGuard {
  readonly #allowed: readonly IpNetwork[];
  readonly #resolve: HostResolver;

  constructor(options: { allowed: readonly IpNetwork[]; resolve?: HostResolver | undefined }) {
    this.#allowed = options.allowed;
    this.#resolve = options.resolve ?? systemResolver;
  }

  /** Throws `AddressRefusedError` unless the URL's host is, or resolves only to, admitted addresses. */
  async assertUrlAllowed(url: URL): Promise<void> {
    const host = hostOf(url);
    if (this.#literal(host)) return;
    await this.#resolveAdmitted(host, 0);
  }

  /**
   * Checks an IP literal host (connections to one do no lookup, so `lookup` never sees it); returns
   * false for a host name, which `lookup` checks when the connection is made.
   */
  #literal(host: string): boolean {
    const literal = parseIpAddress(host);
    if (!literal) return false;
    const verdict = judgeAddress(literal, this.#allowed);
    if (!verdict.admitted) {
      throw new AddressRefusedError({
        host,
        reason: 'address_refused',
        addresses: [{ address: host, addressClass: verdict.addressClass }],
      });
    }
    return true;
  }

  /** Call-time check of a URL's IP literal host, before connecting (see `lookup` for names). */
  assertLiteralAllowed(url: URL): void {
    this.#literal(hostOf(url));
  }

  async #resolveAdmitted(host: string, family: 0 | 4 | 6): Promise<readonly ResolvedAddress[]> {
    let addresses: readonly ResolvedAddress[];
    try {
      addresses = await withTimeout(this.#resolve(host, family), RESOLVE_TIMEOUT_MS);
    } catch (error) {
      const cause = (error as NodeJS.ErrnoException | undefined)?.code ?? (error as Error | undefined)?.name;
      throw new AddressRefusedError({ host, reason: 'unresolved', addresses: [], cause: String(cause) });
    }
    const judged = addresses.map((a) => {
      const parsed = parseIpAddress(a.address);
      const verdict = parsed
        ? judgeAddress(parsed, this.#allowed)
        : { admitted: false, addressClass: 'reserved' as const };
      return { ...a, ...verdict };
    });
    // Every address must pass: one refused answer refuses the name.
    if (judged.length === 0 || judged.some((a) => !a.admitted)) {
      throw new AddressRefusedError({
        host,
        reason: judged.length === 0 ? 'unresolved' : 'address_refused',
        addresses: judged.map((a) => ({ address: a.address, addressClass: a.addressClass })),
      });
    }
    return addresses;
  }

  /**
   * A `lookup` for `http.request`: resolves, checks, and hands the connection exactly the addresses it
   * checked.
   */
  readonly lookup = (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    const family = options.family === 4 || options.family === 6 ? options.family : 0;
    this.#resolveAdmitted(hostname, family).then(
      (addresses) => {
        if (options.all) {
          callback(
            null,
            addresses.map((a) => ({ address: a.address, family: a.family })),
          );
        } else {
          const first = addresses[0];
          callback(null, first?.address ?? '', first?.family ?? 4);
        }
      },
      (error: unknown) => {
        callback(error as NodeJS.ErrnoException, '', 0);
      },
    );
  };
}

/** The URL's host without IPv6 brackets. */
export function hostOf(url: URL): string {
  const host = url.hostname;
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(Object.assign(new Error('lookup timed out'), { code: 'ETIMEOUT' }));
    }, ms);
    timer.unref();
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
