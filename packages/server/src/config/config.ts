/**
 * The server's settings, read from the environment in this one place, validated all at once (every
 * problem is listed, not just the first), frozen, and passed to whoever needs them. An unknown
 * `TESSERA_*` variable is an error: a typo must not silently fall back to a default.
 */
import { isAbsolute, join, resolve } from 'node:path';
import type { IpNetwork } from '../domain/network-address.js';
import { parseNetworkList } from '../domain/network-address.js';

export interface Config {
  readonly host: string;
  readonly port: number;
  /** Absolute path of the data folder (database, generated root key, bootstrap credentials). */
  readonly dataDir: string;
  /**
   * A PostgreSQL connection URL (`TESSERA_DATABASE_URL`): the store lives there, shared by every node
   * given the same URL, instead of in the data folder's SQLite file. Undefined: SQLite.
   */
  readonly databaseUrl: string | undefined;
  /**
   * With `databaseUrl`: how long a node may serve a cached key state, secret policy, access key or
   * attached policy without reading it again (`TESSERA_CACHE_MAX_STALENESS_MS`): the bound on how late
   * another node's change is seen when its change notice is lost (docs/caching.md). Undefined on SQLite,
   * where one process makes every change and its caches are exact.
   */
  readonly cacheMaxStalenessMs: number | undefined;
  /** Base64 root key from the environment; when absent the key file is used (or generated). */
  readonly rootKey: string | undefined;
  readonly rootKeyFile: string;
  /** Whether a missing key file may be generated: only for the default location in the data folder. */
  readonly generateRootKey: boolean;
  readonly rootAccessKey: { readonly id: string; readonly secret: string } | undefined;
  /** The administrator's first console password (TESSERA_ROOT_CONSOLE_PASSWORD); generated when undefined. */
  readonly rootConsolePassword: string | undefined;
  readonly region: string;
  readonly logLevel: LogLevel;
  readonly maxSecretVersions: number;
  readonly shutdownTimeoutMs: number;
  /** Absolute path of the audit trail's JSON-lines copy (`TESSERA_AUDIT_FILE`); none when undefined. */
  readonly auditFile: string | undefined;
  /**
   * How the audit events of requests that change nothing are committed
   * (`TESSERA_AUDIT_READ_DURABILITY`, docs/audit.md): `durable` (the default) answers once the event is
   * on disk; `relaxed` once it is committed, its fsync shared with the next commit.
   */
  readonly auditReadDurability: AuditReadDurability;
  /** Certificate chain and private key files (PEM) for HTTPS; plain HTTP when undefined. */
  readonly tls: { readonly certFile: string; readonly keyFile: string } | undefined;
  /** Requests per second each access key may make (token bucket); 0 turns the limit off. */
  readonly rateLimitPerSecond: number;
  /** Requests an access key may make at once above its rate (the bucket's size). */
  readonly rateLimitBurst: number;
  /** How often the rotation scheduler looks for due work; 0 runs no timer. */
  readonly rotationTickMs: number;
  /** How long a process keeps the scheduler's or a run's lease without renewing it. */
  readonly rotationLeaseMs: number;
  /**
   * Non-public networks rotation webhooks may call besides public addresses
   * (`TESSERA_ROTATION_WEBHOOK_ALLOWED_NETWORKS`); empty by default.
   */
  readonly rotationWebhookAllowedNetworks: readonly IpNetwork[];
  /**
   * Where `/metrics` is served (`TESSERA_METRICS_ADDRESS`, `host:port`): a listener of its own, apart
   * from the API; undefined (the default) serves no metrics at all.
   */
  readonly metricsAddress: { readonly host: string; readonly port: number } | undefined;
  /** Bounds of the in-memory secret cache (docs/caching.md); `entries` 0 turns it off. */
  readonly secretCache: { readonly entries: number; readonly bytes: number };
  /**
   * Secret listings (query shapes) whose page boundaries the SQLite store keeps in memory
   * (`TESSERA_LISTING_CACHE_ENTRIES`), so a deep page costs what the first does; 0 keeps none.
   */
  readonly listingCacheEntries: number;
}

/** How long a node may serve a cached entry on a shared PostgreSQL database, by default (docs/caching.md). */
export const DEFAULT_CACHE_MAX_STALENESS_MS = 1000;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const AUDIT_READ_DURABILITIES = ['durable', 'relaxed'] as const;
export type AuditReadDurability = (typeof AUDIT_READ_DURABILITIES)[number];

/** Every setting the server reads, with its meaning; `docs` and the unknown-setting check use this list. */
export const SETTINGS = {
  TESSERA_HOST: 'address to listen on (default 127.0.0.1)',
  TESSERA_PORT: 'TCP port, 0 picks a free one (default 8080)',
  TESSERA_DATA_DIR: 'data folder (default ./data)',
  TESSERA_DATABASE_URL:
    'PostgreSQL URL (postgresql://user:password@host:5432/db) to keep the store in, shared by several nodes (default: SQLite in the data folder)',
  TESSERA_CACHE_MAX_STALENESS_MS:
    "with TESSERA_DATABASE_URL: milliseconds a node may serve a cached key state, secret policy, access key or attached policy before reading it again, the bound on seeing another node's change when its notice is lost, 0 to 60000; 0 reads them on every use (default 1000)",
  TESSERA_ROOT_KEY: 'root key, base64 of 32 bytes',
  TESSERA_ROOT_KEY_FILE: 'file holding the base64 root key (default <data>/root.key, generated if missing)',
  TESSERA_ROOT_ACCESS_KEY_ID: 'bootstrap administrator access key id',
  TESSERA_ROOT_ACCESS_KEY_SECRET: 'bootstrap administrator access key secret',
  TESSERA_ROOT_CONSOLE_PASSWORD:
    "the administrator's first console password, 8 to 128 characters (default: generated into the data folder)",
  TESSERA_REGION: 'region id used in ARNs and DescribeRegions (default cn-hangzhou)',
  TESSERA_LOG_LEVEL: `log level: ${LOG_LEVELS.join(', ')} (default info)`,
  TESSERA_MAX_SECRET_VERSIONS:
    'versions a secret keeps before evicting unlabeled ones, 9 to 100 (default 10)',
  TESSERA_SHUTDOWN_TIMEOUT_SECONDS: 'how long shutdown waits for in-flight requests (default 10)',
  TESSERA_AUDIT_FILE:
    'file the audit trail is also appended to as JSON lines, for a SIEM (mode 0600; default none)',
  TESSERA_AUDIT_READ_DURABILITY:
    'durable or relaxed: whether a read waits for its audit event to be fsynced (durable) or only committed, a power cut then losing the last moments of read events (default durable)',
  TESSERA_TLS_CERT_FILE: 'PEM certificate chain for HTTPS (with TESSERA_TLS_KEY_FILE; default plain HTTP)',
  TESSERA_TLS_KEY_FILE: 'PEM private key for HTTPS (with TESSERA_TLS_CERT_FILE)',
  TESSERA_RATE_LIMIT_PER_SECOND: 'requests per second per access key, 0 = no limit (default 0)',
  TESSERA_RATE_LIMIT_BURST: 'requests an access key may make at once above its rate (default 2 × the rate)',
  TESSERA_ROTATION_TICK_SECONDS:
    'how often the rotation scheduler looks for due rotations and retries, 0 to 3600; 0 turns it off (default 30)',
  TESSERA_METRICS_ADDRESS:
    'host:port to serve Prometheus /metrics on, a listener apart from the API with no authentication, port 0 picks a free one (default: no metrics)',
  TESSERA_ROTATION_LEASE_SECONDS:
    'how long a crashed process keeps the rotation scheduler and its runs before another takes over, 5 to 3600 (default 120)',
  TESSERA_LISTING_CACHE_ENTRIES:
    'secret listings (filter combinations) whose total and page boundaries are kept in memory so deep pages cost what the first does, at most 1,000 names each; 0 to 4096, 0 turns it off (default 64; SQLite only)',
  TESSERA_ROTATION_WEBHOOK_ALLOWED_NETWORKS:
    'comma-separated networks (CIDR, e.g. 10.20.0.0/16,fd00:1::/64) besides public addresses that rotation webhooks may call; loopback, private, link-local and other non-public addresses are refused unless listed (default none)',
  TESSERA_SECRET_CACHE_ENTRIES:
    'secrets the read cache keeps in memory (their metadata, stages and sealed values, never plaintext), 0 to 10000000; 0 turns it off (default 10000)',
  TESSERA_SECRET_CACHE_MIB:
    'mebibytes of sealed secret values the read cache keeps at most, 1 to 65536 (default 64)',
} as const;

export type SettingName = keyof typeof SETTINGS;

/**
 * Variables of the same namespace that belong to Tessera's clients (SDK and CLI), not to the server. They
 * are often set in the same shell as the server's, so the unknown-setting check lets them pass.
 */
export const CLIENT_SETTINGS = ['TESSERA_ENDPOINT', 'TESSERA_PROFILE', 'TESSERA_CONFIG_FILE'] as const;

/**
 * Inputs of the offline operations (`tessera root-key rotate`), set in the same shell as the server's
 * settings; a server started from that shell must not refuse them.
 */
export const OPERATION_SETTINGS = ['TESSERA_NEW_ROOT_KEY'] as const;

/** Knobs of the test and benchmark harnesses; a server started from such a shell must not refuse them. */
export const HARNESS_SETTINGS = [
  'TESSERA_CRASH_CYCLES',
  'TESSERA_FUZZ_RUNS',
  'TESSERA_SERVER_ENTRY',
] as const;

export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const ACCESS_KEY_ID = /^[A-Za-z0-9]{8,64}$/;
const REGION = /^[a-z0-9-]{1,64}$/;

export function loadConfig(env: Readonly<Record<string, string | undefined>>, cwd = process.cwd()): Config {
  const problems: string[] = [];
  const known = new Set<string>(Object.keys(SETTINGS));
  const ignored = new Set<string>([...CLIENT_SETTINGS, ...OPERATION_SETTINGS, ...HARNESS_SETTINGS]);
  for (const name of Object.keys(env)) {
    if (name.startsWith('TESSERA_') && !known.has(name) && !ignored.has(name)) {
      problems.push(`${name} is not a Tessera setting (known: ${[...known].join(', ')})`);
    }
  }
  const read = (name: SettingName): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const integer = (name: SettingName, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
      return fallback;
    }
    return value;
  };

  const host = read('TESSERA_HOST') ?? '127.0.0.1';
  const port = integer('TESSERA_PORT', 8080, 0, 65535);
  const dataDirRaw = read('TESSERA_DATA_DIR') ?? './data';
  const dataDir = isAbsolute(dataDirRaw) ? dataDirRaw : resolve(cwd, dataDirRaw);
  const databaseUrl = read('TESSERA_DATABASE_URL');
  // The URL may carry a password, so problems describe it without repeating it.
  if (databaseUrl !== undefined && !isPostgresUrl(databaseUrl)) {
    problems.push('TESSERA_DATABASE_URL must be a postgresql:// or postgres:// URL with a host');
  }
  const cacheMaxStalenessMs =
    databaseUrl === undefined
      ? undefined
      : integer('TESSERA_CACHE_MAX_STALENESS_MS', DEFAULT_CACHE_MAX_STALENESS_MS, 0, 60_000);
  if (databaseUrl === undefined && read('TESSERA_CACHE_MAX_STALENESS_MS') !== undefined) {
    problems.push(
      'TESSERA_CACHE_MAX_STALENESS_MS needs TESSERA_DATABASE_URL (on SQLite one process makes every change and its caches are exact)',
    );
  }
  const rootKeyFileRaw = read('TESSERA_ROOT_KEY_FILE');
  const rootKeyFile = rootKeyFileRaw === undefined ? join(dataDir, 'root.key') : resolve(cwd, rootKeyFileRaw);
  const rootKey = read('TESSERA_ROOT_KEY');
  if (rootKey !== undefined && rootKeyFileRaw !== undefined) {
    problems.push('set TESSERA_ROOT_KEY or TESSERA_ROOT_KEY_FILE, not both');
  }
  if (rootKey !== undefined) {
    const bytes = /^[A-Za-z0-9+/_-]+={0,2}$/.test(rootKey) ? Buffer.from(rootKey, 'base64').length : 0;
    if (bytes !== 32)
      problems.push('TESSERA_ROOT_KEY must be base64 of exactly 32 bytes (try: openssl rand -base64 32)');
  }

  const accessKeyId = read('TESSERA_ROOT_ACCESS_KEY_ID');
  const accessKeySecret = read('TESSERA_ROOT_ACCESS_KEY_SECRET');
  let rootAccessKey: Config['rootAccessKey'];
  if ((accessKeyId === undefined) !== (accessKeySecret === undefined)) {
    problems.push('set both TESSERA_ROOT_ACCESS_KEY_ID and TESSERA_ROOT_ACCESS_KEY_SECRET, or neither');
  } else if (accessKeyId !== undefined && accessKeySecret !== undefined) {
    if (!ACCESS_KEY_ID.test(accessKeyId)) {
      problems.push('TESSERA_ROOT_ACCESS_KEY_ID must be 8 to 64 letters and digits');
    }
    if (accessKeySecret.length < 16 || accessKeySecret.length > 128) {
      problems.push('TESSERA_ROOT_ACCESS_KEY_SECRET must be 16 to 128 characters');
    }
    rootAccessKey = { id: accessKeyId, secret: accessKeySecret };
  }

  const rootConsolePassword = read('TESSERA_ROOT_CONSOLE_PASSWORD');
  if (rootConsolePassword !== undefined) {
    const length = Array.from(rootConsolePassword).length;
    if (length < 8 || length > 128)
      problems.push('TESSERA_ROOT_CONSOLE_PASSWORD must be 8 to 128 characters');
  }

  const region = read('TESSERA_REGION') ?? 'cn-hangzhou';
  if (!REGION.test(region))
    problems.push(`TESSERA_REGION must be lower-case letters, digits and -, not "${region}"`);

  const logLevelRaw = read('TESSERA_LOG_LEVEL') ?? 'info';
  const logLevel = LOG_LEVELS.find((level) => level === logLevelRaw);
  if (logLevel === undefined) problems.push(`TESSERA_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  const maxSecretVersions = integer('TESSERA_MAX_SECRET_VERSIONS', 10, 9, 100);
  const shutdownTimeoutMs = integer('TESSERA_SHUTDOWN_TIMEOUT_SECONDS', 10, 1, 600) * 1000;

  const auditFileRaw = read('TESSERA_AUDIT_FILE');
  const auditFile = auditFileRaw === undefined ? undefined : resolve(cwd, auditFileRaw);
  const auditReadDurabilityRaw = read('TESSERA_AUDIT_READ_DURABILITY') ?? 'durable';
  const auditReadDurability = AUDIT_READ_DURABILITIES.find((value) => value === auditReadDurabilityRaw);
  if (auditReadDurability === undefined) {
    problems.push(
      `TESSERA_AUDIT_READ_DURABILITY must be one of ${AUDIT_READ_DURABILITIES.join(', ')}, not "${auditReadDurabilityRaw}"`,
    );
  }

  const tlsCertRaw = read('TESSERA_TLS_CERT_FILE');
  const tlsKeyRaw = read('TESSERA_TLS_KEY_FILE');
  let tls: Config['tls'];
  if ((tlsCertRaw === undefined) !== (tlsKeyRaw === undefined)) {
    problems.push('set both TESSERA_TLS_CERT_FILE and TESSERA_TLS_KEY_FILE, or neither');
  } else if (tlsCertRaw !== undefined && tlsKeyRaw !== undefined) {
    tls = Object.freeze({ certFile: resolve(cwd, tlsCertRaw), keyFile: resolve(cwd, tlsKeyRaw) });
  }

  const rateLimitPerSecond = integer('TESSERA_RATE_LIMIT_PER_SECOND', 0, 0, 1_000_000);
  const rateLimitBurst = integer(
    'TESSERA_RATE_LIMIT_BURST',
    Math.max(1, 2 * rateLimitPerSecond),
    1,
    10_000_000,
  );
  if (rateLimitPerSecond === 0 && read('TESSERA_RATE_LIMIT_BURST') !== undefined) {
    problems.push(
      'TESSERA_RATE_LIMIT_BURST needs TESSERA_RATE_LIMIT_PER_SECOND (the limit is off without it)',
    );
  }
  const rotationTickMs = integer('TESSERA_ROTATION_TICK_SECONDS', 30, 0, 3600) * 1000;
  const rotationLeaseMs = integer('TESSERA_ROTATION_LEASE_SECONDS', 120, 5, 3600) * 1000;
  const allowedNetworks = parseNetworkList(read('TESSERA_ROTATION_WEBHOOK_ALLOWED_NETWORKS') ?? '');
  for (const problem of allowedNetworks.problems) {
    problems.push(`TESSERA_ROTATION_WEBHOOK_ALLOWED_NETWORKS: ${problem}`);
  }

  const metricsRaw = read('TESSERA_METRICS_ADDRESS');
  const metricsMatch =
    metricsRaw === undefined ? null : /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(metricsRaw);
  let metricsAddress: Config['metricsAddress'];
  if (metricsRaw !== undefined) {
    const metricsPort = Number(metricsMatch?.[2] ?? NaN);
    if (!metricsMatch || metricsPort > 65535) {
      problems.push(`TESSERA_METRICS_ADDRESS must be host:port (e.g. 127.0.0.1:9464), not "${metricsRaw}"`);
    } else {
      metricsAddress = Object.freeze({
        host: (metricsMatch[1] ?? '').replace(/^\[|\]$/g, ''),
        port: metricsPort,
      });
    }
  }

  const secretCache = Object.freeze({
    entries: integer('TESSERA_SECRET_CACHE_ENTRIES', 10_000, 0, 10_000_000),
    bytes: integer('TESSERA_SECRET_CACHE_MIB', 64, 1, 65_536) * 1024 * 1024,
  });
  const listingCacheEntries = integer('TESSERA_LISTING_CACHE_ENTRIES', 64, 0, 4096);

  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    host,
    port,
    dataDir,
    databaseUrl,
    cacheMaxStalenessMs,
    rootKey,
    rootKeyFile,
    generateRootKey: rootKeyFileRaw === undefined,
    rootAccessKey: rootAccessKey && Object.freeze(rootAccessKey),
    rootConsolePassword,
    region,
    logLevel: logLevel ?? 'info',
    maxSecretVersions,
    shutdownTimeoutMs,
    auditFile,
    auditReadDurability: auditReadDurability ?? 'durable',
    tls,
    rateLimitPerSecond,
    rateLimitBurst,
    rotationTickMs,
    rotationLeaseMs,
    rotationWebhookAllowedNetworks: Object.freeze(allowedNetworks.networks.map((n) => Object.freeze(n))),
    metricsAddress,
    secretCache,
    listingCacheEntries,
  });
}

function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'postgresql:' || url.protocol === 'postgres:') && url.hostname !== '';
  } catch {
    return false;
  }
}
