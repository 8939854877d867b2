/**
 * Paging tokens for every listing that hands the caller a continuation (ListTagResources' NextToken,
 * LookupEvents' NextToken, RAM's Marker), for every protocol: the position is sealed under a key
 * derived from the root key and bound to the listing, the caller and the query. A token is opaque (it
 * tells nothing about how many hidden resources a listing skipped), survives a restart and works on
 * every node sharing the root key, and another caller — or another query — cannot use it: it then
 * opens to nothing, which adapters answer as an invalid parameter (docs/permissions.md).
 */
import { openPagingToken, pagingTokenKey, sealPagingToken } from '../crypto/paging-token.js';

/** What a token is bound to: it opens only for the same three. */
export interface PagingScope {
  /** The listing, e.g. the action's name: a token of one listing is refused by another. */
  readonly listing: string;
  /** Who asked: the access key that signed the request (a key belongs to exactly one user). */
  readonly caller: string;
  /** The query's parameters other than the token, as one string; empty when a token fits any query. */
  readonly query?: string | undefined;
}

export class PagingTokens {
  readonly #key: Buffer;

  constructor(options: { readonly rootKey: Uint8Array }) {
    this.#key = pagingTokenKey(options.rootKey);
  }

  /** Seals `position` (text the listing chooses) for `scope`. */
  issue(scope: PagingScope, position: string): string {
    return sealPagingToken(this.#key, bindingOf(scope), position);
  }

  /** The position `token` carries, or undefined when this server did not issue it for `scope`. */
  open(scope: PagingScope, token: string): string | undefined {
    return openPagingToken(this.#key, bindingOf(scope), token);
  }
}

function bindingOf(scope: PagingScope): string[] {
  return [scope.listing, scope.caller, scope.query ?? ''];
}
