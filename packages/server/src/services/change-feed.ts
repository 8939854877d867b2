/**
 * How a node's in-memory caches hear about changes made by other nodes sharing the same database
 * (PostgreSQL). A node invalidates its own caches itself, synchronously, once its change has
 * committed; it then `announce`s the change so that every other node forgets the same entries.
 *
 * On a single node (SQLite: one process owns the data folder) there is nobody to tell, and cached
 * entries live until a change or eviction drops them (`LOCAL_CHANGE_FEED`). On a shared database the
 * feed also bounds how long an entry may be served without being read again (`maxStalenessMs`), so
 * that a lost notification (a node that crashed between its commit and its announcement, a broken
 * listening connection) delays a change by at most that bound (docs/caching.md).
 */

/** What changed; `id` narrows it to one entry where the topic has ids. */
export type ChangeTopic =
  /** A key's state, versions or tags (key id), or an alias (no id). */
  | 'key'
  /** A secret's metadata, versions, stages, tags or policy (secret name). */
  | 'secret'
  /** An access key's state, or one added or deleted (access key id). */
  | 'access-key'
  /** Users, policies, attachments (no id: identity caches are dropped whole). */
  | 'identity';

/** Every topic (a total record: a topic added to `ChangeTopic` must be listed here to compile). */
const TOPICS: Record<ChangeTopic, true> = { key: true, secret: true, 'access-key': true, identity: true };
/** Every topic, for a feed that reads topics off the wire (`storage/postgres-change-feed.ts`). */
export const CHANGE_TOPICS = Object.freeze(Object.keys(TOPICS)) as readonly ChangeTopic[];

/**
 * Heard for each change another node announced; `id` undefined: every entry of the topic; `topic`
 * undefined: forget everything (changes may have been missed).
 */
export type ChangeListener = (topic: ChangeTopic | undefined, id: string | undefined) => void;

export interface ChangeFeed {
  /**
   * Tells the other nodes (without `id`: every entry of the topic); best effort (the staleness bound
   * covers a lost announcement).
   */
  announce(topic: ChangeTopic, id?: string): void;
  /** Registers a listener; returns how to remove it. */
  subscribe(listener: ChangeListener): () => void;
  /**
   * How long a cached entry may be served before it is read again; undefined when no other node can
   * change the data behind this node's back.
   */
  readonly maxStalenessMs: number | undefined;
  close(): Promise<void>;
}

/** The feed of a single node: nothing to announce, nothing to hear. */
export const LOCAL_CHANGE_FEED: ChangeFeed = {
  announce: () => undefined,
  subscribe: () => () => undefined,
  maxStalenessMs: undefined,
  close: () => Promise.resolve(),
};
