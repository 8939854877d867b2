/**
 * Shared by the operations tests: a real server process started through `tessera server` with fixed
 * root and administrator keys, a signed client, a "fingerprint" of what the server answers about a
 * set of secrets, and throwaway PostgreSQL databases.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';

import pg from 'pg';
import { TesseraClient } from '@tessera/sdk';

import { CLI_ENTRY } from './helpers.js';

export const ROOT_KEY = randomBytes(32).toString('base64');
export const ADMIN_ID = 'OpsAdmin0000000000000001';
export const ADMIN_SECRET = 'OpsSecret000000000000000000000001';
const ADMIN_URL = process.env.TESSERA_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface RunningServer {
  readonly address: string;
  readonly pid: number;
  readonly client: TesseraClient;
  /** What the server has logged so far. */
  log(): string;
  stop(): Promise<void>;
}

/** Starts `tessera server` with `env` (plus PATH, port 0, the fixed administrator key) and waits until ready. */
export async function startServer(env: Record<string, string>): Promise<RunningServer> {
  const child = spawn(process.execPath, [CLI_ENTRY, 'server'], {
    env: {
      PATH: process.env.PATH ?? '',
      TESSERA_PORT: '0',
      TESSERA_ROOT_ACCESS_KEY_ID: ADMIN_ID,
      TESSERA_ROOT_ACCESS_KEY_SECRET: ADMIN_SECRET,
      TESSERA_ROTATION_TICK_SECONDS: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) =>
    child.on('exit', () => {
      resolve();
    }),
  );
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const address = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = output.split('\n').find((line) => line.includes('"tessera is ready"'));
      if (ready !== undefined) resolve(String((JSON.parse(ready) as { address: unknown }).address));
    });
    void exited.then(() => {
      reject(new Error(`the server exited early:\n${output}`));
    });
  });
  return {
    address,
    pid: child.pid ?? 0,
    client: clientFor(address),
    log: () => output,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export function clientFor(endpoint: string): TesseraClient {
  return new TesseraClient({ endpoint, accessKeyId: ADMIN_ID, accessKeySecret: ADMIN_SECRET, maxRetries: 0 });
}

/** A few secrets with several versions, a custom label, a tag and a secret policy. */
export async function seed(client: TesseraClient): Promise<string[]> {
  const names = ['app/db', 'app/api', 'ops/binary'];
  await client.call('CreateSecret', { SecretName: 'app/db', VersionId: 'v1', SecretData: 'db-first-value' });
  await client.call('PutSecretValue', {
    SecretName: 'app/db',
    VersionId: 'v2',
    SecretData: 'db-second-value',
  });
  await client.call('PutSecretValue', {
    SecretName: 'app/db',
    VersionId: 'v3',
    SecretData: 'db-staged-value',
    VersionStages: '["blue"]',
  });
  await client.call('CreateSecret', {
    SecretName: 'app/api',
    VersionId: 'a1',
    SecretData: 'api-token-value',
    Tags: '[{"TagKey":"team","TagValue":"payments"}]',
    Description: 'the api token',
  });
  await client.setSecretPolicy({
    secretName: 'app/api',
    policy:
      '{"Version":"1","Statement":[{"Effect":"Deny","Principal":{"RAM":["acs:ram::*:user/nobody"]},"Action":["kms:GetSecretValue"],"Resource":["*"]}]}',
  });
  await client.call('CreateSecret', {
    SecretName: 'ops/binary',
    VersionId: 'b1',
    SecretData: Buffer.from([0, 1, 2, 255]).toString('base64'),
    SecretDataType: 'binary',
  });
  return names;
}

/** What the server answers about these secrets: metadata, versions, labels, policies and every value. */
export async function fingerprint(client: TesseraClient, names: readonly string[]): Promise<unknown> {
  const strip = (answer: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(answer).filter(([field]) => field !== 'RequestId'));
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const versions = strip(
      await client.call('ListSecretVersionIds', { SecretName: name, IncludeDeprecated: 'true' }),
    );
    const ids = (
      (versions.VersionIds as { VersionId: { VersionId: string }[] } | undefined)?.VersionId ?? []
    ).map((v) => v.VersionId);
    const values: unknown[] = [];
    for (const id of ids)
      values.push(strip(await client.call('GetSecretValue', { SecretName: name, VersionId: id })));
    out[name] = {
      describe: strip(await client.call('DescribeSecret', { SecretName: name, FetchTags: 'true' })),
      versions,
      policy: strip(await client.call('GetSecretPolicy', { SecretName: name })),
      values,
    };
  }
  return out;
}

/** A new empty PostgreSQL database; returns its URL and a function that drops it. */
export async function createDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `tessera_ops_${randomBytes(6).toString('hex')}`;
  await admin(`create database ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`drop database if exists ${name} with (force)`) };
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
