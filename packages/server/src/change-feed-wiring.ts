/**
 * The composition root's change feed (app.ts calls it): LISTEN/NOTIFY between the nodes sharing a
 * PostgreSQL database, with its connection troubles in the log; on SQLite one node, nothing to tell
 * (docs/caching.md).
 */
import type { Logger } from 'pino';
import type { Config } from './config/config.js';
import { DEFAULT_CACHE_MAX_STALENESS_MS } from './config/config.js';
import type { ChangeFeed } from './services/change-feed.js';
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
