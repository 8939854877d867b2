/**
 * The composition root's change feed (app.ts calls it): LISTEN/NOTIFY between the nodes sharing a
 * PostgreSQL database, with its connection troubles in the log; on SQLite one node, nothing to tell.
 * And the secret cache in front of the store, which hears the same feed (docs/caching.md).
 */
import type { Logger } from 'pino';
import type { Config } from './config/config.js';
import { DEFAULT_CACHE_MAX_STALENESS_MS } from './config/config.js';
import { withSecretCache } from './services/cached-store.js';
import type { ChangeFeed } from './services/change-feed.js';
import type { MetricsRecorder } from './services/metrics.js';
import { SecretCache } from './services/secret-cache.js';
import type { Store } from './storage/store.js';
import { CHANGE_TOPICS, LOCAL_CHANGE_FEED } from './services/change-feed.js';
import { PostgresChangeFeed } from './storage/postgres-change-feed.js';

/** Throws when the PostgreSQL database cannot be reached. */
export async function openChangeFeed(config: Config, logger: Logger): Promise<ChangeFeed> {
  if (config.databaseUrl === undefined) return LOCAL_CHANGE_FEED;
  return PostgresChangeFeed.open({
    connectionString: config.databaseUrl,
    topics: CHANGE_TOPICS,
    maxStalenessMs: config.cacheMaxStalenessMs ?? DEFAULT_CACHE_MAX_STALENESS_MS,
    onEvent: (event) => {
      switch (event.kind) {
        case 'lost':
          logger.warn(
            { err: event.error },
            "lost the change feed's connection; until it is back, other nodes' changes reach the caches within the staleness bound",
          );
          break;
        case 'retry-failed':
          logger.warn(
            { err: event.error, retryInMs: event.nextAttemptMs },
            'reconnecting the change feed failed',
          );
          break;
        case 'resumed':
          logger.info('the change feed listens again; the caches were emptied');
          break;
      }
    },
  });
}

/**
 * The store with secrets read from memory and forgotten by every write (services/cached-store.ts). A
 * staleness bound of 0 turns caching off; the secret cache then keeps nothing either.
 */
export function withCachedSecrets(
  store: Store,
  config: Config,
  feed: ChangeFeed,
  metrics: MetricsRecorder,
): Store {
  const limits = feed.maxStalenessMs === 0 ? { ...config.secretCache, entries: 0 } : config.secretCache;
  return withSecretCache(store, new SecretCache({ limits, feed, metrics }), feed);
}
