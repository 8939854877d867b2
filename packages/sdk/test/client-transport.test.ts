/**
 * The client's transport: settings, signing as the real server verifies it, typed errors, retries and
 * timeouts. Retry tests use a local `node:http` stub in front of the real server, because what they test
 * is the client's own behaviour on answers a healthy server does not give.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer, request as httpRequest } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RetryEvent } from '../src/index.js';
import {
  TesseraApiError,
  TesseraClient,
  TesseraConfigError,
  TesseraNetworkError,
  TesseraResponseError,
  TesseraTimeoutError,
} from '../src/index.js';
import type { TestServer } from './helpers.js';
import {
  ACCESS_KEY_ID,
  ACCESS_KEY_SECRET,
  anyString,
  closedPort,
  CountingFetch,
  startServer,
  uniqueName,
} from './helpers.js';

let api: TestServer;
/** A secret that exists, so requests that reach the server succeed (transport tests only use actions that exist from the start). */
const known = uniqueName('sdk-transport');

beforeAll(async () => {
  api = await startServer();
  await api.client().createSecret({ secretName: known, versionId: 'v1', secretData: 'hello' });
});

afterAll(async () => {
  await api.stop();
});

describe('settings', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('reads endpoint and credentials from the environment', async () => {
    vi.stubEnv('TESSERA_ENDPOINT', api.baseUrl);
    vi.stubEnv('ALIBABA_CLOUD_ACCESS_KEY_ID', ACCESS_KEY_ID);
    vi.stubEnv('ALIBABA_CLOUD_ACCESS_KEY_SECRET', ACCESS_KEY_SECRET);
    const client = new TesseraClient();
    expect(client.endpoint).toBe(api.baseUrl);
    expect((await client.getSecretValue({ secretName: known })).secretData).toBe('hello');
  });

  it('names every missing setting at once', () => {
    vi.stubEnv('TESSERA_ENDPOINT', '');
    vi.stubEnv('ALIBABA_CLOUD_ACCESS_KEY_ID', '');
    vi.stubEnv('ALIBABA_CLOUD_ACCESS_KEY_SECRET', '');
    const attempt = () => new TesseraClient();
    expect(attempt).toThrow(TesseraConfigError);
    expect(attempt).toThrow(/TESSERA_ENDPOINT.*ALIBABA_CLOUD_ACCESS_KEY_ID.*ALIBABA_CLOUD_ACCESS_KEY_SECRET/);
  });

  it('refuses an endpoint that is not an http(s) origin', () => {
    const make = (endpoint: string) => () =>
      new TesseraClient({ endpoint, accessKeyId: 'a', accessKeySecret: 'b' });
    expect(make('localhost:8080')).toThrow(/must start with http:\/\/ or https:\/\//);
    expect(make('127.0.0.1:8080')).toThrow(/is not a URL \(use e\.g\. http:\/\/127\.0\.0\.1:8080\)/);
    expect(make('not a url')).toThrow(/is not a URL/);
    expect(make('http://127.0.0.1:8080/kms')).toThrow(/origin only/);
    expect(
      () =>
        new TesseraClient({ endpoint: api.baseUrl, accessKeyId: 'a', accessKeySecret: 'b', timeoutMs: 0 }),
    ).toThrow(/timeoutMs/);
  });
});

describe('signing, as the server verifies it', () => {
  it('is accepted by the server, values with every awkward character included', async () => {
    const client = api.client();
    const secretName = uniqueName('sdk/awkward+name=1.x@y');
    const secretData = 'a b+c/d?e=f&g!h\'i(j)k*l~m%n"o\\p\n\té€漢字😀';
    await client.createSecret({ secretName, versionId: 'v1', secretData });
    const value = await client.getSecretValue({ secretName });
    expect(value.secretData).toBe(secretData);
  });

  it('carries a 30,720-byte multi-byte value in the query string', async () => {
    const client = api.client();
    const secretName = uniqueName('sdk-large');
    const secretData = '€'.repeat(10_240);
    expect(Buffer.byteLength(secretData)).toBe(30_720);
    await client.createSecret({ secretName, versionId: 'v1', secretData });
    expect((await client.getSecretValue({ secretName })).secretData).toBe(secretData);
  });

  it('fails with SignatureDoesNotMatch when the secret is wrong', async () => {
    const client = api.client({ accessKeySecret: 'not-the-secret-0000' });
    const error = await client.getSecretValue({ secretName: known }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TesseraApiError);
    expect(error).toMatchObject({ code: 'SignatureDoesNotMatch', status: 400, action: 'GetSecretValue' });
    expect((error as TesseraApiError).requestId).toEqual(anyString());
    expect((error as TesseraApiError).retryable).toBe(false);
  });

  it('fails with InvalidAccessKeyId.NotFound for an unknown access key', async () => {
    const client = api.client({ accessKeyId: 'NoSuchKey0001' });
    await expect(client.getSecretValue({ secretName: known })).rejects.toMatchObject({
      code: 'InvalidAccessKeyId.NotFound',
      status: 404,
    });
  });

  it('sends a fresh nonce and the signed headers the server requires on every request', async () => {
    const seen: Headers[] = [];
    const client = api.client({
      fetch: (input, init) => {
        seen.push(new Headers(init?.headers));
        return fetch(input, init);
      },
    });
    await client.getSecretValue({ secretName: known });
    await client.getSecretValue({ secretName: known });
    const [first, second] = seen;
    expect(first?.get('x-acs-signature-nonce')).not.toBe(second?.get('x-acs-signature-nonce'));
    expect(first?.get('x-acs-version')).toBe('2016-01-20');
    expect(first?.get('authorization')).toMatch(
      /^ACS3-HMAC-SHA256 Credential=TesseraTestAdmin,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=[0-9a-f]{64}$/,
    );
  });
});

describe('call', () => {
  it('passes wire parameters and returns the wire body untouched', async () => {
    const client = api.client();
    const secretName = uniqueName('sdk-call');
    await client.call('CreateSecret', { SecretName: secretName, VersionId: 'v1', SecretData: 'x' });
    const body = await client.call('GetSecretValue', { SecretName: secretName, VersionStage: 'ACSCurrent' });
    expect(body).toMatchObject({ SecretName: secretName, VersionStages: { VersionStage: ['ACSCurrent'] } });
  });

  it('turns an unknown action into InvalidAction.NotFound', async () => {
    await expect(api.client().call('NoSuchAction')).rejects.toMatchObject({
      code: 'InvalidAction.NotFound',
      status: 404,
    });
  });
});

/** A stub endpoint: `answer` decides each request; anything it does not answer is proxied to the server. */
async function stub(answer: (request: IncomingMessage, response: ServerResponse, index: number) => boolean) {
  const requests: IncomingMessage[] = [];
  const server: Server = createServer((request, response) => {
    requests.push(request);
    if (answer(request, response, requests.length - 1)) return;
    const target = new URL(api.baseUrl);
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: request.method,
        path: request.url,
        headers: request.headers,
      },
      (reply) => {
        response.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(response);
      },
    );
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

function apiError(
  response: ServerResponse,
  status: number,
  code: string,
  headers: Record<string, string> = {},
): true {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(
    JSON.stringify({
      RequestId: `stub-${code}`,
      HostId: 'stub',
      Code: code,
      Message: `stub ${code}`,
      HttpStatus: status,
    }),
  );
  return true;
}

describe('retries', () => {
  it('retries Rejected.Throttling with backoff and a fresh date and nonce, then succeeds', async () => {
    const endpoint = await stub((_request, response, index) =>
      index < 2 ? apiError(response, 429, 'Rejected.Throttling') : false,
    );
    try {
      const retries: RetryEvent[] = [];
      const client = api.client({ endpoint: endpoint.endpoint, onRetry: (event) => retries.push(event) });
      const answer = await client.getSecretValue({ secretName: known });
      expect(answer.secretData).toBe('hello');
      expect(endpoint.requests).toHaveLength(3);
      const nonces = endpoint.requests.map((r) => r.headers['x-acs-signature-nonce']);
      expect(new Set(nonces).size).toBe(3);
      expect(
        retries.map((r) => [r.attempt, r.error instanceof TesseraApiError ? r.error.code : r.error.name]),
      ).toEqual([
        [1, 'Rejected.Throttling'],
        [2, 'Rejected.Throttling'],
      ]);
      // Full jitter: each wait is below min(cap, base × 2^n).
      expect(retries[0]?.delayMs).toBeLessThan(1);
      expect(retries[1]?.delayMs).toBeLessThan(2);
    } finally {
      await endpoint.close();
    }
  });

  it('retries ServiceUnavailableTemporary and InternalFailure too', async () => {
    const codes = ['ServiceUnavailableTemporary', 'InternalFailure'];
    const endpoint = await stub((_request, response, index) => {
      const code = codes[index];
      return code === undefined ? false : apiError(response, code === 'InternalFailure' ? 500 : 503, code);
    });
    try {
      const answer = await api.client({ endpoint: endpoint.endpoint }).getSecretValue({ secretName: known });
      expect(answer.secretData).toBe('hello');
      expect(endpoint.requests).toHaveLength(3);
    } finally {
      await endpoint.close();
    }
  });

  it('waits exactly what x-acs-retry-after asks, and gives up when that is beyond retryMaxDelayMs', async () => {
    const endpoint = await stub((_request, response, index) =>
      index === 0
        ? apiError(response, 429, 'Rejected.Throttling', { 'x-acs-retry-after': '0.03' })
        : index === 2
          ? apiError(response, 429, 'Rejected.Throttling', { 'x-acs-retry-after': '60' })
          : false,
    );
    try {
      const retries: RetryEvent[] = [];
      const client = api.client({ endpoint: endpoint.endpoint, onRetry: (event) => retries.push(event) });
      await client.getSecretValue({ secretName: known });
      expect(retries.map((r) => r.delayMs)).toEqual([30]);
      const error = await client.getSecretValue({ secretName: known }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'Rejected.Throttling', retryAfterSeconds: 60 });
      expect(endpoint.requests).toHaveLength(3);
    } finally {
      await endpoint.close();
    }
  });

  it('gives up after maxRetries and throws the last error', async () => {
    const endpoint = await stub((_request, response) => apiError(response, 429, 'Rejected.Throttling'));
    try {
      const client = api.client({ endpoint: endpoint.endpoint, maxRetries: 2 });
      await expect(client.getSecretValue({ secretName: known })).rejects.toMatchObject({
        code: 'Rejected.Throttling',
        status: 429,
      });
      expect(endpoint.requests).toHaveLength(3);
      await expect(client.getSecretValue({ secretName: known }, { maxRetries: 0 })).rejects.toBeInstanceOf(
        TesseraApiError,
      );
      expect(endpoint.requests).toHaveLength(4);
    } finally {
      await endpoint.close();
    }
  });

  it('does not retry a definitive error such as Forbidden.ResourceNotFound', async () => {
    const counting = new CountingFetch();
    const client = api.client({ fetch: counting.fetch });
    const error = await client.getSecretValue({ secretName: uniqueName('missing') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TesseraApiError);
    expect(error).toMatchObject({ code: 'Forbidden.ResourceNotFound', status: 404, retryable: false });
    expect(counting.count()).toBe(1);
  });

  it('retries network failures and then throws TesseraNetworkError', async () => {
    const counting = new CountingFetch();
    counting.outage = 'unreachable';
    const client = api.client({ fetch: counting.fetch, maxRetries: 2 });
    const error = await client.getSecretValue({ secretName: known }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TesseraNetworkError);
    expect(error).not.toBeInstanceOf(TesseraApiError);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
    expect(counting.count()).toBe(3);
  });

  it('times out an attempt that gets no answer, with TesseraTimeoutError, and retries it', async () => {
    const endpoint = await stub(() => true); // never answers
    try {
      const client = api.client({ endpoint: endpoint.endpoint, timeoutMs: 100, maxRetries: 1 });
      const started = Date.now();
      const error = await client.getSecretValue({ secretName: known }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TesseraTimeoutError);
      expect(error).toBeInstanceOf(TesseraNetworkError);
      expect(error).toMatchObject({ timeoutMs: 100, action: 'GetSecretValue' });
      expect(endpoint.requests).toHaveLength(2);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await endpoint.close();
    }
  });

  it("stops at the caller's AbortSignal and throws its reason, without retrying", async () => {
    const endpoint = await stub(() => true);
    try {
      const client = api.client({ endpoint: endpoint.endpoint, timeoutMs: 10_000 });
      const controller = new AbortController();
      const pending = client.getSecretValue({ secretName: known }, { signal: controller.signal });
      setTimeout(() => {
        controller.abort(new Error('caller gave up'));
      }, 50);
      await expect(pending).rejects.toThrow('caller gave up');
      expect(endpoint.requests).toHaveLength(1);
    } finally {
      await endpoint.close();
    }
  });

  it('treats a proxy 502 page as a network failure and a non-API 200 as a response error', async () => {
    const endpoint = await stub((_request, response, index) => {
      response.writeHead(index === 0 ? 502 : 200, { 'content-type': 'text/html' });
      response.end('<html>not the API</html>');
      return true;
    });
    try {
      const client = api.client({ endpoint: endpoint.endpoint, maxRetries: 0 });
      await expect(client.getSecretValue({ secretName: known })).rejects.toBeInstanceOf(TesseraNetworkError);
      const error = await client.getSecretValue({ secretName: known }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TesseraResponseError);
      expect(error).toMatchObject({ status: 200 });
    } finally {
      await endpoint.close();
    }
  });

  it('reports a closed port promptly as a network error when retries are off', async () => {
    const port = await closedPort();
    const client = api.client({ endpoint: `http://127.0.0.1:${port}`, maxRetries: 0 });
    await expect(client.describeRegions()).rejects.toBeInstanceOf(TesseraNetworkError);
  });
});
