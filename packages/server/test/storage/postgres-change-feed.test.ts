/**
 * The change feed over LISTEN/NOTIFY against the real PostgreSQL (127.0.0.1:5432, user `postgres`, trust;
 * override with TESSERA_TEST_POSTGRES_URL), on a channel of this run's own: what one feed announces the
 * others hear and it does not; anything unreadable is heard as "forget everything"; a lost connection is
 * replaced (also one that stopped answering without closing) and its listeners told to forget
 * everything, and announcements it could not send reach the others as the same. An unreachable server fails the run, never skips it.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { connect, createServer } from 'node:net';

import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';

import type { ChangeTopic } from '../../src/services/change-feed.js';
import { CHANGE_TOPICS } from '../../src/services/change-feed.js';
import type { ChangeFeedEvent } from '../../src/storage/postgres-change-feed.js';
import { PostgresChangeFeed } from '../../src/storage/postgres-change-feed.js';

const URL_OF_SERVER =
  process.env.TESSERA_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const CHANNEL = `tessera_test_${randomBytes(6).toString('hex')}`;

type Heard = [ChangeTopic | undefined, string | undefined];

interface Node {
  readonly feed: PostgresChangeFeed<ChangeTopic>;
  readonly heard: Heard[];
  readonly events: ChangeFeedEvent['kind'][];
  readonly applicationName: string;
}

const opened: Node[] = [];

async function node(connectionString = URL_OF_SERVER): Promise<Node> {
  const applicationName = `feed-test-${randomBytes(6).toString('hex')}`;
  const events: ChangeFeedEvent['kind'][] = [];
  const feed = await PostgresChangeFeed.open({
    connectionString,
    topics: CHANGE_TOPICS,
    maxStalenessMs: 1000,
    channel: CHANNEL,
    heartbeatMs: 200,
    applicationName,
    reconnectDelayMs: { first: 20, max: 200 },
    onEvent: (event) => events.push(event.kind),
  });
  const heard: Heard[] = [];
  feed.subscribe((topic, id) => heard.push([topic, id]));
  const created = { feed, heard, events, applicationName };
  opened.push(created);
  return created;
}

async function onServer<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: URL_OF_SERVER, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Ends a feed's connection from the server's side, as a restart or failover would. */
async function terminate(target: Node): Promise<void> {
  const ended = await onServer((c) =>
    c.query('select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1', [
      target.applicationName,
    ]),
  );
  expect(ended.rowCount).toBe(1);
}

/** Relayed connections frozen so far (closed at the end of the test). */
const frozen: Socket[] = [];

/**
 * A TCP relay to the server whose open connections can be frozen: nothing passes either way and
 * nothing is closed, as when a network path dies without a word. New connections pass again.
 */
async function freezableRelay(): Promise<{ url: string; freeze(): void; close(): Promise<void> }> {
  const server = new URL(URL_OF_SERVER);
  const pairs: [Socket, Socket][] = [];
  const relay = createServer((socket) => {
    const upstream = connect(Number(server.port || 5432), server.hostname);
    socket.pipe(upstream).pipe(socket);
    for (const end of [socket, upstream]) end.on('error', () => undefined);
    pairs.push([socket, upstream]);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const address = relay.address();
  if (address === null || typeof address === 'string') throw new Error('no relay address');
  const url = new URL(URL_OF_SERVER);
  url.host = `127.0.0.1:${address.port}`;
  return {
    url: url.toString(),
    freeze() {
      for (const [socket, upstream] of pairs.splice(0)) {
        socket.unpipe();
        upstream.unpipe();
        socket.pause();
        upstream.pause();
        frozen.push(socket, upstream);
      }
    },
    async close() {
      for (const end of [...frozen.splice(0), ...pairs.flat()]) end.destroy();
      await new Promise((resolve) => relay.close(resolve));
    },
  };
}
async function until(what: string, condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

afterEach(async () => {
  for (const each of opened.splice(0)) await each.feed.close();
});

describe('the PostgreSQL change feed', () => {
  it("carries each announcement to the other nodes, never back to its sender's listeners", async () => {
    const [a, b, c] = [await node(), await node(), await node()];
    a.feed.announce('key', 'key-1');
    a.feed.announce('identity');
    a.feed.announce('access-key', 'x'.repeat(2000)); // too long for a payload: the whole topic
    const fromA: Heard[] = [
      ['key', 'key-1'],
      ['identity', undefined],
      ['access-key', undefined],
    ];
    await until('b and c heard a', () => b.heard.length === 3 && c.heard.length === 3);
    expect(b.heard).toEqual(fromA);
    expect(c.heard).toEqual(fromA);
    b.feed.announce('secret', 'app/db-password');
    await until('a and c heard b', () => a.heard.length === 1 && c.heard.length === 4);
    expect(c.heard[3]).toEqual(['secret', 'app/db-password']);
    // Sent after a's own announcements, on the same connection as them: they would have come first.
    expect(a.heard).toEqual([['secret', 'app/db-password']]);
    expect(b.heard).toHaveLength(3);
    expect(a.feed.maxStalenessMs).toBe(1000);
  });

  it('hears what it cannot read (another version, a stray NOTIFY) as "forget everything"', async () => {
    const a = await node();
    await onServer(async (client) => {
      for (const payload of ['not json', '{"n":"other","t":"widget","i":"w1"}', '{"t":"key"}', '']) {
        await client.query('select pg_notify($1, $2)', [CHANNEL, payload]);
      }
    });
    await until('a heard four notifications', () => a.heard.length === 4);
    expect(a.heard).toEqual(Array.from({ length: 4 }, () => [undefined, undefined]));
  });

  it('reconnects after losing its connection, then tells its listeners to forget everything', async () => {
    const [a, b] = [await node(), await node()];
    await terminate(b);
    await until('b listens again', () => b.events.includes('resumed'));
    expect(b.events).toEqual(['lost', 'resumed']);
    expect(b.heard).toEqual([[undefined, undefined]]);
    expect(b.feed.listening).toBe(true);
    a.feed.announce('key', 'after');
    await until('b heard the announcement', () => b.heard.length === 2);
    expect(b.heard[1]).toEqual(['key', 'after']);
  });

  it('replaces a connection that stopped answering (the heartbeat), then forgets everything', async () => {
    const relay = await freezableRelay();
    try {
      const [a, b] = [await node(), await node(relay.url)];
      relay.freeze();
      a.feed.announce('key', 'unheard'); // lost on the frozen path
      await until('b gave up the silent connection and listens again', () => b.events.includes('resumed'));
      expect(b.events).toEqual(['lost', 'resumed']);
      expect(b.heard).toEqual([[undefined, undefined]]);
      a.feed.announce('key', 'heard');
      await until('b heard the announcement', () => b.heard.length === 2);
      expect(b.heard[1]).toEqual(['key', 'heard']);
    } finally {
      for (const each of opened.splice(0)) await each.feed.close();
      await relay.close();
    }
  });

  it('tells the others to forget everything when an announcement of its own could not be sent', async () => {
    const [a, b] = [await node(), await node()];
    await terminate(a);
    await until('a lost its connection', () => !a.feed.listening);
    a.feed.announce('access-key', 'lost-while-down');
    await until('a listens again', () => a.events.includes('resumed'));
    await until('b heard from a', () => b.heard.length === 1);
    expect(b.heard).toEqual([[undefined, undefined]]);
  });

  it('does not start without its database, and names it without the password', async () => {
    const failure = PostgresChangeFeed.open({
      connectionString: 'postgresql://tessera:hunter2@127.0.0.1:1/tessera',
      topics: CHANGE_TOPICS,
      maxStalenessMs: 1000,
    });
    await expect(failure).rejects.toThrow(/Cannot open the PostgreSQL database "tessera" on 127\.0\.0\.1:1/);
    await expect(failure).rejects.not.toThrow(/hunter2/);
  });

  it('stops hearing and announcing once closed', async () => {
    const [a, b, c] = [await node(), await node(), await node()];
    await b.feed.close();
    b.feed.announce('key', 'from-closed');
    a.feed.announce('key', 'marker');
    await until('c heard the marker', () => c.heard.length === 1);
    // b's announcement, had it been sent, would have reached c before a's (sent later).
    expect(c.heard).toEqual([['key', 'marker']]);
    expect(b.heard).toEqual([]);
  });
});
