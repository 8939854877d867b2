import { Sha256 } from '@aws-crypto/sha256-js';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import type { ResolvedAccessKey } from '../../services/access-key-service.js';
import type { SigV4Request } from './auth.js';
import { claimedAwsAccessKeyId, SigV4Authenticator } from './auth.js';
import { AwsError } from './errors.js';
import { canonicalPath, canonicalQuery } from './sigv4.js';

const KEY: ResolvedAccessKey = {
  id: 'AKIDTESSERA',
  userName: 'alice',
  status: 'active',
  secret: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);

function authenticator(keys: readonly ResolvedAccessKey[] = [KEY], now = NOW): SigV4Authenticator {
  return new SigV4Authenticator({
    accessKeys: { resolve: (id: string) => Promise.resolve(keys.find((k) => k.id === id)) },
    clock: { now: () => now },
  });
}

interface Captured {
  method: string;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

/** The request an official SDK client sends, signed by its own signer, captured before it leaves. */
async function captureFromClient(send: (handler: unknown) => Promise<unknown>): Promise<SigV4Request> {
  let captured: Captured | undefined;
  const handler = {
    handle(request: Captured) {
      captured = request;
      return Promise.reject(new Error('captured'));
    },
  };
  await send(handler).catch(() => undefined);
  if (!captured) throw new Error('the client sent nothing');
  return toWire(captured);
}

function toWire(request: Captured): SigV4Request {
  const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const body =
    typeof request.body === 'string'
      ? Buffer.from(request.body)
      : request.body instanceof Uint8Array
        ? Buffer.from(request.body)
        : Buffer.alloc(0);
  const query = Object.entries(request.query ?? {}).flatMap(([k, v]) =>
    (Array.isArray(v) ? v : [v ?? '']).map((value) => [k, value] as const),
  );
  return { method: request.method, rawPath: request.path, query, headers, body };
}

const SIGNING_DATE = new Date(NOW);

function secretsManagerRequest(region = 'eu-west-3', secret = KEY.secret): Promise<SigV4Request> {
  return captureFromClient((handler) =>
    new SecretsManagerClient({
      region,
      endpoint: 'http://127.0.0.1:8200',
      credentials: { accessKeyId: KEY.id, secretAccessKey: secret },
      requestHandler: handler as never,
      systemClockOffset: NOW - Date.now(),
      maxAttempts: 1,
    }).send(new GetSecretValueCommand({ SecretId: 'prod/db', VersionStage: 'AWSCURRENT' })),
  );
}

async function signWith(
  request: Captured & { hostname?: string; protocol?: string },
  service: string,
  region: string,
): Promise<SigV4Request> {
  const signer = new SignatureV4({
    service,
    region,
    sha256: Sha256,
    credentials: { accessKeyId: KEY.id, secretAccessKey: KEY.secret },
  });
  const signed = await signer.sign(
    { protocol: 'http:', hostname: '127.0.0.1', port: 8200, ...request } as never,
    { signingDate: SIGNING_DATE },
  );
  return toWire(signed as unknown as Captured);
}

async function failure(promise: Promise<unknown>): Promise<AwsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AwsError)) throw new Error(`expected an AwsError, got ${String(error)}`);
  return error;
}

describe('SigV4 verification against the official signer', () => {
  it('accepts a request signed by @aws-sdk/client-secrets-manager, in any region, as sent', async () => {
    for (const region of ['us-east-1', 'eu-west-3', 'cn-hangzhou']) {
      const request = await secretsManagerRequest(region);
      const caller = await authenticator().authenticate(request, 'secretsmanager');
      expect(caller).toEqual({ accessKeyId: KEY.id, userName: 'alice', region, service: 'secretsmanager' });
    }
  });

  it('accepts STS GetCallerIdentity signed by @aws-sdk/client-sts for service sts', async () => {
    const request = await captureFromClient((handler) =>
      new STSClient({
        region: 'us-east-1',
        endpoint: 'http://127.0.0.1:8200',
        credentials: { accessKeyId: KEY.id, secretAccessKey: KEY.secret },
        requestHandler: handler as never,
        systemClockOffset: NOW - Date.now(),
        maxAttempts: 1,
      }).send(new GetCallerIdentityCommand({})),
    );
    const caller = await authenticator().authenticate(request, 'sts');
    expect(caller.service).toBe('sts');
    await expect(failure(authenticator().authenticate(request, 'secretsmanager'))).resolves.toMatchObject({
      code: 'InvalidSignatureException',
      message: "Credential should be scoped to correct service: 'secretsmanager'. ",
    });
  });

  it('accepts paths and queries that need encoding, signed by @smithy/signature-v4', async () => {
    const request = await signWith(
      {
        method: 'GET',
        path: '/a%20b/c%2Fd/./e/../',
        query: { Action: 'GetCallerIdentity', Version: '2011-06-15', 'x y': ['b', 'a'], 'e~': "it's" },
        headers: { host: '127.0.0.1:8200' },
      },
      'sts',
      'us-east-1',
    );
    // The signer's path is the path on the wire, encoded once; the canonical form encodes it again.
    await expect(authenticator().authenticate(request, 'sts')).resolves.toMatchObject({ service: 'sts' });
  });

  it('refuses a wrong secret, a changed body, target or header', async () => {
    const wrongSecret = await secretsManagerRequest('us-east-1', 'not-the-secret');
    await expect(failure(authenticator().authenticate(wrongSecret, 'secretsmanager'))).resolves.toMatchObject(
      {
        status: 400,
        code: 'InvalidSignatureException',
        message: expect.stringMatching(/^The request signature we calculated does not match/) as unknown,
      },
    );
    const good = await secretsManagerRequest();
    const changes: SigV4Request[] = [
      { ...good, body: Buffer.from('{"SecretId":"other"}') },
      { ...good, headers: { ...good.headers, 'x-amz-target': 'secretsmanager.DeleteSecret' } },
      { ...good, method: 'PUT' },
      { ...good, rawPath: '/x' },
      { ...good, query: [['a', 'b']] },
    ];
    for (const changed of changes) {
      await expect(failure(authenticator().authenticate(changed, 'secretsmanager'))).resolves.toMatchObject({
        code: 'InvalidSignatureException',
      });
    }
  });

  it('checks a sent x-amz-content-sha256 against the body', async () => {
    const request = await signWith(
      {
        method: 'POST',
        path: '/',
        headers: { host: '127.0.0.1:8200', 'x-amz-content-sha256': '0'.repeat(64) },
        body: '{}',
      },
      'secretsmanager',
      'us-east-1',
    );
    await expect(failure(authenticator().authenticate(request, 'secretsmanager'))).resolves.toMatchObject({
      code: 'InvalidSignatureException',
      message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
    });
  });

  it('allows 15 minutes of clock difference either way, with AWS wording past it', async () => {
    const request = await secretsManagerRequest();
    const minute = 60_000;
    await expect(
      authenticator([KEY], NOW + 15 * minute).authenticate(request, 'secretsmanager'),
    ).resolves.toBeDefined();
    await expect(
      authenticator([KEY], NOW - 15 * minute).authenticate(request, 'secretsmanager'),
    ).resolves.toBeDefined();
    await expect(
      failure(authenticator([KEY], NOW + 16 * minute).authenticate(request, 'secretsmanager')),
    ).resolves.toMatchObject({
      code: 'InvalidSignatureException',
      message:
        'Signature expired: 20261206T120000Z is now earlier than 20261206T120100Z (20261206T121600Z - 15 min.)',
    });
    await expect(
      failure(authenticator([KEY], NOW - 16 * minute).authenticate(request, 'secretsmanager')),
    ).resolves.toMatchObject({
      code: 'InvalidSignatureException',
      message: expect.stringMatching(
        /^Signature not yet current: 20261206T120000Z is still later than/,
      ) as unknown,
    });
  });

  it('refuses unknown and inactive keys, and session tokens, as UnrecognizedClientException', async () => {
    const request = await secretsManagerRequest();
    const unknown = await failure(authenticator([]).authenticate(request, 'secretsmanager'));
    expect(unknown).toMatchObject({
      code: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    });
    const inactive = await failure(
      authenticator([{ ...KEY, status: 'inactive' }]).authenticate(request, 'secretsmanager'),
    );
    expect(inactive.code).toBe('UnrecognizedClientException');
    const withToken = await captureFromClient((handler) =>
      new SecretsManagerClient({
        region: 'us-east-1',
        endpoint: 'http://127.0.0.1:8200',
        credentials: { accessKeyId: KEY.id, secretAccessKey: KEY.secret, sessionToken: 'FwoGZXIvYXdzE' },
        requestHandler: handler as never,
        systemClockOffset: NOW - Date.now(),
        maxAttempts: 1,
      }).send(new GetSecretValueCommand({ SecretId: 'x' })),
    );
    await expect(failure(authenticator().authenticate(withToken, 'secretsmanager'))).resolves.toMatchObject({
      code: 'UnrecognizedClientException',
      message: expect.stringContaining('X-Amz-Security-Token') as unknown,
    });
  });

  it('names what is missing or malformed in the Authorization header', async () => {
    const good = await secretsManagerRequest();
    const withAuthorization = (value: string | undefined): SigV4Request => ({
      ...good,
      headers: { ...good.headers, authorization: value },
    });
    await expect(
      failure(authenticator().authenticate(withAuthorization(undefined), 'secretsmanager')),
    ).resolves.toMatchObject({
      code: 'MissingAuthenticationTokenException',
      message: 'Missing Authentication Token',
    });
    await expect(
      failure(
        authenticator().authenticate(
          withAuthorization('AWS4-HMAC-SHA256 Credential=a/b/c/d/e'),
          'secretsmanager',
        ),
      ),
    ).resolves.toMatchObject({
      code: 'IncompleteSignature',
      message: expect.stringContaining("Authorization header requires 'Signature' parameter.") as unknown,
    });
    await expect(
      failure(authenticator().authenticate(withAuthorization('AWS3 Credential=x'), 'secretsmanager')),
    ).resolves.toMatchObject({ code: 'IncompleteSignature' });
    const authorization = String(good.headers.authorization);
    const otherDay = authorization.replace(/\/\d{8}\//, '/20261205/');
    await expect(
      failure(authenticator().authenticate(withAuthorization(otherDay), 'secretsmanager')),
    ).resolves.toMatchObject({
      code: 'InvalidSignatureException',
      message: expect.stringMatching(/^Date in Credential scope does not match/) as unknown,
    });
    const badTerminator = authorization.replace('aws4_request', 'aws4_requests');
    await expect(
      failure(authenticator().authenticate(withAuthorization(badTerminator), 'secretsmanager')),
    ).resolves.toMatchObject({ code: 'InvalidSignatureException' });
    const badRegion = authorization.replace('/eu-west-3/', '/EU WEST/');
    await expect(
      failure(authenticator().authenticate(withAuthorization(badRegion), 'secretsmanager')),
    ).resolves.toMatchObject({
      code: 'InvalidSignatureException',
      message: 'Credential should be scoped to a valid region. ',
    });
    const hostUnsigned = authorization.replace(
      /SignedHeaders=[^,]*/,
      'SignedHeaders=x-amz-date;x-amz-target',
    );
    await expect(
      failure(authenticator().authenticate(withAuthorization(hostUnsigned), 'secretsmanager')),
    ).resolves.toMatchObject({
      code: 'IncompleteSignature',
    });
    const targetUnsigned = authorization.replace(/SignedHeaders=[^,]*/, 'SignedHeaders=host;x-amz-date');
    await expect(
      failure(authenticator().authenticate(withAuthorization(targetUnsigned), 'secretsmanager')),
    ).resolves.toMatchObject({
      code: 'IncompleteSignature',
      message: expect.stringMatching(/^These headers must be signed: .*x-amz-target/) as unknown,
    });
    expect(claimedAwsAccessKeyId(good.headers)).toBe(KEY.id);
  });
});

describe('canonical forms', () => {
  it('normalises and double-encodes paths, sorts and encodes queries as AWS specifies', () => {
    expect(canonicalPath('/')).toBe('/');
    expect(canonicalPath('/a/./b/../c//d%20e/')).toBe('/a/c/d%2520e/');
    expect(
      canonicalQuery([
        ['b', '2'],
        ['a', 'x y'],
        ['a', '!'],
        ['X-Amz-Signature', 'z'],
      ]),
    ).toBe('a=%21&a=x%20y&b=2');
  });
});
