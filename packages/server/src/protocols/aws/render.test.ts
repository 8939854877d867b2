/**
 * The answers this adapter renders, read back by the official clients: what `@aws-sdk/client-secrets-
 * manager` and `@aws-sdk/client-sts` make of them is what every AWS tool will.
 */
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../domain/errors.js';
import { epochSeconds, secretArn, stageToWire, userArn, versionIdsToStages } from './codec.js';
import { AwsError } from './errors.js';
import type { AwsAnswer } from './render.js';
import { renderError, renderResult } from './render.js';
import { renderCallerIdentity, renderStsError, STS_CONTENT_TYPE } from './sts.js';

const HOME = { region: 'eu-central-1', accountId: '123456789012' };

/** A client whose every request is answered with `answer`, as if it came over HTTP. */
function handlerAnswering(answer: AwsAnswer) {
  return {
    handle: () =>
      Promise.resolve({
        response: { statusCode: answer.status, headers: answer.headers, body: Buffer.from(answer.body) },
      }),
  };
}

const clientConfig = {
  region: 'us-east-1',
  endpoint: 'http://127.0.0.1:1',
  credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
  maxAttempts: 1,
};

function secretsManager(answer: AwsAnswer): SecretsManagerClient {
  return new SecretsManagerClient({ ...clientConfig, requestHandler: handlerAnswering(answer) as never });
}

describe('results as the SDK reads them', () => {
  it('gives dates from epoch seconds with fractions, bytes from base64, labels as AWS spells them', async () => {
    const created = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
    const stages = new Map([
      ['$current', 'v2'],
      ['$previous', 'v1'],
      ['$pending', 'v3'],
      ['custom', 'v2'],
    ]);
    const answer = renderResult(
      {
        ARN: secretArn(HOME, 'prod/db', 'AbC123'),
        Name: 'prod/db',
        VersionId: 'v2',
        SecretBinary: Buffer.from([0, 1, 2, 255]),
        VersionStages: ['$current', 'custom'].map(stageToWire),
        CreatedDate: epochSeconds(created),
      },
      'req-1',
    );
    const output = await secretsManager(answer).send(new GetSecretValueCommand({ SecretId: 'prod/db' }));
    expect(output.ARN).toBe('arn:aws:secretsmanager:eu-central-1:123456789012:secret:prod/db-AbC123');
    expect(output.CreatedDate?.getTime()).toBe(created);
    expect(Array.from(output.SecretBinary ?? [])).toEqual([0, 1, 2, 255]);
    expect(output.VersionStages).toEqual(['AWSCURRENT', 'custom']);
    expect(output.$metadata.requestId).toBe('req-1');

    const describe = await secretsManager(
      renderResult({ Name: 'prod/db', VersionIdsToStages: versionIdsToStages(stages) }, 'req-2'),
    ).send(new DescribeSecretCommand({ SecretId: 'prod/db' }));
    expect(describe.VersionIdsToStages).toEqual({
      v1: ['AWSPREVIOUS'],
      v2: ['AWSCURRENT', 'custom'],
      v3: ['AWSPENDING'],
    });
  });
});

describe('errors as the SDK reads them', () => {
  it('names the exception class, message and request id from the body and headers', async () => {
    const answer = renderError(
      new DomainError('secret_not_found', "Secrets Manager can't find the specified secret."),
      'GetSecretValue',
      'req-3',
    );
    expect(answer.status).toBe(400);
    expect(answer.headers['x-amzn-errortype']).toBe('ResourceNotFoundException');
    const error = await secretsManager(answer)
      .send(new GetSecretValueCommand({ SecretId: 'missing' }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error).toMatchObject({
      name: 'ResourceNotFoundException',
      message: "Secrets Manager can't find the specified secret.",
      $metadata: { httpStatusCode: 400, requestId: 'req-3' },
    });
  });

  it('reports key problems as DecryptionFailure on reads and EncryptionFailure on writes', () => {
    const disabled = new DomainError('key_disabled');
    expect(renderError(disabled, 'GetSecretValue', 'r').headers['x-amzn-errortype']).toBe(
      'DecryptionFailure',
    );
    expect(renderError(disabled, 'PutSecretValue', 'r').headers['x-amzn-errortype']).toBe(
      'EncryptionFailure',
    );
  });

  it('never puts the cause of an unknown failure on the wire', async () => {
    const answer = renderError(new Error('database password is hunter2'), 'GetSecretValue', 'req-4');
    expect(answer.status).toBe(500);
    expect(answer.body).not.toContain('hunter2');
    const error = await secretsManager(answer)
      .send(new GetSecretValueCommand({ SecretId: 'x' }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'InternalServiceError', $fault: 'server' });
    expect(JSON.parse(renderError(new DomainError('internal', 'leak'), 'X', 'r').body)).toEqual({
      __type: 'InternalServiceError',
      message: 'An error occurred on the server side.',
    });
  });

  it('renders protocol errors with their own status and code', () => {
    const answer = renderError(
      new AwsError(400, 'ValidationException', '1 validation error detected: …'),
      'X',
      'r',
    );
    expect(JSON.parse(answer.body)).toEqual({
      __type: 'ValidationException',
      message: '1 validation error detected: …',
    });
  });
});

describe('STS GetCallerIdentity as the STS client reads it', () => {
  const sts = (answer: AwsAnswer) =>
    new STSClient({ ...clientConfig, requestHandler: handlerAnswering(answer) as never });

  it('gives the account, the user id and the user ARN', async () => {
    const answer = renderCallerIdentity(
      { account: HOME.accountId, arn: userArn(HOME, 'alice'), userId: 'alice' },
      'req-5',
    );
    expect(answer.headers['content-type']).toBe(STS_CONTENT_TYPE);
    const output = await sts(answer).send(new GetCallerIdentityCommand({}));
    expect(output).toMatchObject({
      Account: '123456789012',
      Arn: 'arn:aws:iam::123456789012:user/alice',
      UserId: 'alice',
      $metadata: { requestId: 'req-5' },
    });
  });

  it('words signature failures as STS does', async () => {
    const rendered = renderStsError(
      new AwsError(
        400,
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
      ),
      'req-6',
    );
    expect(rendered.status).toBe(403);
    const error = await sts(rendered)
      .send(new GetCallerIdentityCommand({}))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'InvalidClientTokenId',
      message: 'The security token included in the request is invalid.',
    });
  });
});
