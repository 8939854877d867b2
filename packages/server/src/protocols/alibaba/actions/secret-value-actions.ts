/**
 * Actions on secret values: create, read (one or a batch), write, and move stage labels (API spec
 * §3.1–3.4, §5).
 */
import { DomainError } from '../../../domain/errors.js';
import type { Secret } from '../../../domain/secret.js';
import { SECRET_DATA_TYPES } from '../../../domain/validation.js';
import type { SecretValue, SecretValueSelector } from '../../../services/secret-values.js';
import type { ActionContext, ActionTable } from '../action.js';
import type { WireBody } from '../codec.js';
import {
  domainErrorToWire,
  GENERIC_SECRET_TYPE,
  RDS_SECRET_TYPE,
  secretArn,
  secretNameFrom,
  secretNameOf,
  stageToDomain,
  stagesToWire,
  tagsFromJson,
  timestamp,
} from '../codec.js';
import { dryRunPassed, invalidParameter, missingParameter } from '../errors.js';
import type { Params } from '../params.js';
import { rotationFields, rotationIntervalOf, rotationPermissions } from './rotation-actions.js';
import { shapes } from '../params.js';

/** Secrets one BatchGetSecretValue may read (API spec §4). */
const MAX_BATCH_SECRETS = 20;

/** Generic, or Rds: a managed database secret (docs/database-secrets.md). */
function secretType(params: Params): typeof GENERIC_SECRET_TYPE | typeof RDS_SECRET_TYPE {
  const type = params.optional('SecretType') ?? GENERIC_SECRET_TYPE;
  // The documentation spells the managed database type both ways.
  if (type === RDS_SECRET_TYPE || type === 'RDS') return RDS_SECRET_TYPE;
  if (type !== GENERIC_SECRET_TYPE)
    throw invalidParameter('SecretType', `The secret type "${type}" is not supported; use Generic or Rds.`);
  return type;
}

/** `["A","B"]`, or the 2021 shape `{"VersionStage":["A"]}`. */
function versionStages(params: Params): string[] | undefined {
  const stages = params.json('VersionStages', (value) => {
    if (Array.isArray(value)) return shapes.stringArray(value);
    if (typeof value === 'object' && value !== null && 'VersionStage' in value) {
      const inner = value.VersionStage;
      return typeof inner === 'string' ? [inner] : shapes.stringArray(inner);
    }
    return undefined;
  });
  return stages?.map((stage) => stageToDomain(stage, 'VersionStages'));
}

/** The GetSecretValue answer, also each item of BatchGetSecretValue's `SecretValues`. */
function secretValueToWire(value: SecretValue, fetchExtendedConfig = false): WireBody {
  return {
    SecretName: value.secret.name,
    VersionId: value.version.versionId,
    CreateTime: timestamp(value.version.createdAt),
    SecretData: value.data,
    SecretDataType: value.version.dataType,
    SecretType: value.secret.secretType,
    VersionStages: stagesToWire(value.stages),
    ExtendedConfig: fetchExtendedConfig ? (value.secret.extendedConfig ?? undefined) : undefined,
  };
}

async function createSecret({
  params,
  services,
  identity,
  noteResource,
  access,
}: ActionContext): Promise<WireBody> {
  const name = params.required('SecretName');
  noteResource(name);
  const type = secretType(params);
  const extendedConfig = params.optional('ExtendedConfig');
  const enableRotation = params.boolean('EnableAutomaticRotation', false);
  const intervalSeconds = rotationIntervalOf(params);
  if (enableRotation) {
    // Refused before anything is stored: the secret must have a rotator and an interval.
    await services.rotation.assertRotatable({ secretName: name, secretType: type, extendedConfig });
    if (intervalSeconds === undefined) throw missingParameter('RotationInterval');
  }
  const input = {
    name,
    versionId: params.required('VersionId'),
    data: params.required('SecretData'),
    dataType: params.oneOf('SecretDataType', SECRET_DATA_TYPES, 'text'),
    description: params.optional('Description'),
    encryptionKeyId: params.optional('EncryptionKeyId'),
    tags: tagsFromJson(params),
    policy: params.optional('Policy'),
    secretType: type,
    extendedConfig,
  };
  // Parameters first, then access: a malformed request gets its parameter error whoever sends it.
  await access.requireUnscoped({ secretNames: [name] });
  // The values are sealed under the customer key, so the caller must be allowed to use it (and a key it
  // may not see answers as missing).
  if (input.encryptionKeyId !== undefined) {
    await access.requireKey(input.encryptionKeyId, 'kms:GenerateDataKey');
  }
  // A rotator binding needs the permissions of everything its rotations will touch.
  const authorizedRotationTarget = await services.rotationAuthorization.authorizeBinding(
    { secretName: name, secretType: type, extendedConfig: extendedConfig ?? null, firstValue: input.data },
    rotationPermissions(access, name),
  );
  const bound = { ...input, authorizedRotationTarget };
  // Rds secrets are checked against their database instance and stored as {"AccountName","AccountPassword"}.
  const secret =
    type === RDS_SECRET_TYPE
      ? await services.databases.createRdsSecret(bound)
      : await services.secrets.createSecret(bound);
  const policy = enableRotation
    ? await services.rotation.updatePolicy(secret.name, { enabled: true, intervalSeconds })
    : undefined;
  const rotatable = services.rotation.isRotatable(secret);
  return {
    Arn: secretArn(identity, secret.name),
    SecretName: secret.name,
    VersionId: params.required('VersionId'),
    SecretType: type,
    DKMSInstanceId: params.optional('DKMSInstanceId'),
    ...(rotatable ? { ...rotationFields(true, policy), ExtendedConfig: extendedConfig } : {}),
  };
}

async function getSecretValue({ params, services, noteResource, access }: ActionContext): Promise<WireBody> {
  const name = secretNameOf(params);
  noteResource(name);
  const stage = params.optional('VersionStage');
  const selector = {
    name,
    versionId: params.optional('VersionId'),
    stage: stage === undefined ? undefined : stageToDomain(stage, 'VersionStage'),
  };
  const dryRun = params.boolean('DryRun', false);
  const fetchExtendedConfig = params.boolean('FetchExtendedConfig', false);
  const value = await services.secrets.getSecretValue(selector, access.secretGuard());
  // A dry run does everything a real read does, then answers without the value (DECISIONS 14).
  if (dryRun) throw dryRunPassed();
  // Only secrets a rotator serves pay for the policy lookup.
  const rotation = services.rotation.isRotatable(value.secret)
    ? rotationFields(true, await services.rotation.policyOf(value.secret))
    : {};
  return { ...secretValueToWire(value, fetchExtendedConfig), ...rotation };
}

/**
 * `SecretsList`: a JSON array of 1–20 `{SecretName, VersionStage?, VersionId?, FetchExtendedConfig?}`
 * (SecretName by name or ARN). Anything malformed fails the whole call; what happens to each secret
 * is reported per item.
 */
function secretsList(params: Params): SecretValueSelector[] {
  const items = params.json('SecretsList', (value) => shapes.objectArray(value));
  if (items === undefined) throw missingParameter('SecretsList');
  if (items.length === 0 || items.length > MAX_BATCH_SECRETS) {
    throw invalidParameter('SecretsList', `List 1 to ${MAX_BATCH_SECRETS} secrets.`);
  }
  return items.map((item, index) => {
    const where = `Item ${index + 1}`;
    const { SecretName: name, VersionId: versionId, VersionStage: stage, FetchExtendedConfig: fetch } = item;
    if (typeof name !== 'string' || name === '') {
      throw invalidParameter('SecretsList', `${where} needs a "SecretName".`);
    }
    for (const [field, value] of [
      ['VersionId', versionId],
      ['VersionStage', stage],
    ] as const) {
      if (value !== undefined && typeof value !== 'string') {
        throw invalidParameter('SecretsList', `${where}: "${field}" must be a string.`);
      }
    }
    if (
      fetch !== undefined &&
      typeof fetch !== 'boolean' &&
      !(typeof fetch === 'string' && /^(true|false)$/i.test(fetch))
    ) {
      throw invalidParameter('SecretsList', `${where}: "FetchExtendedConfig" must be true or false.`);
    }
    return {
      // The name-or-ARN rule of every other action, with errors naming this parameter.
      name: secretNameFrom(name, 'SecretsList'),
      versionId: typeof versionId === 'string' && versionId !== '' ? versionId : undefined,
      stage: typeof stage === 'string' && stage !== '' ? stageToDomain(stage, 'SecretsList') : undefined,
    };
  });
}

function itemError(name: string, error: DomainError): WireBody {
  const wire = domainErrorToWire(error);
  return { SecretName: name, Code: wire.code, Message: wire.message, HttpStatus: wire.status };
}

async function batchGetSecretValue({
  params,
  services,
  noteResource,
  access,
}: ActionContext): Promise<WireBody> {
  const selectors = secretsList(params);
  noteResource(selectors.map((s) => s.name).join(','));
  // A refused item answers exactly as a missing one (the permission table's note).
  const results = await services.secrets.getSecretValues(selectors, access.secretGuard({ alwaysMask: true }));
  const values: WireBody[] = [];
  const errors: WireBody[] = [];
  results.forEach((result, index) => {
    if (result.ok) values.push(secretValueToWire(result.value));
    else errors.push(itemError(selectors[index]?.name ?? '', result.error));
  });
  // The one KMS answer whose lists are bare arrays, not `{"Item":[…]}` wrappers (API spec §1.5).
  return { SecretValues: values, Errors: errors };
}

/**
 * PutSecretValue and UpdateSecretVersionStage are for Generic secrets only (API spec §3.2): the versions
 * of a managed secret are Tessera's own, written by its rotation runs, and a hand-written value would
 * break the next rotation. Checked after access, so a caller who may not see the secret learns nothing.
 */
function onlyGeneric(secret: Secret, action: string): void {
  if (secret.secretType !== GENERIC_SECRET_TYPE) {
    throw new DomainError(
      'unsupported_operation',
      `${action} works on Generic secrets only; rotate a ${secret.secretType} secret with RotateSecret.`,
    );
  }
}

async function putSecretValue({ params, services, noteResource, access }: ActionContext): Promise<WireBody> {
  const name = secretNameOf(params);
  noteResource(name);
  const input = {
    name,
    versionId: params.required('VersionId'),
    data: params.required('SecretData'),
    dataType: params.oneOf('SecretDataType', SECRET_DATA_TYPES, 'text'),
    stages: versionStages(params),
  };
  onlyGeneric(await access.requireSecret(name), 'PutSecretValue');
  const result = await services.secrets.putSecretValue(input);
  return {
    SecretName: result.secret.name,
    VersionId: result.versionId,
    VersionStages: stagesToWire(result.stages),
  };
}

async function updateSecretVersionStage({
  params,
  services,
  noteResource,
  access,
}: ActionContext): Promise<WireBody> {
  const name = secretNameOf(params);
  noteResource(name);
  const input = {
    name,
    stage: stageToDomain(params.required('VersionStage'), 'VersionStage'),
    moveToVersion: params.optional('MoveToVersion'),
    removeFromVersion: params.optional('RemoveFromVersion'),
  };
  onlyGeneric(await access.requireSecret(name), 'UpdateSecretVersionStage');
  const secret = await services.secrets.updateVersionStage(input);
  return { SecretName: secret.name };
}

export const SECRET_VALUE_ACTIONS: ActionTable = {
  CreateSecret: createSecret,
  GetSecretValue: getSecretValue,
  BatchGetSecretValue: batchGetSecretValue,
  PutSecretValue: putSecretValue,
  UpdateSecretVersionStage: updateSecretVersionStage,
};
