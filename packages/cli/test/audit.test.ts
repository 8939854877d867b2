/** `tessera audit` and `tessera audit verify`, run as child processes against a real server. */
import { join } from 'node:path';

import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { ApiServer } from './helpers.js';
import { Sandbox, startApiServer } from './helpers.js';

let server: ApiServer;
let sandbox: Sandbox;

beforeAll(async () => {
  server = await startApiServer();
  sandbox = new Sandbox(server.baseUrl);
  const put = await sandbox.tessera([
    'put',
    'cli/audit',
    '--create',
    '--data',
    'v-one',
    '--version-id',
    'v1',
  ]);
  expect(put.code, put.stderr).toBe(0);
  expect((await sandbox.tessera(['get', 'cli/audit'])).code).toBe(0);
  expect((await sandbox.tessera(['get', 'cli/missing'])).code).toBe(1);
});

afterAll(async () => {
  sandbox.remove();
  await server.stop();
});

interface JsonEvent {
  eventSeq: number;
  eventName?: string;
  eventPhase: string;
  resultCode?: string;
  requestId: string;
  secretName?: string;
  userIdentity: { userName?: string };
}

function lines(stdout: string): JsonEvent[] {
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as JsonEvent);
}

describe('tessera audit', () => {
  it('prints filtered events as JSON lines, newest first', async () => {
    const result = await sandbox.tessera(['audit', '--resource', 'cli/audit', '--json', '--since', '1h']);
    expect(result.code, result.stderr).toBe(0);
    const events = lines(result.stdout);
    expect(events.map((e) => [e.eventName, e.eventPhase, e.resultCode])).toEqual([
      ['GetSecretValue', 'outcome', 'Success'],
      ['CreateSecret', 'outcome', 'Success'],
      ['CreateSecret', 'attempt', undefined],
      // `put --create` tries PutSecretValue first and creates the secret when it does not exist.
      ['PutSecretValue', 'outcome', 'Forbidden.ResourceNotFound'],
      ['PutSecretValue', 'attempt', undefined],
    ]);
    expect(result.stdout).not.toContain('v-one');

    const missing = lines(
      (await sandbox.tessera(['audit', '--action', 'GetSecretValue', '--user', 'administrator', '--json']))
        .stdout,
    );
    expect(missing.find((e) => e.secretName === 'cli/missing')?.resultCode).toBe(
      'Forbidden.ResourceNotFound',
    );
  });

  it('prints a table by default and reads as many pages as --limit asks', async () => {
    const result = await sandbox.tessera(['audit', '--limit', '60']);
    expect(result.code, result.stderr).toBe(0);
    const [header, ...rows] = result.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^SEQ\s+TIME\s+USER\s+ACTION\s+RESOURCE\s+RESULT\s+SOURCE\s+REQUEST ID$/);
    expect(rows.length).toBeGreaterThanOrEqual(5);
    expect(rows.length).toBeLessThanOrEqual(60);
    expect(result.stdout).toMatch(
      /administrator\s+GetSecretValue\s+cli\/missing\s+Forbidden\.ResourceNotFound/,
    );
  });

  it('refuses bad options as usage errors', async () => {
    expect((await sandbox.tessera(['audit', '--since', 'last tuesday'])).code).toBe(2);
    expect((await sandbox.tessera(['audit', '--limit', '0'])).code).toBe(2);
    expect((await sandbox.tessera(['audit', 'verify', '--json'])).code).toBe(2);
    expect((await sandbox.tessera(['audit', 'frobnicate'])).code).toBe(2);
  });
});

describe('tessera audit verify', () => {
  it('passes an intact trail, then fails naming an edited event, and a removed one', async () => {
    const intact = await sandbox.tessera(['audit', 'verify']);
    expect(intact.code, intact.stderr).toBe(0);
    expect(intact.stdout).toMatch(/^audit trail intact: \d+ events; last seq \d+, hash [0-9a-f]{64}\n$/);

    const db = new BetterSqlite3(join(server.instance.dataDir, 'tessera.db'));
    try {
      const victim = db
        .prepare("select seq, request_id, result_code from audit_events where result_code like 'Forbidden%'")
        .get() as { seq: number; request_id: string; result_code: string };
      db.prepare("update audit_events set result_code = 'Success' where seq = ?").run(victim.seq);
      const edited = await sandbox.tessera(['audit', 'verify']);
      expect(edited.code).toBe(1);
      expect(edited.stderr).toContain(
        `audit trail verification failed at event seq ${victim.seq} (request id ${victim.request_id})`,
      );
      expect(edited.stderr).toContain('(edited)');

      db.prepare('update audit_events set result_code = ? where seq = ?').run(victim.result_code, victim.seq);
      db.prepare('delete from audit_events where seq = ?').run(victim.seq);
      const removed = await sandbox.tessera(['audit', 'verify']);
      expect(removed.code).toBe(1);
      expect(removed.stderr).toContain(`at event seq ${victim.seq + 1}`);
      expect(removed.stderr).toContain('the event before it is missing (removed)');
    } finally {
      db.close();
    }
  });
});
