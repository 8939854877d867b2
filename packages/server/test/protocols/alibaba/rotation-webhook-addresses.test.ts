/**
 * Rotation webhook URLs cannot reach what the server can reach and the caller cannot, through the API:
 * non-public addresses are refused at registration (literal or resolved) and again at call time on the
 * address the connection actually uses (a name that resolved to a public address at registration and
 * to a loopback one later reaches nothing), and `TESSERA_ROTATION_WEBHOOK_ALLOWED_NETWORKS` admits
 * exactly what it lists. Host names resolve through an injected resolver: no query leaves the machine,
 * and the only address connections are ever made to is the receiver's loopback address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostResolver, ResolvedAddress } from '../../../src/rotators/webhook-address-guard.js';
import { ManualClock } from '../../fakes/manual-clock.js';
import { WebhookReceiver } from '../../fakes/webhook-receiver.js';
import type { ApiClient, ApiServer } from './harness.js';
import { expectFailure, startApiServer } from './harness.js';

const SETTING = 'TESSERA_ROTATION_WEBHOOK_ALLOWED_NETWORKS';
const PUBLIC = '93.184.216.34';
const clock = new ManualClock(Date.now());
let receiver: WebhookReceiver;
let port: number;
/** What each test host name resolves to right now; tests change answers between steps. */
const dns = new Map<string, readonly string[]>();
const resolveHost: HostResolver = (hostname) => {
  const answer = dns.get(hostname);
  if (!answer) return Promise.reject(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }));
  return Promise.resolve(
    answer.map((address): ResolvedAddress => ({ address, family: address.includes(':') ? 6 : 4 })),
  );
};

let strict: ApiServer;
let allowing: ApiServer;

beforeAll(async () => {
  receiver = new WebhookReceiver();
  port = Number(new URL(await receiver.start()).port);
  receiver.handler = (call) => ({ status: 200, body: call.step === 'create' ? { value: 'new-value' } : {} });
  const env = { TESSERA_ROTATION_TICK_SECONDS: '0' };
  // The default: no network allowed beyond public addresses.
  strict = await startApiServer({ clock, resolveHost, env: { ...env, [SETTING]: '' } });
  // The receiver's address, and nothing else, allowed.
  allowing = await startApiServer({ clock, resolveHost, env: { ...env, [SETTING]: '127.0.0.1/32' } });
});

afterAll(async () => {
  await strict.stop();
  await allowing.stop();
  await receiver.stop();
});

const client = (server: ApiServer): ApiClient => server.client('openapi-acs3');

async function register(server: ApiServer, name: string, url: string) {
  return client(server).call('CreateRotationWebhook', { WebhookName: name, Url: url });
}

async function expectRefused(server: ApiServer, name: string, url: string): Promise<string> {
  const error = await expectFailure(register(server, name, url), 400, 'InvalidParameter');
  expect(error.message).toContain(SETTING);
  expect(error.message).toMatch(/"Url"/);
  const listed = await client(server).call('ListRotationWebhooks');
  expect(JSON.stringify(listed)).not.toContain(`"${name}"`);
  return error.message.replace(/request id: \S+/, '');
}

/** Binds a new secret to the webhook, rotates it, and lets the background run take its first step. */
async function rotate(server: ApiServer, secretName: string, webhook: string) {
  await client(server).call('CreateSecret', {
    SecretName: secretName,
    VersionId: 'v1',
    SecretData: 'old-value',
    ExtendedConfig: JSON.stringify({ RotationWebhook: webhook }),
  });
  await client(server).call('RotateSecret', { SecretName: secretName, VersionId: 'r1' });
  await server.instance.tessera.services.rotation.settle();
  return client(server).call('DescribeSecret', { SecretName: secretName });
}

async function auditCodes(server: ApiServer, secretName: string): Promise<(string | null)[]> {
  const { events } = await server.instance.tessera.services.audit.lookup({
    principal: '$rotation',
    resource: secretName,
    limit: 10,
  });
  return events.map((e) => e.resultCode);
}

const callsFor = (secretName: string) => receiver.calls.filter((c) => c.body.secretName === secretName);

describe('webhook addresses at registration', () => {
  it.each([
    ['loopback', 'http://127.0.0.1:PORT/rotate'],
    ['loopback (another)', 'http://127.8.9.10/'],
    ['loopback as a number', 'http://2130706433:PORT/'],
    ['loopback in hex', 'http://0x7f.1:PORT/'],
    ['IPv6 loopback', 'http://[::1]:PORT/'],
    ['IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]:PORT/'],
    ['IPv4-compatible loopback', 'http://[::127.0.0.1]:PORT/'],
    ['NAT64 of loopback', 'http://[64:ff9b::7f00:1]/'],
    ['6to4 of loopback', 'http://[2002:7f00:1::]/'],
    ['unspecified', 'http://0.0.0.0:PORT/'],
    ['IPv6 unspecified', 'http://[::]/'],
    ['cloud metadata (link-local)', 'http://169.254.169.254/latest/meta-data/'],
    ['IPv4-mapped metadata', 'http://[::ffff:a9fe:a9fe]/'],
    ['IPv6 link-local', 'https://[fe80::1]/'],
    ['private 10/8', 'https://10.0.0.1/'],
    ['private 172.16/12', 'https://172.20.1.1/'],
    ['private 192.168/16', 'https://192.168.1.10/'],
    ['shared (CGNAT)', 'https://100.64.0.1/'],
    ['unique-local', 'https://[fd00::1]/'],
    ['multicast', 'http://224.0.0.1/'],
    ['IPv6 multicast', 'http://[ff02::1]/'],
    ['broadcast', 'http://255.255.255.255/'],
    ['reserved', 'http://240.0.0.1/'],
    ['documentation', 'http://192.0.2.1/'],
  ])('refuses a literal %s address', async (_, url) => {
    const message = await expectRefused(strict, 'literal', url.replace('PORT', String(port)));
    expect(message).toMatch(/The webhook URL's address \S+ is [a-z-]+: /);
  });

  it('refuses a host name that resolves to a non-public address, or to any, or to none, alike', async () => {
    dns.set('internal.test', ['10.1.2.3']);
    dns.set('mixed.test', [PUBLIC, '127.0.0.1']);
    dns.set('metadata.test', ['fe80::a9fe:a9fe', PUBLIC]);
    const messages = [
      await expectRefused(strict, 'n1', 'https://internal.test/rotate'),
      await expectRefused(strict, 'n2', 'https://mixed.test/rotate'),
      await expectRefused(strict, 'n3', 'https://metadata.test/rotate'),
      await expectRefused(strict, 'n4', 'https://nowhere.test/rotate'),
    ];
    // Whether a name exists, or what it resolves to, is not told apart.
    expect(messages.map((m) => m.replace(/"[a-z]+\.test"/, 'HOST'))).toEqual(
      Array(4).fill(messages[0]!.replace(/"[a-z]+\.test"/, 'HOST')),
    );
    expect(messages[0]).not.toContain('10.1.2.3');
    // The detail is in the server's log.
    const log = strict.instance.logs.text;
    expect(log).toContain('rotation webhook URL refused');
    expect(log).toMatch(/"address":"10\.1\.2\.3","addressClass":"private"/);
  });

  it('accepts a public address', async () => {
    dns.set('public.test', [PUBLIC]);
    await register(strict, 'public-name', 'https://public.test/rotate');
    await register(strict, 'public-literal', `https://${PUBLIC}/rotate`);
  });

  it('admits exactly the networks the setting lists', async () => {
    dns.set('receiver.test', ['127.0.0.1']);
    dns.set('neighbour.test', ['127.0.0.2']);
    await register(allowing, 'listed-literal', `http://127.0.0.1:${port}/rotate`);
    await register(allowing, 'listed-mapped', `http://[::ffff:127.0.0.1]:${port}/rotate`);
    await register(allowing, 'listed-name', `http://receiver.test:${port}/rotate`);
    await expectRefused(allowing, 'unlisted-literal', `http://127.0.0.2:${port}/rotate`);
    await expectRefused(allowing, 'unlisted-v6', `http://[::1]:${port}/rotate`);
    await expectRefused(allowing, 'unlisted-name', `http://neighbour.test:${port}/rotate`);
    await expectRefused(allowing, 'unlisted-private', 'http://10.0.0.1/rotate');
  });
});

describe('webhook addresses at call time', () => {
  it('refuses a name that now resolves to a loopback address: nothing is sent, the step retries', async () => {
    dns.set('rebind.test', [PUBLIC]);
    await register(strict, 'rebind', `http://rebind.test:${port}/rotate`);
    dns.set('rebind.test', ['127.0.0.1']);
    const described = await rotate(strict, 'ssrf/rebind', 'rebind');
    expect(callsFor('ssrf/rebind')).toHaveLength(0);
    expect(described).toMatchObject({ RotationStatus: 'Retrying', RotationStep: 'create' });
    const message = String(described.LastRotationError);
    expect(message).toContain(SETTING);
    expect(message).not.toContain('127.0.0.1');
    expect(await auditCodes(strict, 'ssrf/rebind')).toEqual(['RotationStepFailed.WebhookAddressRefused']);
    expect(strict.instance.logs.text).toMatch(
      /"failure":"address_refused".*"address":"127\.0\.0\.1","addressClass":"loopback"/,
    );
  });

  it('tells users the same thing for a refused address as for a closed port', async () => {
    dns.set('closed.test', ['127.0.0.1']);
    await register(allowing, 'closed', 'http://closed.test:9/rotate');
    dns.set('moved.test', ['127.0.0.1']);
    await register(allowing, 'moved', `http://moved.test:${port}/rotate`);
    dns.set('moved.test', ['127.0.0.2']);
    const closed = await rotate(allowing, 'ssrf/closed', 'closed');
    const moved = await rotate(allowing, 'ssrf/moved', 'moved');
    expect(callsFor('ssrf/moved')).toHaveLength(0);
    const text = (d: Record<string, unknown>) => String(d.LastRotationError).replace(/"[a-z]+"/, 'NAME');
    expect(text(moved)).toBe(text(closed));
    expect(moved.RotationStatus).toBe(closed.RotationStatus);
    // The audit trail tells them apart.
    expect(await auditCodes(allowing, 'ssrf/moved')).toEqual(['RotationStepFailed.WebhookAddressRefused']);
    expect(await auditCodes(allowing, 'ssrf/closed')).toEqual(['RotationStepFailed.WebhookUnreachable']);
  });

  it('reaches a listed address, by name and literally', async () => {
    dns.set('receiver.test', ['127.0.0.1']);
    const described = await rotate(allowing, 'ssrf/listed', 'listed-name');
    expect(described).toMatchObject({ RotationStatus: 'Succeeded' });
    expect(callsFor('ssrf/listed').map((c) => c.step)).toEqual(['create', 'set', 'test', 'finish']);
    const mapped = await rotate(allowing, 'ssrf/listed-mapped', 'listed-literal');
    expect(mapped).toMatchObject({ RotationStatus: 'Succeeded' });
  });

  it('follows no redirect: the step fails without retries and nothing reaches the new location', async () => {
    dns.set('redirecting.test', ['127.0.0.1']);
    await register(allowing, 'redirecting', `http://redirecting.test:${port}/rotate`);
    const previous = receiver.handler;
    receiver.handler = () => ({
      status: 307,
      headers: { location: `http://127.0.0.1:${port}/elsewhere` },
    });
    try {
      const described = await rotate(allowing, 'ssrf/redirect', 'redirecting');
      expect(described).toMatchObject({ RotationStatus: 'Failed', LastRotationErrorStep: 'create' });
      expect(String(described.LastRotationError)).toContain('HTTP 307');
      expect(callsFor('ssrf/redirect')).toHaveLength(1);
    } finally {
      receiver.handler = previous;
    }
  });
});
