/**
 * A real Tessera on an ephemeral port serving both APIs, the official AWS clients pointed at it
 * (`@aws-sdk/client-secrets-manager` v3 and `@aws-sdk/client-sts`, endpoint override, any region),
 * and the Alibaba clients of the Alibaba harness on the same server for cross-protocol scenarios.
 * Access keys are Tessera's: the administrator's bootstrap key signs both schemes.
 */
import type { SecretsManagerServiceException } from '@aws-sdk/client-secrets-manager';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { STSClient } from '@aws-sdk/client-sts';
import { expect } from 'vitest';
import type { Clock } from '../../../src/services/clock.js';
import type { ApiClient, ApiServer } from '../alibaba/harness.js';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, startApiServer } from '../alibaba/harness.js';

export { ACCESS_KEY_ID, ACCESS_KEY_SECRET };

/** The home region the server answers ARNs in; clients may sign for any other. */
export const HOME_REGION = 'eu-central-1';

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface AwsServer {
  /** The same server seen through the Alibaba harness (its clients, its instance). */
  readonly api: ApiServer;
  readonly baseUrl: string;
  readonly accountId: string;
  /** Secrets Manager signed by the administrator, scoped to the home region. */
  readonly sm: SecretsManagerClient;
  readonly sts: STSClient;
  /** An Alibaba client on the same server (pop-core POST). */
  readonly alibaba: ApiClient;
  secretsManager(options?: { credentials?: AwsCredentials; region?: string }): SecretsManagerClient;
  /** `arn:aws:secretsmanager:<home>:<account>:secret:<name>` without the suffix (a partial ARN). */
  partialArn(name: string): string;
  stop(): Promise<void>;
}

const ADMIN: AwsCredentials = { accessKeyId: ACCESS_KEY_ID, secretAccessKey: ACCESS_KEY_SECRET };

export async function startAwsServer(
  options: { clock?: Clock; env?: Record<string, string> } = {},
): Promise<AwsServer> {
  const api = await startApiServer({
    ...(options.clock ? { clock: options.clock } : {}),
    env: { TESSERA_REGION: HOME_REGION, ...options.env },
  });
  const accountId = api.instance.tessera.identity.accountId;
  const secretsManager = (o: { credentials?: AwsCredentials; region?: string } = {}) =>
    new SecretsManagerClient({
      endpoint: api.baseUrl,
      region: o.region ?? HOME_REGION,
      credentials: o.credentials ?? ADMIN,
      maxAttempts: 1,
      // The server's clock may be a manual one: sign with its time.
      ...(options.clock ? { systemClockOffset: options.clock.now() - Date.now() } : {}),
    });
  const sm = secretsManager();
  const sts = new STSClient({
    endpoint: api.baseUrl,
    region: HOME_REGION,
    credentials: ADMIN,
    maxAttempts: 1,
  });
  return {
    api,
    baseUrl: api.baseUrl,
    accountId,
    sm,
    sts,
    alibaba: api.client('pop-core-post'),
    secretsManager,
    partialArn: (name) => `arn:aws:secretsmanager:${HOME_REGION}:${accountId}:secret:${name}`,
    async stop() {
      sm.destroy();
      sts.destroy();
      await api.stop();
    },
  };
}

/** A call that must fail with this AWS exception; returns it for further checks. */
export async function expectAwsError(
  promise: Promise<unknown>,
  name: string,
  message?: string | RegExp,
): Promise<SecretsManagerServiceException> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error === undefined) throw new Error(`expected ${name}, and the call succeeded`);
  const exception = error as SecretsManagerServiceException;
  expect({ name: exception.name, status: exception.$metadata.httpStatusCode }).toEqual({
    name,
    status: exception.$fault === 'server' ? exception.$metadata.httpStatusCode : 400,
  });
  if (message !== undefined) expect(exception.message).toMatch(message);
  return exception;
}

/** A 32–64 character ClientRequestToken, as the SDKs make them. */
export function token(label: string): string {
  return `${label}-${'0'.repeat(32)}`.slice(0, 64);
}
