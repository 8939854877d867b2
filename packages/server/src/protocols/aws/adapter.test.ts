/**
 * The adapter's request path driven by the official clients: each request the SDK signs goes through
 * `answerAwsRequest` (no HTTP server) to a recording dispatch, and the SDK reads the answer back.
 */
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  ReplicateSecretToRegionsCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../domain/errors.js';
import type { AwsDispatch, AwsHttpRequest } from './adapter.js';
import { answerAwsRequest } from './adapter.js';
import { SigV4Authenticator } from './auth.js';

const KEY = { id: 'AKIDADAPTER', userName: 'bob', status: 'active' as const, secret: 'adapter-secret' };
const authenticator = new SigV4Authenticator({
  accessKeys: { resolve: (id: string) => Promise.resolve(id === KEY.id ? KEY : undefined) },
  clock: { now: () => Date.now() },
});

interface SdkRequest {
  method: string;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

function handlerFor(dispatch: AwsDispatch) {
  return {
    async handle(request: SdkRequest) {
      const query = new URLSearchParams();
      for (const [name, value] of Object.entries(request.query ?? {}))
        for (const item of Array.isArray(value) ? value : [value ?? '']) query.append(name, item);
      const queryText = query.toString().replace(/\+/g, '%20');
      const http: AwsHttpRequest = {
        method: request.method,
        rawUrl: queryText === '' ? request.path : `${request.path}?${queryText}`,
        headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v])),
        body: Buffer.from(
          typeof request.body === 'string' ? request.body : ((request.body as Uint8Array | undefined) ?? []),
        ),
        requestId: 'req-adapter',
      };
      const answer = await answerAwsRequest(http, authenticator, dispatch);
      return {
        response: { statusCode: answer.status, headers: answer.headers, body: Buffer.from(answer.body) },
      };
    },
  };
}

const config = { region: 'sa-east-1', endpoint: 'http://127.0.0.1:1', maxAttempts: 1 };

function recordingDispatch(result: (operation: string, input: unknown) => object) {
  const calls: { operation: string; input: unknown; caller: unknown }[] = [];
  const dispatch: AwsDispatch = {
    secretsManager(operation, input, caller) {
      calls.push({ operation, input, caller });
      return Promise.resolve(result(operation, input));
    },
    callerIdentity: (caller) =>
      Promise.resolve({
        account: '123456789012',
        arn: `arn:aws:iam::123456789012:user/${caller.userName}`,
        userId: caller.userName,
      }),
  };
  return { calls, dispatch };
}

function sm(dispatch: AwsDispatch, secret = KEY.secret): SecretsManagerClient {
  return new SecretsManagerClient({
    ...config,
    credentials: { accessKeyId: KEY.id, secretAccessKey: secret },
    requestHandler: handlerFor(dispatch) as never,
  });
}

describe('answerAwsRequest with the official clients', () => {
  it('authenticates, names the operation, parses its input and renders the dispatched result', async () => {
    const { calls, dispatch } = recordingDispatch(() => ({
      Name: 'app/db',
      SecretString: 'v',
      CreatedDate: 1_700_000_000.5,
    }));
    const output = await sm(dispatch).send(
      new GetSecretValueCommand({ SecretId: 'app/db', VersionStage: 'AWSPREVIOUS' }),
    );
    expect(output).toMatchObject({
      Name: 'app/db',
      SecretString: 'v',
      $metadata: { requestId: 'req-adapter' },
    });
    expect(output.CreatedDate?.getTime()).toBe(1_700_000_000_500);
    expect(calls).toEqual([
      {
        operation: 'GetSecretValue',
        input: { SecretId: 'app/db', VersionStage: 'AWSPREVIOUS' },
        caller: { accessKeyId: KEY.id, userName: 'bob', region: 'sa-east-1', service: 'secretsmanager' },
      },
    ]);
  });

  it('renders a domain error from the dispatch in AWS terms', async () => {
    const dispatch: AwsDispatch = {
      secretsManager: () =>
        Promise.reject(
          new DomainError('secret_not_found', "Secrets Manager can't find the specified secret."),
        ),
      callerIdentity: () => Promise.reject(new Error('unused')),
    };
    await expect(sm(dispatch).send(new GetSecretValueCommand({ SecretId: 'x' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: "Secrets Manager can't find the specified secret.",
    });
  });

  it('never dispatches a request whose signature fails, or a replication request', async () => {
    const { calls, dispatch } = recordingDispatch(() => ({}));
    await expect(
      sm(dispatch, 'wrong').send(new GetSecretValueCommand({ SecretId: 'x' })),
    ).rejects.toMatchObject({
      name: 'InvalidSignatureException',
    });
    await expect(
      sm(dispatch).send(
        new ReplicateSecretToRegionsCommand({ SecretId: 'x', AddReplicaRegions: [{ Region: 'us-east-1' }] }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidRequestException',
      message: expect.stringContaining('one region') as unknown,
    });
    await expect(
      sm(dispatch).send(new CreateSecretCommand({ Name: 'x', AddReplicaRegions: [{ Region: 'us-east-1' }] })),
    ).rejects.toMatchObject({ name: 'InvalidRequestException' });
    expect(calls).toEqual([]);
  });

  it('answers STS GetCallerIdentity, and STS signature failures in STS terms', async () => {
    const { dispatch } = recordingDispatch(() => ({}));
    const sts = (secret: string) =>
      new STSClient({
        ...config,
        credentials: { accessKeyId: KEY.id, secretAccessKey: secret },
        requestHandler: handlerFor(dispatch) as never,
      });
    await expect(sts(KEY.secret).send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({
      Account: '123456789012',
      Arn: 'arn:aws:iam::123456789012:user/bob',
      UserId: 'bob',
    });
    await expect(sts('wrong').send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: 'SignatureDoesNotMatch',
      $metadata: { httpStatusCode: 403 },
    });
  });
});
