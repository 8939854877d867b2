/**
 * The change feed over PostgreSQL's LISTEN/NOTIFY (docs/caching.md). Each node keeps one connection of
 * its own that LISTENs on one channel; `announce` sends a NOTIFY on it naming the topic, the id and the
 * sending node, and every other node's listeners hear it (a node ignores its own announcements).
 *
 * PostgreSQL keeps no notification for a session that is not listening, so while the connection is
 * down changes are missed: the feed reconnects with backoff and, once listening again, tells its
 * listeners to forget everything; if an announcement of its own could not be sent meanwhile, it tells
 * the other nodes the same. A heartbeat finds a connection that died silently. What no notification
 * covers — a node that crashed between its commit and its NOTIFY, a dead connection not yet noticed —
 * the caches' age limit (`maxStalenessMs`) bounds.
 *
 * Storage does not import the services, so the topics are a type parameter, checked on arrival against
 * the list the caller passes (`CHANGE_TOPICS`); `app.ts` opens it (`PostgresChangeFeed.open`) and uses
 * it as a `ChangeFeed`.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';

import { openFailure } from './postgres.js';

/** The channel every node of one database listens on, by default. */
export const DEFAULT_CHANGE_CHANNEL = 'tessera_changes';
const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;
/** NOTIFY payloads must stay under 8000 bytes: a longer id is announced as its whole topic. */
const MAX_ID_LENGTH = 1024;
/** Announcements waiting to be sent at most; past it they are folded into one "forget everything". */
const MAX_OUTBOX = 1000;
/** How long `close` waits for announcements still on their way. */
const CLOSE_GRACE_MS = 1000;

/** What the feed reports about its connection, for the log. */
export type ChangeFeedEvent =
  | { readonly kind: 'lost'; readonly error: Error | undefined }
  | { readonly kind: 'retry-failed'; readonly error: unknown; readonly nextAttemptMs: number }
  | { readonly kind: 'resumed' };

export interface PostgresChangeFeedOptions<Topic extends string> {
  /** The store's connection URL: the feed opens one more connection to the same database. */
  readonly connectionString: string;
  /** Every topic a node may announce; anything else heard is taken as "forget everything". */
  readonly topics: readonly Topic[];
  /** The caches' age limit on this database (`TESSERA_CACHE_MAX_STALENESS_MS`). */
  readonly maxStalenessMs: number;
  /** Lower-case letters, digits and `_`; `DEFAULT_CHANGE_CHANNEL` when omitted. */
  readonly channel?: string;
  /** Shown in `pg_stat_activity`; `tessera-change-feed` when omitted. */
  readonly applicationName?: string;
  /** Backoff between reconnection attempts: the first wait, doubled up to `max`. */
  readonly reconnectDelayMs?: { readonly first: number; readonly max: number };
  /** How often the connection is checked, and how long a check may take. Defaults to 5 seconds. */
  readonly heartbeatMs?: number;
  readonly onEvent?: (event: ChangeFeedEvent) => void;
}

type Listener<Topic extends string> = (topic: Topic | undefined, id: string | undefined) => void;

interface Payload {
  /** The sending node. */
  readonly n: string;
  /** The topic; absent: forget everything. */
  readonly t?: string;
  /** The id within the topic; absent: all of it. */
  readonly i?: string;
}

export class PostgresChangeFeed<Topic extends string> {
  readonly maxStalenessMs: number;
  readonly #options: PostgresChangeFeedOptions<Topic>;
  readonly #channel: string;
  readonly #topics: ReadonlySet<string>;
  readonly #node = randomUUID();
  readonly #listeners = new Set<Listener<Topic>>();
  /** Payloads not sent yet: sent together, one statement, once the connection is free. */
  readonly #outbox = new Set<string>();
  #flushQueued = false;
  #client: pg.Client | undefined;
  /** The connection's statements, one after another (pg does not queue them for us). */
  #chain: Promise<unknown> = Promise.resolve();
  /** An announcement of this node may not have reached the others: tell them to forget everything. */
  #missed = false;
  #closed = false;
  #checking = false;
  #heartbeat: NodeJS.Timeout | undefined;
  #wait: { readonly timer: NodeJS.Timeout; readonly wake: () => void } | undefined;

  private constructor(options: PostgresChangeFeedOptions<Topic>) {
    const channel = options.channel ?? DEFAULT_CHANGE_CHANNEL;
    if (!CHANNEL.test(channel)) throw new Error(`"${channel}" is not a valid change channel name.`);
    this.#options = options;
    this.#channel = channel;
    this.#topics = new Set(options.topics);
    this.maxStalenessMs = options.maxStalenessMs;
  }

  /** Whether the feed is listening now (false between a lost connection and the next). */
  get listening(): boolean {
    return this.#client !== undefined;
  }

  announce(topic: Topic, id?: string): void {
    if (this.#closed) return;
    const payload: Payload =
      id === undefined || id.length > MAX_ID_LENGTH
        ? { n: this.#node, t: topic }
        : { n: this.#node, t: topic, i: id };
    this.#send(payload);
  }

  subscribe(listener: Listener<Topic>): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeat);
    if (this.#wait) {
      clearTimeout(this.#wait.timer);
      this.#wait.wake();
    }
    this.#listeners.clear();
    const client = this.#client;
    this.#client = undefined;
    if (!client) return;
    // Let announcements already made go out (ending a connection with a query in flight cuts it), then
    // say goodbye; a connection on a dead path answers neither, and is cut.
    await within(CLOSE_GRACE_MS, this.#chain);
    await within(
      CLOSE_GRACE_MS,
      client.end().catch(() => undefined),
    );
    client.connection.stream.destroy();
  }

  /**
   * Opens a feed: connects and LISTENs before returning, so that nothing announced after start-up is
   * missed. Throws when the database cannot be reached (the message names host and database, never the
   * URL, which may carry a password).
   */
  static async open<Topic extends string>(
    options: PostgresChangeFeedOptions<Topic>,
  ): Promise<PostgresChangeFeed<Topic>> {
    const feed = new PostgresChangeFeed(options);
    try {
      await feed.#listen();
    } catch (error) {
      throw openFailure(options.connectionString, error);
    }
    return feed;
  }

  /** Connects and LISTENs: at opening, and again after a lost connection. */
  async #listen(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.#options.connectionString,
      application_name: this.#options.applicationName ?? 'tessera-change-feed',
      connectionTimeoutMillis: this.#heartbeatMs(),
      keepAlive: true,
    });
    client.on('error', (error) => {
      this.#lost(client, error);
    });
    client.on('end', () => {
      this.#lost(client, undefined);
    });
    client.on('notification', (message) => {
      this.#heard(message);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(this.#channel)}`);
    } catch (error) {
      void client.end().catch(() => undefined);
      throw error;
    }
    if (this.#closed) {
      void client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
    // A new connection starts a new line: nothing waits behind a statement of the connection lost.
    this.#chain = Promise.resolve();
    this.#flushQueued = false;
    if (this.#heartbeat === undefined) {
      this.#heartbeat = setInterval(() => {
        this.#check();
      }, this.#heartbeatMs());
      this.#heartbeat.unref();
    }
  }

  #heartbeatMs(): number {
    return this.#options.heartbeatMs ?? 5000;
  }

  /** Runs `work` on the connection after whatever runs on it already. */
  #serially<T>(work: () => Promise<T>): Promise<T> {
    const done = this.#chain.then(work);
    this.#chain = done.catch(() => undefined);
    return done;
  }

  #send(payload: Payload): void {
    const client = this.#client;
    if (!client) {
      this.#missed = true;
      return;
    }
    if (this.#outbox.size >= MAX_OUTBOX) {
      // Too many to name one by one: the other nodes forget everything instead.
      this.#outbox.clear();
      this.#outbox.add(JSON.stringify({ n: this.#node }));
    }
    this.#outbox.add(JSON.stringify(payload));
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    void this.#serially(async () => {
      this.#flushQueued = false;
      const payloads = [...this.#outbox];
      this.#outbox.clear();
      try {
        await client.query('select pg_notify($1, payload) from unnest($2::text[]) as payload', [
          this.#channel,
          payloads,
        ]);
      } catch {
        this.#missed = true;
      }
    });
  }

  #heard(message: pg.Notification): void {
    if (message.channel !== this.#channel) return;
    const payload = parsePayload(message.payload);
    if (payload?.n === this.#node) return;
    // Anything unreadable or of an unknown topic may stand for any change: forget everything.
    const known = payload?.t !== undefined && this.#topics.has(payload.t);
    this.#tell(known ? (payload.t as Topic) : undefined, known ? payload.i : undefined);
  }

  #tell(topic: Topic | undefined, id: string | undefined): void {
    for (const listener of this.#listeners) {
      try {
        listener(topic, id);
      } catch {
        // A listener only forgets cache entries; one that throws must not keep the others from it.
      }
    }
  }

  /** The heartbeat: a connection that does not answer in time is given up and replaced. */
  #check(): void {
    const client = this.#client;
    if (!client || this.#checking) return;
    this.#checking = true;
    const timer = setTimeout(() => {
      this.#lost(client, new Error('The change feed connection did not answer the heartbeat in time.'));
    }, this.#heartbeatMs());
    timer.unref();
    this.#serially(() => client.query('select 1'))
      .then(
        () => {
          this.#flushMissed();
        },
        (error: unknown) => {
          this.#lost(client, error instanceof Error ? error : undefined);
        },
      )
      .finally(() => {
        clearTimeout(timer);
        this.#checking = false;
      });
  }

  #flushMissed(): void {
    if (!this.#missed || !this.#client) return;
    this.#missed = false;
    this.#send({ n: this.#node });
  }

  #lost(client: pg.Client, error: Error | undefined): void {
    if (client !== this.#client) return;
    this.#client = undefined;
    // Broken or not answering: nothing more is expected from it, not even a goodbye.
    client.connection.stream.destroy();
    this.#options.onEvent?.({ kind: 'lost', error });
    void this.#reconnect();
  }

  async #reconnect(): Promise<void> {
    const { first, max } = this.#options.reconnectDelayMs ?? { first: 100, max: 5000 };
    let delay = first;
    while (await this.#sleep(delay)) {
      try {
        await this.#listen();
      } catch (error) {
        delay = Math.min(delay * 2, max);
        this.#options.onEvent?.({ kind: 'retry-failed', error, nextAttemptMs: delay });
        continue;
      }
      if (this.#client === undefined) return; // closed meanwhile
      this.#options.onEvent?.({ kind: 'resumed' });
      // Listening again; whatever was announced while it was not is unknown.
      this.#tell(undefined, undefined);
      this.#flushMissed();
      return;
    }
  }

  /** Waits; false when the feed was closed meanwhile. */
  #sleep(ms: number): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wait = undefined;
        resolve(!this.#closed);
      }, ms);
      timer.unref();
      this.#wait = {
        timer,
        wake: () => {
          resolve(false);
        },
      };
    });
  }
}

/** Waits for `work`, or `ms` at most. */
async function within(ms: number, work: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

function parsePayload(text: string | undefined): Payload | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return undefined;
    const { n, t, i } = value as Record<string, unknown>;
    if (typeof n !== 'string') return undefined;
    return {
      n,
      ...(typeof t === 'string' ? { t } : {}),
      ...(typeof i === 'string' ? { i } : {}),
    };
  } catch {
    return undefined;
  }
}
