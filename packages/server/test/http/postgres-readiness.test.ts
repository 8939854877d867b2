/**
 * Two servers on one PostgreSQL database (several nodes): /readyz probes run while both append to the
 * audit trail without clashing with it, fail on a node whose trail refuses writes, and a key due for
 * automatic rotation gets one new version however many nodes race for it.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, DAY_MS } from '../fakes/manual-clock.js';
import type { ApiServer } from '../protocols/alibaba/harness.js';
import { startApiServer } from '../protocols/alibaba/harness.js';

const ADMIN_URL = process.env.TESSERA_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const DATABASE = `tessera_test_${randomBytes(6).toString('hex')}`;

function databaseUrl(): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${DATABASE}`;
  return url.toString();
}

async function sql(connectionString: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

const clock = new ManualClock(Math.floor(Date.now() / 1000) * 1000);
let nodes: ApiServer[] = [];

beforeAll(async () => {
  await sql(ADMIN_URL, `create database ${DATABASE}`);
  const env = {
    TESSERA_DATABASE_URL: databaseUrl(),
    TESSERA_ROOT_KEY: randomBytes(32).toString('base64'),
    TESSERA_ROTATION_TICK_SECONDS: '0',
  };
  // The first node creates the schema; the second opens it.
  const first = await startApiServer({ clock, env });
  nodes = [first, await startApiServer({ clock, env })];
});

afterAll(async () => {
  await Promise.all(nodes.map((node) => node.stop()));
  await sql(ADMIN_URL, `drop database if exists ${DATABASE} with (force)`);
});

async function readyz(node: ApiServer): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${node.baseUrl}/readyz`);
  return { status: response.status, body: await response.json() };
}

describe('several nodes on PostgreSQL', () => {
  it('answers ready on every node while both append to the audit trail', async () => {
    const calls = nodes.flatMap((node) =>
      Array.from({ length: 10 }, () => node.client('pop-core-post').call('DescribeRegions', {})),
    );
    const probes = nodes.flatMap((node) => Array.from({ length: 5 }, () => readyz(node)));
    const [answers] = await Promise.all([Promise.all(probes), Promise.all(calls)]);
    for (const answer of answers) {
      expect(answer).toEqual({ status: 200, body: { status: 'ok', checks: { store: 'ok', audit: 'ok' } } });
    }
    expect((await nodes[0]!.instance.tessera.services.audit.verify()).broken).toBeUndefined();
  });

  it('is not ready while the trail refuses writes', async () => {
    await sql(
      databaseUrl(),
      `create function refuse() returns trigger language plpgsql as $$ begin raise exception 'refused'; end $$;
       create trigger refuse_audit before insert on audit_events for each row execute function refuse();`,
    );
    try {
      expect(await readyz(nodes[1]!)).toEqual({
        status: 503,
        body: { status: 'unavailable', checks: { store: 'ok', audit: 'failing' } },
      });
    } finally {
      await sql(databaseUrl(), 'drop trigger refuse_audit on audit_events; drop function refuse();');
    }
    expect((await readyz(nodes[1]!)).status).toBe(200);
  });

  it('rotates a due key once however many nodes race for it', async () => {
    const created = await nodes[0]!.client('pop-core-post').call('CreateKey', {
      EnableAutomaticRotation: true,
      RotationInterval: '7d',
    });
    const keyId = (created.KeyMetadata as { KeyId: string }).KeyId;
    clock.advance(7 * DAY_MS);
    try {
      const made = await Promise.all(
        nodes.flatMap((node) => [node, node].map((n) => n.instance.tessera.services.keys.rotateIfDue(keyId))),
      );
      expect(made.filter((version) => version !== undefined)).toHaveLength(1);
      await Promise.all(nodes.map((node) => node.instance.tessera.services.rotationScheduler.tick()));
    } finally {
      clock.advance(-7 * DAY_MS);
    }
    const versions = await nodes[1]!.client('pop-core-post').call('ListKeyVersions', { KeyId: keyId });
    expect(versions.TotalCount).toBe(2);
  });
});
