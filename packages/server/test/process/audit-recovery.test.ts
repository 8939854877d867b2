/**
 * The audit trail's files outside the database, with the built server as a child process
 * (docs/audit.md): after a SIGKILL the JSON-lines copy is back-filled with the events the crash left
 * out, and events deleted from the end of the trail in the database are reported by VerifyEvents
 * (`truncated`) whether the server ran on or restarted in between.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { TesseraClient } from '@tessera/sdk';
import { describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../src/app.js';
import { tempDir } from '../helpers.js';
import type { ServerProcess } from './run-server.js';
import { SERVER_ENTRY, spawnServer, waitForLog } from './run-server.js';

const ENTRY = process.env.TESSERA_SERVER_ENTRY ?? SERVER_ENTRY;
const ACCESS_KEY_ID = 'AuditRecoveryAdmin';
const ACCESS_KEY_SECRET = 'audit-recovery-admin-secret-0123456789';
const ROOT_KEY = randomBytes(32).toString('base64');

interface Running {
  readonly server: ServerProcess;
  readonly client: TesseraClient;
}

async function start(dataDir: string, env: Record<string, string> = {}): Promise<Running> {
  const server = spawnServer(
    {
      TESSERA_DATA_DIR: dataDir,
      TESSERA_ROOT_KEY: ROOT_KEY,
      TESSERA_ROOT_ACCESS_KEY_ID: ACCESS_KEY_ID,
      TESSERA_ROOT_ACCESS_KEY_SECRET: ACCESS_KEY_SECRET,
      TESSERA_PORT: '0',
      TESSERA_LOG_LEVEL: 'info',
      ...env,
    },
    ENTRY,
  );
  const ready = await waitForLog(server, (line) => line.msg === 'tessera is ready');
  const client = new TesseraClient({
    endpoint: String(ready.address),
    accessKeyId: ACCESS_KEY_ID,
    accessKeySecret: ACCESS_KEY_SECRET,
    maxRetries: 0,
  });
  return { server, client };
}

async function kill(running: Running): Promise<void> {
  running.server.child.kill('SIGKILL');
  await running.server.exited;
}

async function stop(running: Running): Promise<void> {
  running.server.child.kill('SIGTERM');
  expect((await running.server.exited).code).toBe(0);
}

function auditRows(dataDir: string): { seq: number; hash: string }[] {
  const db = new BetterSqlite3(join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    return db.prepare('select seq, hash from audit_events order by seq').all() as {
      seq: number;
      hash: string;
    }[];
  } finally {
    db.close();
  }
}

function deleteNewest(dataDir: string, count: number): void {
  const db = new BetterSqlite3(join(dataDir, DATABASE_FILE));
  try {
    db.prepare(
      'delete from audit_events where seq in (select seq from audit_events order by seq desc limit ?)',
    ).run(count);
  } finally {
    db.close();
  }
}

/** A few audited calls: two events per CreateSecret (attempt, outcome), one per read. */
async function traffic(client: TesseraClient, prefix: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    await client.createSecret({ secretName: `${prefix}-${i}`, versionId: 'v1', secretData: `value ${i}` });
    await client.getSecretValue({ secretName: `${prefix}-${i}` });
  }
}

describe('the audit JSON-lines copy after SIGKILL', () => {
  it('is back-filled on start with the events committed before the kill, each once, in order', async () => {
    const dir = tempDir();
    const dataDir = join(dir.path, 'data');
    const auditFile = join(dir.path, 'audit.jsonl');
    try {
      const first = await start(dataDir, { TESSERA_AUDIT_FILE: auditFile });
      await traffic(first.client, 'before', 5);
      // Requests in flight at the kill: some may commit and never reach the file.
      const inFlight = Array.from({ length: 8 }, (_, i) =>
        first.client
          .createSecret({ secretName: `flight-${i}`, versionId: 'v1', secretData: 'x' })
          .catch(() => undefined),
      );
      await new Promise((resolve) => setTimeout(resolve, 5));
      await kill(first);
      await Promise.all(inFlight);

      // Widen the window a SIGKILL between a commit and its file write leaves: the copy lacks the newest
      // events, and its last line was cut off mid-write.
      const lines = readFileSync(auditFile, 'utf8').split('\n').filter(Boolean);
      expect(lines.length).toBeGreaterThan(10);
      const kept = lines.slice(0, -5);
      writeFileSync(auditFile, `${kept.join('\n')}\n${(lines.at(-5) ?? '').slice(0, 40)}`);

      const second = await start(dataDir, { TESSERA_AUDIT_FILE: auditFile });
      await waitForLog(second.server, (line) =>
        String(line.msg).includes('appended to the audit JSON-lines copy'),
      );
      await stop(second);

      const copy = readFileSync(auditFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { seq: number; hash: string });
      const rows = auditRows(dataDir);
      expect(rows.length).toBeGreaterThanOrEqual(lines.length);
      expect(copy.map(({ seq, hash }) => ({ seq, hash }))).toEqual(rows);
    } finally {
      dir.remove();
    }
  }, 60_000);
});

describe('events deleted from the end of the trail', () => {
  it('are reported by VerifyEvents while the server runs on', async () => {
    const dir = tempDir();
    const dataDir = join(dir.path, 'data');
    try {
      const running = await start(dataDir);
      try {
        await traffic(running.client, 'live', 4);
        const intact = await running.client.verifyEvents();
        expect(intact.valid).toBe(true);
        deleteNewest(dataDir, 3);
        const report = await running.client.verifyEvents();
        expect(report.valid).toBe(false);
        // The three newest: VerifyEvents' own outcome event after `intact`, and the two before it.
        expect(report.brokenEvent).toMatchObject({ seq: intact.lastSeq - 1, reason: 'truncated' });
        expect(report.lastSeq).toBe(intact.lastSeq - 2);
      } finally {
        await kill(running);
      }
    } finally {
      dir.remove();
    }
  }, 60_000);

  it('are reported by VerifyEvents after a restart, and logged at start', async () => {
    const dir = tempDir();
    const dataDir = join(dir.path, 'data');
    try {
      const first = await start(dataDir);
      await traffic(first.client, 'restart', 4);
      const intact = await first.client.verifyEvents();
      expect(intact.valid).toBe(true);
      await kill(first);
      const head = auditRows(dataDir).at(-1)?.seq ?? 0;
      deleteNewest(dataDir, 4);

      const second = await start(dataDir);
      try {
        await waitForLog(second.server, (line) =>
          String(line.msg).includes('no longer holds its sealed head'),
        );
        const report = await second.client.verifyEvents();
        expect(report.valid).toBe(false);
        expect(report.brokenEvent).toMatchObject({ seq: head - 3, reason: 'truncated' });
        expect(report.lastSeq).toBe(head - 4);
        // It stays reported: the server's own new events do not paper over the cut.
        await traffic(second.client, 'after', 3);
        expect((await second.client.verifyEvents()).brokenEvent?.reason).toBe('truncated');
      } finally {
        await kill(second);
      }
    } finally {
      dir.remove();
    }
  }, 60_000);
});
