/**
 * The wire-independent behaviour contract (test/contract/secret-behaviour.ts) run against the Alibaba
 * API through a real SDK client: this file only maps the contract's calls, stage names and failure
 * kinds onto the Alibaba wire.
 */
import type { ContractClient, FailureKind } from '../../contract/secret-behaviour.js';
import { ContractError, describeSecretBehaviour } from '../../contract/secret-behaviour.js';
import type { ApiClient, Body } from './harness.js';
import { ApiError, clientsFor, startApiServer } from './harness.js';

const STAGES: Readonly<Record<string, string>> = {
  current: 'ACSCurrent',
  previous: 'ACSPrevious',
  pending: 'ACSPending',
};
const toWire = (stage: string) => STAGES[stage] ?? stage;
const fromWire = (stage: string) => Object.entries(STAGES).find(([, wire]) => wire === stage)?.[0] ?? stage;

const KINDS: Readonly<Record<string, FailureKind>> = {
  'Forbidden.ResourceNotFound': 'not_found',
  'Rejected.ResourceExist': 'conflict',
  'Rejected.ResourceInDeleteWindow': 'pending_deletion',
  'Forbidden.NoPermission': 'denied',
  InvalidParameter: 'invalid',
  'Rejected.LimitExceeded': 'limit',
};

const stagesOf = (body: Body): string[] =>
  ((body.VersionStages as { VersionStage?: string[] } | undefined)?.VersionStage ?? []).map(fromWire);

function alibabaContractClient(api: ApiClient): ContractClient {
  const call = async (action: string, params: Record<string, string>): Promise<Body> => {
    try {
      return await api.call(action, params);
    } catch (error) {
      const kind = error instanceof ApiError ? KINDS[error.code] : undefined;
      if (kind === undefined) throw error;
      throw new ContractError(kind, (error as Error).message);
    }
  };
  return {
    async createSecret(name, versionId, value) {
      await call('CreateSecret', { SecretName: name, VersionId: versionId, SecretData: value });
    },
    async putValue(name, versionId, value, stages) {
      const params: Record<string, string> = { SecretName: name, VersionId: versionId, SecretData: value };
      if (stages !== undefined) params.VersionStages = JSON.stringify(stages.map(toWire));
      return stagesOf(await call('PutSecretValue', params));
    },
    async getValue(name, select = {}) {
      const params: Record<string, string> = { SecretName: name };
      if (select.versionId !== undefined) params.VersionId = select.versionId;
      if (select.stage !== undefined) params.VersionStage = toWire(select.stage);
      const body = await call('GetSecretValue', params);
      return { versionId: String(body.VersionId), value: String(body.SecretData), stages: stagesOf(body) };
    },
    async moveStage(name, stage, to, from) {
      const params: Record<string, string> = { SecretName: name, VersionStage: toWire(stage) };
      if (to !== undefined) params.MoveToVersion = to;
      if (from !== undefined) params.RemoveFromVersion = from;
      await call('UpdateSecretVersionStage', params);
    },
    async versions(name, includeUnlabeled) {
      const body = await call('ListSecretVersionIds', {
        SecretName: name,
        IncludeDeprecated: String(includeUnlabeled),
        PageSize: '100',
      });
      const items = (body.VersionIds as { VersionId?: Body[] } | undefined)?.VersionId ?? [];
      return items.map((item) => ({ versionId: String(item.VersionId), stages: stagesOf(item) }));
    },
    async deleteSecret(name, { force }) {
      await call('DeleteSecret', {
        SecretName: name,
        ...(force ? { ForceDeleteWithoutRecovery: 'true' } : { RecoveryWindowInDays: '7' }),
      });
    },
    async restoreSecret(name) {
      await call('RestoreSecret', { SecretName: name });
    },
  };
}

describeSecretBehaviour('alibaba', async () => {
  const server = await startApiServer();
  const { identities, accessKeys } = server.instance.tessera.services;
  await identities.createUser({ name: 'contract-nobody' });
  const key = await accessKeys.create('contract-nobody');
  const nobody = clientsFor(server, { accessKeyId: key.id, accessKeySecret: key.secret }).find(
    (c) => c.name === 'pop-core-post',
  );
  if (!nobody) throw new Error('no pop-core client');
  return {
    admin: alibabaContractClient(server.client('pop-core-post')),
    nobody: alibabaContractClient(nobody),
    stop: () => server.stop(),
  };
});
