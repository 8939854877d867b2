/**
 * Where pages of a secret listing begin, kept in memory per query shape, so that page N of a listing
 * is found by a seek on the name index instead of an OFFSET over every row before it.
 *
 * An entry holds the listing's total and the names at positions that pages have begun at so far (a
 * position is learnt by one skip over the name index from the nearest known one before it, so a walk
 * page by page costs one page each, and a jump costs one skip once). It is exact for one state of the
 * secrets: the store announces every write that may change what a listing holds (a secret created,
 * destroyed, or its description, tags or deletion date changed) with `writeStarted` before the write
 * and the returned `done` once its transaction ended. A reader takes a `ticket` before its snapshot and
 * trusts an entry, or adds to it, only while no such write was in flight and none began since
 * (`unchangedSince`), so a snapshot never meets positions of another state. Time changes listings too
 * (a secret whose recovery window ended is gone), so an entry built for one `existingAt` serves later
 * ones only until the first deletion date among the secrets it lists.
 *
 * One process's writes only: a store that other processes also write keeps it off (`maxEntries` 0).
 */

/** Names known per entry at most; past that every other one is dropped (the gaps double, still bounded). */
export const MAX_KNOWN_POSITIONS = 1_000;

/** What a listing held when its entry was made. */
export interface ListingFacts {
  /** Listed secrets. */
  readonly total: number;
  /** The `existingAt` the facts were read for; undefined when the listing has no time filter. */
  readonly builtAt: number | undefined;
  /**
   * The earliest deletion date among the listed secrets: from then on, with a time filter, one of
   * them is gone. Undefined when none is scheduled for deletion (or the listing has no time filter).
   */
  readonly nextExpiry: number | undefined;
}

/** A position of the listing and the name there; position 0 needs no name (the listing's start). */
export interface KnownPosition {
  readonly position: number;
  readonly name: string | undefined;
}

/** What a reader saw before its snapshot began. */
export interface ListingTicket {
  readonly generation: number;
  /** No write that may change listings was in flight. */
  readonly quiet: boolean;
}

/** A kept listing: its facts and the positions learnt so far (ascending, names ascending with them). */
export class KeptListing implements ListingFacts {
  readonly total: number;
  readonly builtAt: number | undefined;
  readonly nextExpiry: number | undefined;
  readonly generation: number;
  readonly #positions: number[] = [];
  readonly #names: string[] = [];

  constructor(facts: ListingFacts, generation: number) {
    this.total = facts.total;
    this.builtAt = facts.builtAt;
    this.nextExpiry = facts.nextExpiry;
    this.generation = generation;
  }

  /** Positions known now (for tests and diagnostics). */
  get known(): number {
    return this.#positions.length;
  }

  /** The known position nearest at or before `position` (the start when none is). */
  nearest(position: number): KnownPosition {
    const index = this.#lastAtOrBefore(position);
    return index < 0
      ? { position: 0, name: undefined }
      : { position: this.#positions[index] ?? 0, name: this.#names[index] };
  }

  learn(position: number, name: string): void {
    const index = this.#lastAtOrBefore(position);
    if (index >= 0 && this.#positions[index] === position) return;
    this.#positions.splice(index + 1, 0, position);
    this.#names.splice(index + 1, 0, name);
    if (this.#positions.length > MAX_KNOWN_POSITIONS) {
      const keep = (_: unknown, i: number) => i % 2 === 0;
      const positions = this.#positions.filter(keep);
      const names = this.#names.filter(keep);
      this.#positions.splice(0, this.#positions.length, ...positions);
      this.#names.splice(0, this.#names.length, ...names);
    }
  }

  #lastAtOrBefore(position: number): number {
    let low = 0;
    let high = this.#positions.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if ((this.#positions[middle] ?? Infinity) <= position) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return found;
  }
}

export class PageBoundaryCache {
  readonly #maxEntries: number;
  /** Most recently used last. */
  readonly #entries = new Map<string, KeptListing>();
  /** Bumped when a listing-changing write begins and when it ends. */
  #generation = 0;
  #writesInFlight = 0;

  /** `maxEntries`: query shapes kept at most (least recently used dropped first); 0 keeps none. */
  constructor(maxEntries: number) {
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 0)
      throw new Error('The page boundary cache size must be a whole number, 0 or more.');
    this.#maxEntries = maxEntries;
  }

  get enabled(): boolean {
    return this.#maxEntries > 0;
  }

  /** Entries held now (for tests and diagnostics). */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * Announces a write that may change what listings hold; call the returned function once its
   * transaction committed or rolled back (it does nothing the second time).
   */
  writeStarted(): () => void {
    this.#generation += 1;
    this.#writesInFlight += 1;
    this.#entries.clear();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.#writesInFlight -= 1;
      this.#generation += 1;
      this.#entries.clear();
    };
  }

  /** Drops every entry: for changes the store did not make itself (rows imported, another process). */
  forgetAll(): void {
    this.#generation += 1;
    this.#entries.clear();
  }

  /** Taken before a reader's snapshot begins. */
  ticket(): ListingTicket {
    return { generation: this.#generation, quiet: this.#writesInFlight === 0 };
  }

  /** Whether the data stayed as it was when `ticket` was taken, with nothing in flight then or since. */
  unchangedSince(ticket: ListingTicket): boolean {
    return ticket.quiet && ticket.generation === this.#generation;
  }

  /** The kept listing of `shape` valid at `existingAt` for a reader holding `ticket`, if any. */
  lookup(shape: string, existingAt: number | undefined, ticket: ListingTicket): KeptListing | undefined {
    if (!this.unchangedSince(ticket)) return undefined;
    const entry = this.#entries.get(shape);
    if (entry === undefined || entry.generation !== ticket.generation) return undefined;
    if (!coversTime(entry, existingAt)) return undefined;
    this.#entries.delete(shape);
    this.#entries.set(shape, entry);
    return entry;
  }

  /** Keeps facts read in a snapshot that began after `ticket`, if nothing changed since; the new entry. */
  remember(shape: string, facts: ListingFacts, ticket: ListingTicket): KeptListing | undefined {
    if (!this.enabled || !this.unchangedSince(ticket)) return undefined;
    const entry = new KeptListing(facts, ticket.generation);
    this.#entries.delete(shape);
    this.#entries.set(shape, entry);
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
    return entry;
  }

  /** Adds a position read in a snapshot that began after `ticket`, if nothing changed since. */
  learn(entry: KeptListing, position: number, name: string, ticket: ListingTicket): void {
    if (this.unchangedSince(ticket) && entry.generation === ticket.generation) entry.learn(position, name);
  }
}

/**
 * Secrets that existed at `builtAt` and still exist at a later `existingAt` are the same set until
 * the earliest deletion date among them; an earlier `existingAt` could list secrets the entry left out.
 */
function coversTime(entry: ListingFacts, existingAt: number | undefined): boolean {
  if (entry.builtAt === undefined || existingAt === undefined) return entry.builtAt === existingAt;
  return existingAt >= entry.builtAt && (entry.nextExpiry === undefined || existingAt < entry.nextExpiry);
}
