/**
 * `/metrics` on its own listener (TESSERA_METRICS_ADDRESS), parsed by a strict Prometheus text parser
 * while real SDK calls move the counters; `/readyz` failing while the store or the audit trail refuses
 * writes, with `/healthz` still answering that the process lives.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../src/app.js';
import { startTessera } from '../helpers.js';
import type { ApiClient, ApiServer } from '../protocols/alibaba/harness.js';
import { expectFailure, startApiServer } from '../protocols/alibaba/harness.js';
import type { MetricFamily } from './prometheus-text.js';
import { parsePrometheusText, valueOf } from './prometheus-text.js';

const SECRET_NAME = 'metrics/never-in-a-label';

let server: ApiServer;
let api: ApiClient;
let metricsUrl: string;

beforeAll(async () => {
  server = await startApiServer({ env: { TESSERA_METRICS_ADDRESS: '127.0.0.1:0' } });
  api = server.client('pop-core-post');
  const url = server.instance.tessera.metricsUrl();
  if (url === undefined) throw new Error('no metrics listener');
  metricsUrl = url;
});

afterAll(async () => {
  await server.stop();
});

async function scrape(): Promise<{ text: string; families: Map<string, MetricFamily> }> {
  const response = await fetch(metricsUrl);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  return { text, families: parsePrometheusText(text) };
}

const requests = (families: Map<string, MetricFamily>, action: string, status: string) =>
  valueOf(families, 'tessera_http_requests_total', { protocol: 'alibaba', action, status });

describe('/metrics', () => {
  it('counts requests by protocol, action and status as they are made, with latency histograms', async () => {
    await api.call('CreateSecret', { SecretName: SECRET_NAME, VersionId: 'v1', SecretData: 'value' });
    const before = (await scrape()).families;
    for (let i = 0; i < 3; i++) await api.call('GetSecretValue', { SecretName: SECRET_NAME });
    await expectFailure(
      api.call('GetSecretValue', { SecretName: 'metrics/missing' }),
      404,
      'Forbidden.ResourceNotFound',
    );
    await expectFailure(api.call('NoSuchAction', {}), 404, 'InvalidAction.NotFound');
    const { text, families } = await scrape();

    expect(requests(families, 'GetSecretValue', '200') - requests(before, 'GetSecretValue', '200')).toBe(3);
    expect(requests(families, 'GetSecretValue', '404') - requests(before, 'GetSecretValue', '404')).toBe(1);
    // An action the protocol does not know is counted, but its name never becomes a label.
    expect(requests(families, 'unknown', '404')).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain('NoSuchAction');
    const latencyCount = (f: Map<string, MetricFamily>) =>
      valueOf(f, 'tessera_http_request_duration_seconds_count', {
        protocol: 'alibaba',
        action: 'GetSecretValue',
      });
    expect(latencyCount(families) - latencyCount(before)).toBe(4);
    expect(families.get('tessera_http_request_duration_seconds')?.type).toBe('histogram');

    // Every answered request is audited: batches were committed and timed.
    expect(valueOf(families, 'tessera_audit_batch_events_count')).toBeGreaterThan(
      valueOf(before, 'tessera_audit_batch_events_count'),
    );
    expect(valueOf(families, 'tessera_audit_commit_duration_seconds_count')).toBeGreaterThan(0);
    // The caches: the signing key and the secret's key were found in memory.
    expect(
      valueOf(families, 'tessera_cache_lookups_total', { cache: 'access_key', result: 'hit' }),
    ).toBeGreaterThan(valueOf(before, 'tessera_cache_lookups_total', { cache: 'access_key', result: 'hit' }));
    expect(valueOf(families, 'tessera_cache_lookups_total', { cache: 'key', result: 'hit' })).toBeGreaterThan(
      0,
    );
    // Secret names never reach the metrics.
    expect(text).not.toContain('never-in-a-label');
    expect(text).not.toContain(SECRET_NAME);
  });

  it('counts re-wraps and automatic key rotations by result', async () => {
    const keyId = ((await api.call('CreateKey', {})).KeyMetadata as { KeyId: string }).KeyId;
    await api.call('CreateSecret', {
      SecretName: 'metrics/under-key',
      VersionId: 'v1',
      SecretData: 'x',
      EncryptionKeyId: keyId,
    });
    await api.call('CreateKeyVersion', { KeyId: keyId });
    const before = (await scrape()).families;
    await api.call('RewrapDataKeys', {});
    const after = (await scrape()).families;
    const rewraps = (f: Map<string, MetricFamily>) =>
      valueOf(f, 'tessera_maintenance_total', { kind: 'data_key_rewrap', result: 'success' });
    expect(rewraps(after) - rewraps(before)).toBe(1);
    expect(after.get('tessera_maintenance_total')?.type).toBe('counter');
  });

  it('has exactly the families docs/operations-keys-metrics.md lists, with their types and labels', async () => {
    const doc = readFileSync(new URL('../../../../docs/operations-keys-metrics.md', import.meta.url), 'utf8');
    const table = doc.slice(doc.indexOf('<!-- metrics:begin -->'), doc.indexOf('<!-- metrics:end -->'));
    const documented = [...table.matchAll(/^\| `(tessera_\w+)` \| (\w+) \| ([^|]*) \|/gm)].map(
      ([, name = '', type = '', labels = '']) => ({
        name,
        type,
        labels: [...labels.matchAll(/`(\w+)`/g)].map((m) => m[1]).sort(),
      }),
    );
    const { families } = await scrape();
    // prom-client's process metrics (documented as a group) aside.
    const own = [...families.values()].filter((f) => !/^tessera_(process|nodejs)_/.test(f.name));
    const served = own.map((f) => ({
      name: f.name,
      type: f.type,
      labels: [...new Set(f.samples.flatMap((s) => Object.keys(s.labels)))].filter((l) => l !== 'le').sort(),
    }));
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect(served.sort(byName)).toEqual(documented.sort(byName));
  });

  it('is not served on the API port', async () => {
    const response = await fetch(`${server.baseUrl}/metrics`);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('tessera_http_requests_total');
  });

  it('is off by default: no listener and nothing counted', async () => {
    const instance = await startTessera();
    try {
      await instance.tessera.listen();
      expect(instance.tessera.metricsUrl()).toBeUndefined();
    } finally {
      await instance.stop();
    }
  });
});

describe('/readyz and /healthz', () => {
  /** A trigger the server's connection obeys: every insert or update of `table` is refused. */
  function refuseWrites(table: string): { heal: () => void } {
    const db = new BetterSqlite3(join(server.instance.dataDir, DATABASE_FILE));
    db.exec(
      `create trigger refuse_${table}_insert before insert on ${table} begin select raise(abort, 'refused'); end`,
    );
    db.exec(
      `create trigger refuse_${table}_update before update on ${table} begin select raise(abort, 'refused'); end`,
    );
    return {
      heal: () => {
        db.exec(`drop trigger refuse_${table}_insert`);
        db.exec(`drop trigger refuse_${table}_update`);
        db.close();
      },
    };
  }

  async function probe(path: string): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${server.baseUrl}${path}`);
    return { status: response.status, body: await response.json() };
  }

  it('is ready while the store and the trail take writes, and leaves nothing behind', async () => {
    const head = await server.instance.tessera.services.audit.verify();
    expect(await probe('/readyz')).toEqual({
      status: 200,
      body: { status: 'ok', checks: { store: 'ok', audit: 'ok' } },
    });
    const after = await server.instance.tessera.services.audit.verify();
    expect(after.broken).toBeUndefined();
    expect(after.head.seq).toBe(head.head.seq);
  });

  it('fails while the store cannot be written; /healthz still says the process lives', async () => {
    const before = (await scrape()).families;
    const broken = refuseWrites('meta');
    try {
      expect(await probe('/readyz')).toEqual({
        status: 503,
        body: { status: 'unavailable', checks: { store: 'failing', audit: 'ok' } },
      });
      expect(await probe('/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    } finally {
      broken.heal();
    }
    const after = (await scrape()).families;
    expect(valueOf(after, 'tessera_store_errors_total')).toBeGreaterThan(
      valueOf(before, 'tessera_store_errors_total'),
    );
    expect((await probe('/readyz')).status).toBe(200);
  });

  it('fails while the audit trail cannot be written', async () => {
    const broken = refuseWrites('audit_events');
    try {
      expect(await probe('/readyz')).toEqual({
        status: 503,
        body: { status: 'unavailable', checks: { store: 'ok', audit: 'failing' } },
      });
      expect((await probe('/healthz')).status).toBe(200);
    } finally {
      broken.heal();
    }
    expect((await probe('/readyz')).status).toBe(200);
  });
});
