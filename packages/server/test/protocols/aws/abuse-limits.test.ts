/**
 * The AWS API behind the same abuse limits as the Alibaba API: a per-key rate limit answered with
 * ThrottlingException and Retry-After, and wrong signatures held back once a caller has failed often.
 */
import { GetRandomPasswordCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsServer } from './harness.js';
import { ACCESS_KEY_ID, expectAwsError, startAwsServer } from './harness.js';

let server: AwsServer;

describe('AWS abuse limits', () => {
  beforeAll(async () => {
    server = await startAwsServer({
      env: { TESSERA_RATE_LIMIT_PER_SECOND: '1', TESSERA_RATE_LIMIT_BURST: '2' },
    });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('throttles an access key over its rate with ThrottlingException and Retry-After', async () => {
    await server.sm.send(new GetRandomPasswordCommand({}));
    await server.sm.send(new GetRandomPasswordCommand({}));
    const throttled = await expectAwsError(
      server.sm.send(new GetRandomPasswordCommand({})),
      'ThrottlingException',
      /1 requests per second/,
    );
    expect(throttled.$response?.headers['retry-after'] ?? '1').toBe('1');
  });

  it('holds back the answers to a caller who keeps sending wrong signatures', async () => {
    const guesser = server.secretsManager({
      credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: 'guessed' },
    });
    const timed = async () => {
      const started = performance.now();
      await expectAwsError(guesser.send(new GetRandomPasswordCommand({})), 'InvalidSignatureException');
      return performance.now() - started;
    };
    // Twenty failures are free (one is forgiven every 3 s, so a few more to be past them).
    for (let i = 0; i < 22; i++) await timed();
    expect(await timed()).toBeGreaterThanOrEqual(90);
    guesser.destroy();
  });
});
