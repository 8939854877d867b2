/**
 * Prometheus metrics (prom-client), in a registry of this server's own: requests by protocol, action
 * and status with their latency, and what services report through the metrics port
 * (`services/metrics.ts`): audit batches, rotations and re-wraps by result, cache lookups, store
 * errors. Labels come from closed sets — action names the protocol knows, never a secret name, key id
 * or caller text — so no label can grow without bound or leak a name (docs/operations-keys-metrics.md).
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { CacheName, MaintenanceKind, MaintenanceResult, MetricsRecorder } from '../services/metrics.js';

/** Request latencies, seconds: from a cached read to a slow rotation-bound write. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256];

export class PrometheusMetrics implements MetricsRecorder {
  readonly registry = new Registry();
  readonly #requests = new Counter({
    name: 'tessera_http_requests_total',
    help: 'HTTP requests answered, by protocol, action and status code',
    labelNames: ['protocol', 'action', 'status'] as const,
    registers: [this.registry],
  });
  readonly #latency = new Histogram({
    name: 'tessera_http_request_duration_seconds',
    help: 'Time from receiving a request to sending its answer, by protocol and action',
    labelNames: ['protocol', 'action'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly #auditBatch = new Histogram({
    name: 'tessera_audit_batch_events',
    help: 'Audit events committed together in one transaction',
    buckets: BATCH_BUCKETS,
    registers: [this.registry],
  });
  readonly #auditCommit = new Histogram({
    name: 'tessera_audit_commit_duration_seconds',
    help: 'Time one audit batch took to commit durably',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly #maintenance = new Counter({
    name: 'tessera_maintenance_total',
    help: 'Secret rotation steps, automatic key rotations and data-key re-wraps, by result',
    labelNames: ['kind', 'result'] as const,
    registers: [this.registry],
  });
  readonly #cache = new Counter({
    name: 'tessera_cache_lookups_total',
    help: 'Lookups in the in-process caches, by cache and hit or miss',
    labelNames: ['cache', 'result'] as const,
    registers: [this.registry],
  });
  readonly #storeErrors = new Counter({
    name: 'tessera_store_errors_total',
    help: 'Storage calls that failed (unavailable: busy or unreachable; internal: anything else)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'tessera_' });
    // Present from the start at 0, so an alert on their increase has a series before the first error.
    for (const kind of ['unavailable', 'internal']) this.#storeErrors.inc({ kind }, 0);
  }

  request(protocol: string, action: string, status: number, seconds: number): void {
    this.#requests.inc({ protocol, action, status: String(status) });
    this.#latency.observe({ protocol, action }, seconds);
  }

  maintenance(kind: MaintenanceKind, result: MaintenanceResult): void {
    this.#maintenance.inc({ kind, result });
  }

  auditBatch(events: number, seconds: number): void {
    this.#auditBatch.observe(events);
    this.#auditCommit.observe(seconds);
  }

  cacheLookup(cache: CacheName, hit: boolean): void {
    this.#cache.inc({ cache, result: hit ? 'hit' : 'miss' });
  }

  storeError(kind: string): void {
    this.#storeErrors.inc({ kind });
  }
}

/**
 * The metrics listener: `GET /metrics` and nothing else, on its own address so that the API's port
 * never exposes it and a firewall or bind address decides who may scrape.
 */
export class MetricsServer {
  readonly #server: Server;
  #url: string | undefined;

  /** `http://host:port/metrics` once listening. */
  get url(): string | undefined {
    return this.#url;
  }

  constructor(metrics: PrometheusMetrics) {
    this.#server = createServer((request, response) => {
      const path = (request.url ?? '/').replace(/\?.*$/s, '');
      if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
        response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
        return;
      }
      metrics.registry.metrics().then(
        (text) => {
          response.writeHead(200, { 'content-type': metrics.registry.contentType });
          response.end(request.method === 'HEAD' ? undefined : text);
        },
        () => {
          response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics failed\n');
        },
      );
    });
  }

  /** Resolves to `http://host:port/metrics`. */
  listen(address: { readonly host: string; readonly port: number }): Promise<string> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(address.port, address.host, () => {
        this.#server.off('error', reject);
        const { port } = this.#server.address() as AddressInfo;
        const host = address.host.includes(':') ? `[${address.host}]` : address.host;
        this.#url = `http://${host}:${port}/metrics`;
        resolve(this.#url);
      });
    });
  }

  close(): Promise<void> {
    if (!this.#server.listening) return Promise.resolve();
    return new Promise((resolve) => {
      this.#server.close(() => {
        resolve();
      });
      this.#server.closeAllConnections();
    });
  }
}
