/**
 * The AWS CLI v2 (botocore's signer, not the JavaScript SDK's) against this adapter's pieces: a bare
 * `node:http` listener captures what `aws secretsmanager …` sends, `SigV4Authenticator` must accept it,
 * and the CLI must read the error this adapter renders as AWS's. Skipped where Debian's `awscli` is
 * missing (`.ci/run` installs it).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../domain/errors.js';
import type { SigV4Request } from './auth.js';
import { answerAwsRequest } from './adapter.js';
import { SigV4Authenticator } from './auth.js';
import { operationOf, parseOperationInput } from './operations.js';
import { renderError } from './render.js';

const run = promisify(execFile);
const CLI = '/usr/bin/aws';
const KEY = {
  id: 'AKIDCLITEST',
  userName: 'alice',
  status: 'active' as const,
  secret: 'cli/secret+key=0123',
};

const CLI_ENV = {
  PATH: '/usr/bin:/bin',
  HOME: process.env.HOME ?? '/tmp',
  AWS_ACCESS_KEY_ID: KEY.id,
  AWS_SECRET_ACCESS_KEY: KEY.secret,
  AWS_DEFAULT_REGION: 'ap-south-1',
  AWS_CONFIG_FILE: '/nonexistent',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_PAGER: '',
};

/** Runs one CLI command against a listener that records the request and answers `ResourceNotFoundException`. */
async function captureCli(args: string[]): Promise<{ request: SigV4Request; stderr: string }> {
  let captured: SigV4Request | undefined;
  const server = createServer((incoming: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const url = new URL(incoming.url ?? '/', 'http://placeholder');
      captured = {
        method: incoming.method ?? 'GET',
        rawPath: (incoming.url ?? '/').split('?')[0] ?? '/',
        query: [...url.searchParams],
        headers: incoming.headers,
        body: Buffer.concat(chunks),
      };
      const answer = renderError(
        new DomainError('secret_not_found', "Secrets Manager can't find the specified secret."),
        'GetSecretValue',
        'req-cli',
      );
      response.writeHead(answer.status, answer.headers);
      response.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const result = await run(CLI, [...args, '--endpoint-url', `http://127.0.0.1:${port}`], {
      env: CLI_ENV,
      timeout: 60_000,
    }).then(
      (ok) => ({ stderr: ok.stderr }),
      (error: unknown) => {
        const stderr = (error as { stderr?: unknown }).stderr;
        return { stderr: typeof stderr === 'string' ? stderr : '' };
      },
    );
    if (!captured) throw new Error(`the CLI sent nothing: ${result.stderr}`);
    return { request: captured, stderr: result.stderr };
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  }
}

describe.skipIf(!existsSync(CLI))('AWS CLI v2 signatures and errors', () => {
  it('signs requests this adapter verifies and parses, and reads its error as AWS’s', async () => {
    const { request, stderr } = await captureCli([
      'secretsmanager',
      'get-secret-value',
      '--secret-id',
      'prod/db',
      '--version-stage',
      'AWSPREVIOUS',
    ]);
    const authenticator = new SigV4Authenticator({
      accessKeys: { resolve: (id: string) => Promise.resolve(id === KEY.id ? KEY : undefined) },
      clock: { now: () => Date.now() },
    });
    await expect(authenticator.authenticate(request, 'secretsmanager')).resolves.toMatchObject({
      accessKeyId: KEY.id,
      region: 'ap-south-1',
    });
    const target = request.headers['x-amz-target'];
    const operation = operationOf(typeof target === 'string' ? target : undefined);
    expect(operation).toBe('GetSecretValue');
    expect(parseOperationInput(operation, request.body)).toEqual({
      SecretId: 'prod/db',
      VersionStage: 'AWSPREVIOUS',
    });
    expect(stderr).toMatch(
      /An error occurred \(ResourceNotFoundException\) when calling the GetSecretValue operation[^:]*: Secrets Manager can't find the specified secret\./,
    );
  }, 60_000);

  it('signs a write with non-ASCII text and several stages that this adapter verifies and parses', async () => {
    const { request } = await captureCli([
      'secretsmanager',
      'put-secret-value',
      '--secret-id',
      'prod/db',
      '--secret-string',
      'héllo ✓ "quoted" \\ back',
      '--version-stages',
      'AWSPENDING',
      'blue',
    ]);
    const authenticator = new SigV4Authenticator({
      accessKeys: { resolve: (id: string) => Promise.resolve(id === KEY.id ? KEY : undefined) },
      clock: { now: () => Date.now() },
    });
    await expect(authenticator.authenticate(request, 'secretsmanager')).resolves.toMatchObject({
      accessKeyId: KEY.id,
    });
    const input = parseOperationInput('PutSecretValue', request.body);
    expect(input).toMatchObject({
      SecretId: 'prod/db',
      SecretString: 'héllo ✓ "quoted" \\ back',
      VersionStages: ['AWSPENDING', 'blue'],
    });
    // The CLI fills ClientRequestToken with a UUID, as the SDKs do.
    expect(input.ClientRequestToken).toMatch(/^[0-9a-f-]{36}$/);
  }, 60_000);

  it('gets the caller identity from STS through the adapter', async () => {
    const server = createServer((incoming: IncomingMessage, response) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        const authenticator = new SigV4Authenticator({
          accessKeys: { resolve: (id: string) => Promise.resolve(id === KEY.id ? KEY : undefined) },
          clock: { now: () => Date.now() },
        });
        const request = {
          method: incoming.method ?? 'GET',
          rawUrl: incoming.url ?? '/',
          headers: incoming.headers,
          body: Buffer.concat(chunks),
          requestId: 'req-sts',
        };
        const dispatch = {
          secretsManager: () => Promise.reject(new Error('not an STS request')),
          callerIdentity: () =>
            Promise.resolve({
              account: '123456789012',
              arn: 'arn:aws:iam::123456789012:user/alice',
              userId: 'alice',
            }),
        };
        void answerAwsRequest(request, authenticator, dispatch).then((answer) => {
          response.writeHead(answer.status, answer.headers);
          response.end(answer.body);
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const { stdout } = await run(
        CLI,
        ['sts', 'get-caller-identity', '--endpoint-url', `http://127.0.0.1:${port}`, '--output', 'json'],
        { env: CLI_ENV, timeout: 60_000 },
      );
      expect(JSON.parse(stdout)).toEqual({
        UserId: 'alice',
        Account: '123456789012',
        Arn: 'arn:aws:iam::123456789012:user/alice',
      });
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    }
  }, 60_000);
});
