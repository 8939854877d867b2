import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const KEY = Buffer.alloc(32, 7).toString('base64');

describe('config', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({}, '/srv/tessera');
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      dataDir: '/srv/tessera/data',
      databaseUrl: undefined,
      rootKeyFile: '/srv/tessera/data/root.key',
      generateRootKey: true,
      rootKey: undefined,
      rootAccessKey: undefined,
      logLevel: 'info',
      maxSecretVersions: 10,
      listingCacheEntries: 64,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads every setting', () => {
    const config = loadConfig(
      {
        TESSERA_HOST: '0.0.0.0',
        TESSERA_PORT: '0',
        TESSERA_DATA_DIR: '/var/lib/tessera',
        TESSERA_ROOT_KEY: KEY,
        TESSERA_ROOT_ACCESS_KEY_ID: 'AdminKey01',
        TESSERA_ROOT_ACCESS_KEY_SECRET: 'a-long-enough-secret',
        TESSERA_LOG_LEVEL: 'warn',
        TESSERA_REGION: 'eu-central-1',
        TESSERA_MAX_SECRET_VERSIONS: '20',
        TESSERA_LISTING_CACHE_ENTRIES: '0',
      },
      '/x',
    );
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 0,
      dataDir: '/var/lib/tessera',
      rootKey: KEY,
      rootAccessKey: { id: 'AdminKey01', secret: 'a-long-enough-secret' },
      logLevel: 'warn',
      region: 'eu-central-1',
      maxSecretVersions: 20,
      listingCacheEntries: 0,
    });
  });

  it('lists every problem at once, unknown settings included', () => {
    let error: unknown;
    try {
      loadConfig({
        TESSERA_PORT: '80a',
        TESSERA_PROT: '1',
        TESSERA_ROOT_KEY: 'c2hvcnQ=',
        TESSERA_ROOT_ACCESS_KEY_ID: 'only-the-id',
        TESSERA_LOG_LEVEL: 'loud',
        TESSERA_MAX_SECRET_VERSIONS: '3',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of [
      'TESSERA_PORT',
      'TESSERA_PROT',
      'TESSERA_ROOT_KEY',
      'TESSERA_ROOT_ACCESS_KEY_SECRET',
      'TESSERA_LOG_LEVEL',
      'TESSERA_MAX_SECRET_VERSIONS',
    ]) {
      expect(problems).toContain(name);
    }
    expect((error as ConfigError).problems).toHaveLength(6);
  });

  it('reads a PostgreSQL database URL, and refuses anything else without repeating it', () => {
    const url = 'postgresql://tessera:pw@db.internal:5432/tessera';
    expect(loadConfig({ TESSERA_DATABASE_URL: url }).databaseUrl).toBe(url);
    expect(loadConfig({ TESSERA_DATABASE_URL: 'postgres://db/t' }).databaseUrl).toBe('postgres://db/t');
    for (const bad of ['mysql://u:hunter2@db/t', 'hunter2', 'postgresql:///t?password=hunter2']) {
      let error: unknown;
      try {
        loadConfig({ TESSERA_DATABASE_URL: bad });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([
        'TESSERA_DATABASE_URL must be a postgresql:// or postgres:// URL with a host',
      ]);
      expect((error as Error).message).not.toContain('hunter2');
    }
  });

  it('bounds cache staleness on PostgreSQL only: 1000 ms by default, 0 to 60000', () => {
    const url = 'postgresql://db.internal/tessera';
    expect(loadConfig({}).cacheMaxStalenessMs).toBeUndefined();
    expect(loadConfig({ TESSERA_DATABASE_URL: url }).cacheMaxStalenessMs).toBe(1000);
    const set = (value: string) =>
      loadConfig({ TESSERA_DATABASE_URL: url, TESSERA_CACHE_MAX_STALENESS_MS: value }).cacheMaxStalenessMs;
    expect(set('0')).toBe(0);
    expect(set('60000')).toBe(60_000);
    expect(() => set('60001')).toThrow(
      /TESSERA_CACHE_MAX_STALENESS_MS must be a whole number from 0 to 60000/,
    );
    expect(() => loadConfig({ TESSERA_CACHE_MAX_STALENESS_MS: '500' })).toThrow(
      /TESSERA_CACHE_MAX_STALENESS_MS needs TESSERA_DATABASE_URL/,
    );
  });

  it("ignores variables outside its namespace, the clients' variables and blank values", () => {
    expect(
      loadConfig({ PATH: '/bin', TESSERA_PORT: ' ', TESSERA_ENDPOINT: 'http://x', TESSERA_FUZZ_RUNS: '9' })
        .port,
    ).toBe(8080);
  });

  it('reads the TLS files as a pair, resolved against the working folder', () => {
    expect(loadConfig({}, '/x').tls).toBeUndefined();
    expect(
      loadConfig({ TESSERA_TLS_CERT_FILE: 'tls/cert.pem', TESSERA_TLS_KEY_FILE: '/etc/key.pem' }, '/srv').tls,
    ).toEqual({ certFile: '/srv/tls/cert.pem', keyFile: '/etc/key.pem' });
    expect(() => loadConfig({ TESSERA_TLS_CERT_FILE: 'cert.pem' })).toThrow(
      /both TESSERA_TLS_CERT_FILE and TESSERA_TLS_KEY_FILE/,
    );
    expect(() => loadConfig({ TESSERA_TLS_KEY_FILE: 'key.pem' })).toThrow(/or neither/);
  });

  it('allows no network to rotation webhooks by default, and reads the CIDR list, refusing bad entries', () => {
    expect(loadConfig({}).rotationWebhookAllowedNetworks).toEqual([]);
    const config = loadConfig({
      TESSERA_ROTATION_WEBHOOK_ALLOWED_NETWORKS: ' 10.20.0.0/16, 127.0.0.1 ,fd00:1::/64',
    });
    expect(config.rotationWebhookAllowedNetworks.map((n) => [n.text, n.prefix])).toEqual([
      ['10.20.0.0/16', 16],
      ['127.0.0.1', 32],
      ['fd00:1::/64', 64],
    ]);
    expect(Object.isFrozen(config.rotationWebhookAllowedNetworks)).toBe(true);
    let problems: readonly string[] = [];
    try {
      loadConfig({ TESSERA_ROTATION_WEBHOOK_ALLOWED_NETWORKS: '10.0.0.1/8,intranet,10.0.0.0/40' });
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    expect(problems).toEqual([
      'TESSERA_ROTATION_WEBHOOK_ALLOWED_NETWORKS: "10.0.0.1/8" has bits set after its prefix length; the network is 10.0.0.0/8',
      'TESSERA_ROTATION_WEBHOOK_ALLOWED_NETWORKS: "intranet" is not an IPv4 or IPv6 address or network (CIDR, like 10.0.0.0/8 or fd00::/8)',
      'TESSERA_ROTATION_WEBHOOK_ALLOWED_NETWORKS: "10.0.0.0/40" has a prefix length outside 0 to 32',
    ]);
  });

  it('leaves the per-key rate limit off by default; the burst defaults to twice the rate', () => {
    expect(loadConfig({})).toMatchObject({ rateLimitPerSecond: 0 });
    expect(loadConfig({ TESSERA_RATE_LIMIT_PER_SECOND: '50' })).toMatchObject({
      rateLimitPerSecond: 50,
      rateLimitBurst: 100,
    });
    expect(
      loadConfig({ TESSERA_RATE_LIMIT_PER_SECOND: '50', TESSERA_RATE_LIMIT_BURST: '7' }).rateLimitBurst,
    ).toBe(7);
    expect(() => loadConfig({ TESSERA_RATE_LIMIT_BURST: '7' })).toThrow(
      /needs TESSERA_RATE_LIMIT_PER_SECOND/,
    );
    expect(() => loadConfig({ TESSERA_RATE_LIMIT_PER_SECOND: '-1' })).toThrow(
      /TESSERA_RATE_LIMIT_PER_SECOND/,
    );
    expect(() => loadConfig({ TESSERA_RATE_LIMIT_PER_SECOND: '5', TESSERA_RATE_LIMIT_BURST: '0' })).toThrow(
      /TESSERA_RATE_LIMIT_BURST/,
    );
  });

  it("keeps reads' audit events durable by default, and reads the relaxed setting", () => {
    expect(loadConfig({}).auditReadDurability).toBe('durable');
    expect(loadConfig({ TESSERA_AUDIT_READ_DURABILITY: 'relaxed' }).auditReadDurability).toBe('relaxed');
    expect(loadConfig({ TESSERA_AUDIT_READ_DURABILITY: 'durable' }).auditReadDurability).toBe('durable');
    expect(() => loadConfig({ TESSERA_AUDIT_READ_DURABILITY: 'off' })).toThrow(
      /TESSERA_AUDIT_READ_DURABILITY must be one of durable, relaxed, not "off"/,
    );
  });
});
