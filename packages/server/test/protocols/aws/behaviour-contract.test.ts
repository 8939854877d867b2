/**
 * The wire-independent behaviour contract (test/contract/secret-behaviour.ts) run against the AWS API
 * through the official `@aws-sdk/client-secrets-manager` client: this file only maps the contract's
 * calls, stage names, version ids and failure kinds onto the AWS wire.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  SecretsManagerServiceException,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { ContractClient, FailureKind } from '../../contract/secret-behaviour.js';
import { ContractError, describeSecretBehaviour } from '../../contract/secret-behaviour.js';
import { startAwsServer } from './harness.js';

const STAGES: Readonly<Record<string, string>> = {
  current: 'AWSCURRENT',
  previous: 'AWSPREVIOUS',
  pending: 'AWSPENDING',
};
const toWire = (stage: string) => STAGES[stage] ?? stage;
const fromWire = (stage: string) => Object.entries(STAGES).find(([, wire]) => wire === stage)?.[0] ?? stage;

/** ClientRequestToken is 32–64 characters: the contract's short ids are padded with dots, reversibly. */
const idToWire = (id: string) => id.padEnd(32, '.');
const idFromWire = (token: string | undefined) => (token ?? '').replace(/\.+$/, '');

const KINDS: Readonly<Record<string, FailureKind>> = {
  ResourceNotFoundException: 'not_found',
  ResourceExistsException: 'conflict',
  InvalidRequestException: 'pending_deletion',
  AccessDeniedException: 'denied',
  InvalidParameterException: 'invalid',
  ValidationException: 'invalid',
  LimitExceededException: 'limit',
};

function awsContractClient(sm: SecretsManagerClient): ContractClient {
  const send = async <T>(command: Parameters<SecretsManagerClient['send']>[0]): Promise<T> => {
    try {
      return (await sm.send(command)) as T;
    } catch (error) {
      const kind = error instanceof SecretsManagerServiceException ? KINDS[error.name] : undefined;
      if (kind === undefined) throw error;
      throw new ContractError(kind, (error as Error).message);
    }
  };
  return {
    async createSecret(name, versionId, value) {
      await send(
        new CreateSecretCommand({ Name: name, ClientRequestToken: idToWire(versionId), SecretString: value }),
      );
    },
    async putValue(name, versionId, value, stages) {
      const put = await send<{ VersionStages?: string[] }>(
        new PutSecretValueCommand({
          SecretId: name,
          ClientRequestToken: idToWire(versionId),
          SecretString: value,
          VersionStages: stages?.map(toWire),
        }),
      );
      return (put.VersionStages ?? []).map(fromWire);
    },
    async getValue(name, select = {}) {
      const value = await send<{ VersionId?: string; SecretString?: string; VersionStages?: string[] }>(
        new GetSecretValueCommand({
          SecretId: name,
          VersionId: select.versionId === undefined ? undefined : idToWire(select.versionId),
          VersionStage: select.stage === undefined ? undefined : toWire(select.stage),
        }),
      );
      return {
        versionId: idFromWire(value.VersionId),
        value: value.SecretString ?? '',
        stages: (value.VersionStages ?? []).map(fromWire),
      };
    },
    async moveStage(name, stage, to, from) {
      await send(
        new UpdateSecretVersionStageCommand({
          SecretId: name,
          VersionStage: toWire(stage),
          MoveToVersionId: to === undefined ? undefined : idToWire(to),
          RemoveFromVersionId: from === undefined ? undefined : idToWire(from),
        }),
      );
    },
    async versions(name, includeUnlabeled) {
      const listed = await send<{ Versions?: { VersionId?: string; VersionStages?: string[] }[] }>(
        new ListSecretVersionIdsCommand({
          SecretId: name,
          IncludeDeprecated: includeUnlabeled,
          MaxResults: 100,
        }),
      );
      return (listed.Versions ?? []).map((v) => ({
        versionId: idFromWire(v.VersionId),
        stages: (v.VersionStages ?? []).map(fromWire),
      }));
    },
    async deleteSecret(name, { force }) {
      await send(
        new DeleteSecretCommand(
          force
            ? { SecretId: name, ForceDeleteWithoutRecovery: true }
            : { SecretId: name, RecoveryWindowInDays: 7 },
        ),
      );
    },
    async restoreSecret(name) {
      await send(new RestoreSecretCommand({ SecretId: name }));
    },
  };
}

describeSecretBehaviour('aws', async () => {
  const server = await startAwsServer();
  const { identities, accessKeys } = server.api.instance.tessera.services;
  await identities.createUser({ name: 'contract-nobody' });
  const key = await accessKeys.create('contract-nobody');
  const nobody = server.secretsManager({
    credentials: { accessKeyId: key.id, secretAccessKey: key.secret },
  });
  return {
    admin: awsContractClient(server.sm),
    nobody: awsContractClient(nobody),
    stop: async () => {
      nobody.destroy();
      await server.stop();
    },
  };
});
