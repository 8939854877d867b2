/**
 * The webhook transport against real local servers: the connection goes to the address the guard
 * checked (the name is resolved once per call, by the guard), and over HTTPS the certificate is still
 * verified against the URL's host name, not the pinned address (an untrusted certificate is refused
 * before any byte of the body is sent). Everything listens on 127.0.0.1, which the guard is told to allow.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseNetworkList } from '../../src/domain/network-address.js';
import type { HostResolver } from '../../src/rotators/webhook-address-guard.js';
import { WebhookAddressGuard } from '../../src/rotators/webhook-address-guard.js';
import { postToWebhook, WebhookTransportError } from '../../src/rotators/webhook-transport.js';
import { tempDir } from '../helpers.js';

const dir = tempDir();
const servers: Server[] = [];
const bodies: string[] = [];

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  dir.remove();
});

async function listen(server: Server): Promise<number> {
  servers.push(server);
  server.on('request', (request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      bodies.push(body);
      response.end('{"value":"v"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}

function guard(resolve: HostResolver): WebhookAddressGuard {
  return new WebhookAddressGuard({ allowed: parseNetworkList('127.0.0.1/32').networks, resolve });
}

const post = (url: string, g: WebhookAddressGuard, body: string) =>
  postToWebhook(new URL(url), { headers: {}, body, timeoutMs: 5000, guard: g, maxResponseBytes: 1024 });

describe('the webhook transport', () => {
  it('connects to the address the guard checked, resolving the name once per call', async () => {
    const port = await listen(createHttpServer());
    const asked: string[] = [];
    const resolver: HostResolver = (hostname) => {
      asked.push(hostname);
      return Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
    };
    const answer = await post(`http://hook.test:${port}/rotate`, guard(resolver), '{"n":1}');
    expect(answer).toEqual({ status: 200, text: '{"value":"v"}' });
    expect(asked).toEqual(['hook.test']);
    expect(bodies).toContain('{"n":1}');
  });

  it('verifies an HTTPS certificate against the host name, and sends nothing when it is not trusted', async () => {
    const certFile = join(dir.path, 'cert.pem');
    const keyFile = join(dir.path, 'key.pem');
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
        ...['-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=hook.test'],
        ...['-addext', 'subjectAltName=DNS:hook.test'],
      ],
      { stdio: 'pipe' },
    );
    const port = await listen(
      createHttpsServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }),
    );
    const resolver: HostResolver = () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
    const error = await post(`https://hook.test:${port}/rotate`, guard(resolver), '{"n":2}').catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WebhookTransportError);
    expect(error).toMatchObject({ kind: 'unreachable', detail: { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' } });
    expect(bodies).not.toContain('{"n":2}');
  });
});
