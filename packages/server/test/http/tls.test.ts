/**
 * Transport security: HTTPS with a certificate made at test time by the `openssl` CLI (the private key
 * lives in a temporary folder and is removed), real Alibaba SDK calls over it with the test CA trusted,
 * TLS 1.1 refused, and the startup warning for plain HTTP on an address other hosts can reach.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, get } from 'node:https';
import { join } from 'node:path';
import { connect } from 'node:tls';
import OpenApiModule, * as $OpenApi from '@alicloud/openapi-client';
import PopCore from '@alicloud/pop-core';
import * as $Util from '@alicloud/tea-util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoopbackHost } from '../../src/http/tls.js';
import type { TestInstance } from '../helpers.js';
import { startTessera, tempDir } from '../helpers.js';

function unwrap<T>(module: { default: T }): T {
  return typeof module === 'function' ? module : module.default;
}
const OpenApi = unwrap(OpenApiModule);

const ACCESS_KEY_ID = 'TlsTestAdmin01';
const ACCESS_KEY_SECRET = 'tls-test-admin-secret-0123456789';

/** A self-signed certificate for localhost and 127.0.0.1, valid for a day. */
function makeCertificate(dir: string): { certFile: string; keyFile: string; ca: string } {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'pipe' },
  );
  return { certFile, keyFile, ca: readFileSync(certFile, 'utf8') };
}

/** Connects with TLS limited to the given versions; resolves to the negotiated version or the error text. */
function handshake(port: number, ca: string, version: 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({
      host: '127.0.0.1',
      port,
      ca,
      servername: 'localhost',
      minVersion: version,
      maxVersion: version,
      // OpenSSL 3 refuses TLS 1.0/1.1 on the client side at its default security level; lower it so that
      // the refusal under test is the server's.
      ciphers: 'DEFAULT@SECLEVEL=0',
    });
    socket.once('secureConnect', () => {
      resolve(socket.getProtocol() ?? 'unknown');
      socket.destroy();
    });
    socket.once('error', (error: Error) => {
      resolve(`error: ${error.message}`);
    });
  });
}

describe('HTTPS', () => {
  let dir: { path: string; remove: () => void };
  let certificate: { certFile: string; keyFile: string; ca: string };
  let instance: TestInstance;
  let baseUrl: string;

  beforeAll(async () => {
    dir = tempDir('tessera-tls-');
    certificate = makeCertificate(dir.path);
    instance = await startTessera({
      env: {
        TESSERA_TLS_CERT_FILE: certificate.certFile,
        TESSERA_TLS_KEY_FILE: certificate.keyFile,
        TESSERA_ROOT_ACCESS_KEY_ID: ACCESS_KEY_ID,
        TESSERA_ROOT_ACCESS_KEY_SECRET: ACCESS_KEY_SECRET,
      },
    });
    // What the authorization step reads for acs:SecureTransport.
    instance.tessera.http.get('/transport', (request, reply) => {
      void reply.send({ protocol: request.protocol });
    });
    baseUrl = await instance.tessera.listen();
  });

  afterAll(async () => {
    await instance.stop();
    dir.remove();
  });

  it('listens on an https:// base URL and tells handlers the request came over TLS', async () => {
    expect(baseUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const agent = new Agent({ ca: certificate.ca });
    const body = await new Promise<string>((resolve, reject) => {
      get(`${baseUrl}/transport`, { agent }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => {
          resolve(text);
        });
      }).on('error', reject);
    });
    expect(JSON.parse(body)).toEqual({ protocol: 'https' });
    agent.destroy();
  });

  it('serves the real SDKs over HTTPS with the CA trusted (pop-core, openapi-client ACS3)', async () => {
    const agent = new Agent({ ca: certificate.ca, keepAlive: false });
    const pop = new PopCore({
      accessKeyId: ACCESS_KEY_ID,
      accessKeySecret: ACCESS_KEY_SECRET,
      endpoint: baseUrl,
      apiVersion: '2016-01-20',
    });
    await pop.request(
      'CreateSecret',
      { SecretName: 'tls/one', VersionId: 'v1', SecretData: 'over tls' },
      { method: 'POST', agent },
    );
    const read = await pop.request<{ SecretData: string }>(
      'GetSecretValue',
      { SecretName: 'tls/one' },
      { method: 'GET', agent },
    );
    expect(read.SecretData).toBe('over tls');
    agent.destroy();

    const client = new OpenApi(
      new $OpenApi.Config({
        accessKeyId: ACCESS_KEY_ID,
        accessKeySecret: ACCESS_KEY_SECRET,
        endpoint: baseUrl.replace(/^https:\/\//, ''),
        protocol: 'https',
        regionId: 'cn-hangzhou',
      }),
    );
    const params = new $OpenApi.Params({
      action: 'GetSecretValue',
      version: '2016-01-20',
      protocol: 'HTTPS',
      pathname: '/',
      method: 'POST',
      authType: 'AK',
      style: 'RPC',
      reqBodyType: 'formData',
      bodyType: 'json',
    });
    const response = (await client.callApi(
      params,
      new $OpenApi.OpenApiRequest({ query: { SecretName: 'tls/one' } }),
      new $Util.RuntimeOptions({ ca: certificate.ca }),
    )) as { body: { SecretData: string } };
    expect(response.body.SecretData).toBe('over tls');

    // Without the CA the same client refuses the server: the certificate is what it checks.
    await expect(
      client.callApi(
        params,
        new $OpenApi.OpenApiRequest({ query: { SecretName: 'tls/one' } }),
        new $Util.RuntimeOptions({}),
      ),
    ).rejects.toThrow(/self[- ]signed|certificate/i);
  });

  it('refuses TLS 1.1 and accepts TLS 1.2 and 1.3', async () => {
    const port = Number(new URL(baseUrl).port);
    expect(await handshake(port, certificate.ca, 'TLSv1.1')).toMatch(
      /^error: .*(protocol version|unsupported protocol)/i,
    );
    expect(await handshake(port, certificate.ca, 'TLSv1.2')).toBe('TLSv1.2');
    expect(await handshake(port, certificate.ca, 'TLSv1.3')).toBe('TLSv1.3');
  });

  it('does not warn about plain HTTP', () => {
    expect(instance.logs.text).not.toMatch(/plain HTTP/);
  });
});

describe('startup checks and warnings', () => {
  it('refuses to start when the key does not belong to the certificate', async () => {
    const dir = tempDir('tessera-tls-');
    try {
      const one = makeCertificate(join(dir.path));
      const other = tempDir('tessera-tls-');
      const two = makeCertificate(other.path);
      await expect(
        startTessera({ env: { TESSERA_TLS_CERT_FILE: one.certFile, TESSERA_TLS_KEY_FILE: two.keyFile } }),
      ).rejects.toThrow(/Cannot set up HTTPS: the TLS certificate .* and key .* are not a usable pair/);
      await expect(
        startTessera({
          env: { TESSERA_TLS_CERT_FILE: join(dir.path, 'missing.pem'), TESSERA_TLS_KEY_FILE: one.keyFile },
        }),
      ).rejects.toThrow(/cannot read the TLS certificate file/);
      other.remove();
    } finally {
      dir.remove();
    }
  });

  it('warns when serving plain HTTP on 0.0.0.0, and not on 127.0.0.1', async () => {
    const open = await startTessera({ env: { TESSERA_HOST: '0.0.0.0' } });
    try {
      await open.tessera.listen();
      const warning = open.logs.lines
        .map((line) => JSON.parse(line) as { level: number; msg: string; host?: string })
        .find((line) => /plain HTTP/.test(line.msg));
      expect(warning).toMatchObject({ level: 40, host: '0.0.0.0' });
      expect(warning?.msg).toMatch(/unencrypted.*TESSERA_TLS_CERT_FILE/);
    } finally {
      await open.stop();
    }
    const local = await startTessera();
    try {
      await local.tessera.listen();
      expect(local.logs.text).not.toMatch(/plain HTTP/);
    } finally {
      await local.stop();
    }
  });

  it('knows which addresses are loopback', () => {
    for (const host of [
      '127.0.0.1',
      '127.1.2.3',
      '::1',
      '[::1]',
      '0:0:0:0:0:0:0:1',
      'localhost',
      '::ffff:127.0.0.1',
    ])
      expect(isLoopbackHost(host), host).toBe(true);
    for (const host of [
      '0.0.0.0',
      '::',
      '192.168.1.10',
      '10.0.0.1',
      'fe80::1',
      '::ffff:10.0.0.1',
      'example.com',
    ])
      expect(isLoopbackHost(host), host).toBe(false);
  });
});
