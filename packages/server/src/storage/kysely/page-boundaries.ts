/**
 * Where the pages of a secret listing begin, kept in memory per query shape, so that page N of a
 * listing is found by a seek on the name index instead of an OFFSET over every row before it.
 *
 * An entry holds the listing's total and every `stride`-th listed name. It is exact for one state of
 * the secrets: the store announces every write that may change what a listing holds (a secret
 * created, destroyed, or its description, tags or deletion date changed) with `writeStarted` before
 * the write and the returned `done` once its transaction ended. A reader takes a `ticket` before its
 * snapshot and trusts an entry only while no such write was in flight and none began since
 * (`unchangedSince`), so a snapshot never meets boundaries of another state; otherwise it computes the
 * page without them. Time changes listings too (a secret whose recovery window ended is gone), so an
 * entry built for one `existingAt` serves later ones only until the next window it holds ends.
 *
 * One process's writes only: a store that other processes also write keeps it off (`maxEntries` 0).
 */

/** The first position of every `stride` listed names, and what the listing held then. */
export interface PageBoundaries {
  /** Listed secrets. */
  readonly total: number;
  /** Positions between two boundaries. */
  readonly stride: number;
  /** `names[i]` is the name at position `i × stride` (so `names[0]` is the first listed name). */
  readonly names: readonly string[];
  /** The `existingAt` the entry was built for; undefined when the listing has no time filter. */
  readonly builtAt: number | undefined;
  /**
   * The earliest deletion date among the listed secrets: from then on, with a time filter, one of
   * them is gone. Undefined when none is scheduled for deletion.
   */
  readonly nextExpiry: number | undefined;
}

/** What a reader saw before its snapshot began. */
export interface ListingTicket {
  readonly generation: number;
  /** No write that may change listings was in flight. */
  readonly quiet: boolean;
}

interface Entry extends PageBoundaries {
  readonly generation: number;
}

export class PageBoundaryCache {
  readonly #maxEntries: number;
  /** Most recently used last. */
  readonly #entries = new Map<string, Entry>();
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

  /** The boundaries of `shape` valid at `existingAt` for a reader holding `ticket`, if kept. */
  lookup(shape: string, existingAt: number | undefined, ticket: ListingTicket): PageBoundaries | undefined {
    if (!this.unchangedSince(ticket)) return undefined;
    const entry = this.#entries.get(shape);
    if (entry === undefined || entry.generation !== ticket.generation) return undefined;
    if (!coversTime(entry, existingAt)) return undefined;
    this.#entries.delete(shape);
    this.#entries.set(shape, entry);
    return entry;
  }

  /** Keeps boundaries read in a snapshot that began after `ticket`, if nothing changed since. */
  remember(shape: string, boundaries: PageBoundaries, ticket: ListingTicket): void {
    if (!this.enabled || !this.unchangedSince(ticket)) return;
    this.#entries.delete(shape);
    this.#entries.set(shape, { ...boundaries, generation: ticket.generation });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
  }
}

/**
 * Secrets that existed at `builtAt` and still exist at a later `existingAt` are the same set until
 * the earliest deletion date among them; an earlier `existingAt` could list secrets the entry left out.
 */
function coversTime(entry: PageBoundaries, existingAt: number | undefined): boolean {
  if (entry.builtAt === undefined || existingAt === undefined) return entry.builtAt === existingAt;
  return existingAt >= entry.builtAt && (entry.nextExpiry === undefined || existingAt < entry.nextExpiry);
}
