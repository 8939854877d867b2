/**
 * Actions on secret values: create, read (one or a batch), write, and move stage labels
 * (docs/behaviour.md rules 1–8).
 */
import type { DomainError } from '../../../domain/errors.js';
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
import { invalidParameter, missingParameter } from '../errors.js';
import type { Params } from '../params.js';
import { createSecret as createSecretUseCase } from '../../../services/operations/secret-use-cases.js';
import { rotationFields, rotationIntervalOf } from './rotation-actions.js';
import { shapes } from '../params.js';

/** Secrets one BatchGetSecretValue may read. */
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
  const enabled = params.boolean('EnableAutomaticRotation', false);
  const intervalSeconds = rotationIntervalOf(params);
  // Parameters first, then the use case (access included): a malformed request gets its parameter
  // error whoever sends it.
  const created = await createSecretUseCase(services, access, {
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
    rotation: { enabled, intervalSeconds },
  });
  return {
    Arn: secretArn(identity, created.secret.name),
    SecretName: created.secret.name,
    VersionId: params.required('VersionId'),
    SecretType: type,
    DKMSInstanceId: params.optional('DKMSInstanceId'),
    ...(created.rotatable
      ? { ...rotationFields(true, created.rotationPolicy), ExtendedConfig: extendedConfig }
      : {}),
  };
}

async function getSecretValue({
  params,
  services,
  noteResource,
  access,
  markDryRun,
}: ActionContext): Promise<WireBody> {
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
  // A dry run does everything a real read does; the pipeline answers without the value.
  if (dryRun) {
    // The pipeline withholds the answer; build none.
    markDryRun();
    return {};
  }
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
  // The one KMS answer whose lists are bare arrays, not `{"Item":[…]}` wrappers.
  return { SecretValues: values, Errors: errors };
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
  // A caller's write: Generic secrets only, checked by the service after access.
  const result = await services.secrets.putSecretValue(input, {
    guard: access.secretGuard(),
    byCaller: true,
  });
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
  const secret = await services.secrets.updateVersionStage(input, {
    guard: access.secretGuard(),
    byCaller: true,
  });
  return { SecretName: secret.name };
}

export const SECRET_VALUE_ACTIONS = {
  CreateSecret: createSecret,
  GetSecretValue: getSecretValue,
  BatchGetSecretValue: batchGetSecretValue,
  PutSecretValue: putSecretValue,
  UpdateSecretVersionStage: updateSecretVersionStage,
} satisfies ActionTable;
