/**
 * Authentication (docs/behaviour.md rule 18): every way a request can fail to prove who sent it gets
 * its own documented code and status, and a refused request changes nothing — no secret created, no
 * nonce used up. Hand-signed requests vary one thing at a time; the real SDKs confirm what they see.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AccessKeyService } from '../../../src/services/access-key-service.js';
import { systemClock } from '../../../src/services/clock.js';
import { Authenticator } from '../../../src/protocols/alibaba/auth.js';
import { Params } from '../../../src/protocols/alibaba/params.js';
import { sha256Hex, v1StringToSign } from '../../../src/protocols/alibaba/signature.js';
import type { ApiServer } from './harness.js';
import {
  $Kms,
  ACCESS_KEY_ID,
  ACCESS_KEY_SECRET,
  kmsClient,
  openApiCallWithBody,
  startApiServer,
} from './harness.js';
import type { Acs3Options, PreparedRequest, V1Options } from './signed-fetch.js';
import {
  acs3Request,
  apiTimestamp,
  expectApiError,
  send,
  signV1,
  v1Request,
  withHeaders,
} from './signed-fetch.js';

const MINUTE_MS = 60_000;

let server: ApiServer;
/** Secrets the accepted requests of the current test created; refused ones must add none. */
const created: string[] = [];

beforeAll(async () => {
  server = await startApiServer();
});

afterAll(async () => {
  await server.stop();
});

afterEach(async () => {
  const listed = await server.instance.tessera.services.secrets.listSecrets({ offset: 0, limit: 100 });
  expect(listed.items.map((s) => s.name).sort()).toEqual([...created].sort());
});

let counter = 0;
function uniqueName(): string {
  counter += 1;
  return `auth-${counter}`;
}

/** A CreateSecret that would succeed if it were authenticated. */
function createV1(options: V1Options = {}, name = uniqueName()): PreparedRequest {
  return v1Request(
    server.baseUrl,
    'CreateSecret',
    { SecretName: name, VersionId: 'v1', SecretData: 's' },
    options,
  );
}

function createAcs3(options: Acs3Options = {}, name = uniqueName()): PreparedRequest {
  return acs3Request(
    server.baseUrl,
    'CreateSecret',
    { SecretName: name, VersionId: 'v1', SecretData: 's' },
    options,
  );
}

async function accepted(request: PreparedRequest, name: string): Promise<void> {
  const response = await send(request);
  expect(response.status, await response.clone().text()).toBe(200);
  created.push(name);
}

describe('access keys', () => {
  it('answers an unknown AccessKeyId with 404 InvalidAccessKeyId.NotFound (v1, ACS3, real SDK)', async () => {
    await expectApiError(
      await send(createV1({ accessKeyId: 'NoSuchKey' })),
      404,
      'InvalidAccessKeyId.NotFound',
    );
    await expectApiError(
      await send(createAcs3({ accessKeyId: 'NoSuchKey' })),
      404,
      'InvalidAccessKeyId.NotFound',
    );
    const sdk = kmsClient(server.endpoint, { accessKeyId: 'NoSuchKey', accessKeySecret: ACCESS_KEY_SECRET });
    await expect(
      sdk.createSecret(
        new $Kms.CreateSecretRequest({ secretName: uniqueName(), versionId: 'v1', secretData: 's' }),
      ),
    ).rejects.toMatchObject({ data: { Code: 'InvalidAccessKeyId.NotFound', HttpStatus: 404 } });
  });

  it('answers a wrong secret with 400 SignatureDoesNotMatch (v1, ACS3, real SDK)', async () => {
    await expectApiError(await send(createV1({ secret: 'wrong-secret' })), 400, 'SignatureDoesNotMatch');
    await expectApiError(await send(createAcs3({ secret: 'wrong-secret' })), 400, 'SignatureDoesNotMatch');
    const sdk = kmsClient(server.endpoint, { accessKeyId: ACCESS_KEY_ID, accessKeySecret: 'wrong-secret' });
    await expect(
      sdk.createSecret(
        new $Kms.CreateSecretRequest({ secretName: uniqueName(), versionId: 'v1', secretData: 's' }),
      ),
    ).rejects.toMatchObject({ data: { Code: 'SignatureDoesNotMatch', HttpStatus: 400 } });
  });

  it("ends a v1 mismatch's message with the server's string to sign, as the real service does", async () => {
    const name = uniqueName();
    const pairs = signV1(
      'CreateSecret',
      { SecretName: name, VersionId: 'v1', SecretData: 's' },
      {
        secret: 'wrong-secret',
      },
    );
    const body = await expectApiError(
      await send(
        v1Request(
          server.baseUrl,
          'CreateSecret',
          { SecretName: name, VersionId: 'v1', SecretData: 's' },
          {
            secret: 'wrong-secret',
            nonce: pairs.find(([n]) => n === 'SignatureNonce')?.[1] ?? '',
            timestamp: pairs.find(([n]) => n === 'Timestamp')?.[1] ?? '',
          },
        ),
      ),
      400,
      'SignatureDoesNotMatch',
    );
    const unsigned = pairs.filter(([n]) => n !== 'Signature');
    expect(body.Message).toBe(
      `Specified signature is not matched with our calculation. server string to sign is:${v1StringToSign('POST', unsigned)}`,
    );
    expect(String(body.Message)).not.toContain('wrong-secret');
  });

  it('answers a parameter changed after signing with 400 SignatureDoesNotMatch', async () => {
    const request = createV1({}, 'auth-tampered');
    const tampered = { ...request, url: request.url.replace('auth-tampered', 'auth-tampered-2') };
    await expectApiError(await send(tampered), 400, 'SignatureDoesNotMatch');
    // The same for the method: a POST signature does not authorise a GET.
    await expectApiError(
      await send({ ...request, init: { ...request.init, method: 'GET' } }),
      400,
      'SignatureDoesNotMatch',
    );
  });

  it('answers a missing Signature or AccessKeyId with 400 MissingParameter', async () => {
    const noSignature = await expectApiError(
      await send(createV1({ omit: ['Signature'] })),
      400,
      'MissingParameter',
    );
    expect(noSignature.Message).toContain('Signature');
    const noKey = await expectApiError(
      await send(createV1({ omit: ['AccessKeyId'] })),
      400,
      'MissingParameter',
    );
    expect(noKey.Message).toContain('AccessKeyId');
  });
});

describe('timestamps', () => {
  it('refuses a timestamp 16 minutes off either way with 400 InvalidTimeStamp.Expired', async () => {
    for (const offset of [-16 * MINUTE_MS, 16 * MINUTE_MS]) {
      const timestamp = apiTimestamp(offset);
      await expectApiError(await send(createV1({ timestamp })), 400, 'InvalidTimeStamp.Expired');
      await expectApiError(await send(createAcs3({ date: timestamp })), 400, 'InvalidTimeStamp.Expired');
    }
  });

  it('accepts a timestamp 14 minutes off', async () => {
    const early = uniqueName();
    await accepted(createV1({ timestamp: apiTimestamp(-14 * MINUTE_MS) }, early), early);
    const late = uniqueName();
    await accepted(createAcs3({ date: apiTimestamp(14 * MINUTE_MS) }, late), late);
  });

  it('refuses an unparseable timestamp with 400 IllegalTimestamp', async () => {
    for (const timestamp of ['yesterday', '2026-01-01 00:00:00', '2026-13-45T99:99:99Z', '1767225600']) {
      await expectApiError(await send(createV1({ timestamp })), 400, 'IllegalTimestamp');
      await expectApiError(await send(createAcs3({ date: timestamp })), 400, 'IllegalTimestamp');
    }
  });
});

describe('nonces', () => {
  it('refuses the exact same signed request a second time with 400 SignatureNonceUsed (v1)', async () => {
    const name = uniqueName();
    const request = createV1({}, name);
    await accepted(request, name);
    // Not Rejected.ResourceExist: the replay is stopped before it reaches the action.
    await expectApiError(await send(request), 400, 'SignatureNonceUsed');
  });

  it('refuses the exact same signed request a second time with 400 SignatureNonceUsed (ACS3)', async () => {
    const name = uniqueName();
    const request = createAcs3({}, name);
    await accepted(request, name);
    await expectApiError(await send(request), 400, 'SignatureNonceUsed');
  });

  it('refuses a used nonce on an otherwise different request', async () => {
    const nonce = randomUUID();
    const first = uniqueName();
    await accepted(createV1({ nonce }, first), first);
    await expectApiError(await send(createV1({ nonce })), 400, 'SignatureNonceUsed');
    await expectApiError(await send(createAcs3({ nonce })), 400, 'SignatureNonceUsed');
  });

  it('does not use up the nonce of a refused request', async () => {
    const nonce = randomUUID();
    await expectApiError(
      await send(createV1({ nonce, secret: 'wrong-secret' })),
      400,
      'SignatureDoesNotMatch',
    );
    await expectApiError(
      await send(createV1({ nonce, timestamp: apiTimestamp(-20 * MINUTE_MS) })),
      400,
      'InvalidTimeStamp.Expired',
    );
    const name = uniqueName();
    await accepted(createV1({ nonce }, name), name);
  });
});

describe('ACS3 headers', () => {
  it('refuses a malformed Authorization header with 400 IncompleteSignature', async () => {
    const good = createAcs3();
    for (const authorization of [
      'ACS3-HMAC-SHA256',
      'ACS3-HMAC-SHA256 nonsense',
      `ACS3-HMAC-SHA256 Credential=${ACCESS_KEY_ID}`,
      `ACS3-HMAC-SHA256 Credential=${ACCESS_KEY_ID},SignedHeaders=host,Signature=`,
      `ACS3-HMAC-SM3 Credential=${ACCESS_KEY_ID},SignedHeaders=host;x-acs-action,Signature=00`,
    ]) {
      await expectApiError(await send(withHeaders(good, { authorization })), 400, 'IncompleteSignature');
    }
  });

  it('answers SignedHeaders naming object members (constructor, __proto__) with 400, never a 5xx', async () => {
    for (const member of ['constructor', '__proto__', 'hasOwnProperty']) {
      const good = createAcs3();
      const authorization = (good.init.headers.authorization ?? '').replace(
        'SignedHeaders=',
        `SignedHeaders=${member};`,
      );
      await expectApiError(await send(withHeaders(good, { authorization })), 400, 'SignatureDoesNotMatch');
    }
  });

  it('refuses an x-acs-* header left out of SignedHeaders with 400 IncompleteSignature', async () => {
    await expectApiError(
      await send(createAcs3({ headers: { 'x-acs-extra': 'unsigned' }, unsigned: ['x-acs-extra'] })),
      400,
      'IncompleteSignature',
    );
    await expectApiError(
      await send(createAcs3({ unsigned: ['x-acs-signature-nonce'] })),
      400,
      'IncompleteSignature',
    );
    // Added after signing, as a proxy or an attacker would.
    const good = createAcs3();
    const withExtra = withHeaders(good, { 'x-acs-action': 'DeleteSecret', 'x-acs-added': '1' });
    await expectApiError(await send(withExtra), 400, 'IncompleteSignature');
  });

  it('refuses a form body whose Content-Type is not signed with 400 IncompleteSignature', async () => {
    // The content type decides whether the body's parameters count: changed in flight, it would drop
    // (or add) signed parameters without breaking the signature.
    const inBody = (name: string, options: Acs3Options = {}) =>
      acs3Request(
        server.baseUrl,
        'CreateSecret',
        { SecretName: name },
        { body: { VersionId: 'v1', SecretData: 's' }, ...options },
      );
    await expectApiError(
      await send(inBody(uniqueName(), { unsigned: ['content-type'] })),
      400,
      'IncompleteSignature',
    );
    const name = uniqueName();
    await accepted(inBody(name), name);
    // The real client signs the content type of its form body.
    for (const mode of ['openapi-acs3', 'openapi-v2'] as const) {
      const viaSdk = uniqueName();
      await openApiCallWithBody(
        server.endpoint,
        mode,
        'CreateSecret',
        { SecretName: viaSdk },
        { VersionId: 'v1', SecretData: 'from the body' },
      );
      created.push(viaSdk);
      expect((await server.instance.tessera.services.secrets.getSecretValue({ name: viaSdk })).data).toBe(
        'from the body',
      );
    }
  });

  it('refuses a body whose hash does not match x-acs-content-sha256 with 400', async () => {
    const name = uniqueName();
    const claimsOther = acs3Request(
      server.baseUrl,
      'CreateSecret',
      { SecretName: name },
      {
        body: { VersionId: 'v1', SecretData: 'real' },
        claimedHash: sha256Hex('SecretData=other&VersionId=v1'),
      },
    );
    const first = await send(claimsOther);
    expect(first.status).toBe(400);
    await expectApiError(first, 400, 'SignatureDoesNotMatch');

    // Signed over one body, sent with another.
    const signed = acs3Request(
      server.baseUrl,
      'CreateSecret',
      { SecretName: name },
      { body: { VersionId: 'v1', SecretData: 'signed' } },
    );
    const swapped = { ...signed, init: { ...signed.init, body: 'VersionId=v1&SecretData=swapped' } };
    await expectApiError(await send(swapped), 400, 'SignatureDoesNotMatch');
  });
});

describe('inactive access keys', () => {
  // The Authenticator alone, with a key resolver that returns an inactive key.
  const inactive = { id: 'InactiveKey1', userName: 'ops', status: 'inactive', secret: 'inactive-secret' };
  const accessKeys: Pick<AccessKeyService, 'resolve'> = {
    resolve: (id: string) =>
      Promise.resolve(id === inactive.id ? { ...inactive, status: 'inactive' as const } : undefined),
  };

  function signedParams(options: V1Options) {
    const pairs = signV1('CreateSecret', { SecretName: 'x', VersionId: 'v1', SecretData: 's' }, options);
    return {
      method: 'POST' as const,
      path: '/',
      headers: {},
      params: new Params(new Map(pairs)),
      query: pairs,
      body: Buffer.alloc(0),
    };
  }

  it('refuses a correctly signed request from an inactive key with 403 Forbidden.AccessKey', async () => {
    const authenticator = new Authenticator({ accessKeys, clock: systemClock });
    const request = signedParams({ accessKeyId: inactive.id, secret: inactive.secret });
    await expect(authenticator.authenticate(request)).rejects.toMatchObject({
      status: 403,
      code: 'Forbidden.AccessKey',
    });
    // A wrong signature for an inactive key is a signature error: the key's status is not revealed.
    await expect(
      authenticator.authenticate(signedParams({ accessKeyId: inactive.id, secret: 'guess' })),
    ).rejects.toMatchObject({ status: 400, code: 'SignatureDoesNotMatch' });
  });

  it('refuses an inactive key end to end and accepts it again once reactivated', async () => {
    const { accessKeys: service } = server.instance.tessera.services;
    const second = await service.create('administrator');
    const client = kmsClient(server.endpoint, { accessKeyId: second.id, accessKeySecret: second.secret });
    const describe = () => client.describeRegions(new $Kms.DescribeRegionsRequest({}));
    await expect(describe()).resolves.toBeDefined();
    await service.setStatus(second.id, 'inactive');
    await expect(describe()).rejects.toMatchObject({
      data: { Code: 'Forbidden.AccessKey', HttpStatus: 403 },
    });
    await service.setStatus(second.id, 'active');
    await expect(describe()).resolves.toBeDefined();
  });
});

describe('refused requests change nothing', () => {
  it('leaves the secret list exactly as the accepted requests made it', async () => {
    // The afterEach hook of every test in this file checks the list; this test re-checks after a burst
    // of refused writes of every kind, aimed at one name.
    const name = 'auth-never-created';
    const refused: PreparedRequest[] = [
      createV1({ accessKeyId: 'NoSuchKey' }, name),
      createV1({ secret: 'wrong' }, name),
      createV1({ timestamp: apiTimestamp(-30 * MINUTE_MS) }, name),
      createV1({ timestamp: 'nope' }, name),
      createV1({ omit: ['Signature'] }, name),
      createAcs3({ secret: 'wrong' }, name),
      createAcs3({ unsigned: ['x-acs-date'] }, name),
      createAcs3({ claimedHash: sha256Hex('x') }, name),
    ];
    for (const request of refused) {
      const response = await send(request);
      expect(response.status).toBeGreaterThanOrEqual(400);
    }
    await expect(server.instance.tessera.services.secrets.describeSecret(name)).rejects.toMatchObject({
      code: 'secret_not_found',
    });
  });
});
