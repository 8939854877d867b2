/**
 * Actions on secret values: create, read, write, and move stage labels (API spec §3.1–3.4, §5).
 */
import type { ActionContext, ActionTable } from '../action.js';
import type { WireBody } from '../codec.js';
import { secretArn, secretNameOf, stageToDomain, stagesToWire, tagsFromJson, timestamp } from '../codec.js';
import { dryRunPassed, invalidParameter } from '../errors.js';
import type { Params } from '../params.js';
import { shapes } from '../params.js';

const DATA_TYPES = ['text', 'binary'] as const;

/** Only Generic secrets exist until rotation brings managed types (DECISIONS 20). */
function secretType(params: Params): 'Generic' {
  const type = params.optional('SecretType') ?? 'Generic';
  if (type !== 'Generic')
    throw invalidParameter('SecretType', `The secret type "${type}" is not supported; use Generic.`);
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
  return stages?.map(stageToDomain);
}

async function createSecret({ params, services, identity, noteResource }: ActionContext): Promise<WireBody> {
  const name = params.required('SecretName');
  noteResource(name);
  const type = secretType(params);
  const secret = await services.secrets.createSecret({
    name,
    versionId: params.required('VersionId'),
    data: params.required('SecretData'),
    dataType: params.oneOf('SecretDataType', DATA_TYPES, 'text'),
    description: params.optional('Description'),
    encryptionKeyId: params.optional('EncryptionKeyId'),
    tags: tagsFromJson(params),
  });
  return {
    Arn: secretArn(identity, secret.name),
    SecretName: secret.name,
    VersionId: params.required('VersionId'),
    SecretType: type,
    DKMSInstanceId: params.optional('DKMSInstanceId'),
  };
}

async function getSecretValue({ params, services, noteResource }: ActionContext): Promise<WireBody> {
  const name = secretNameOf(params);
  noteResource(name);
  const stage = params.optional('VersionStage');
  const selector = {
    name,
    versionId: params.optional('VersionId'),
    stage: stage === undefined ? undefined : stageToDomain(stage),
  };
  const dryRun = params.boolean('DryRun', false);
  params.boolean('FetchExtendedConfig', false);
  const value = await services.secrets.getSecretValue(selector);
  // A dry run does everything a real read does, then answers without the value (DECISIONS 14).
  if (dryRun) throw dryRunPassed();
  return {
    SecretName: value.secret.name,
    VersionId: value.version.versionId,
    CreateTime: timestamp(value.version.createdAt),
    SecretData: value.data,
    SecretDataType: value.version.dataType,
    SecretType: 'Generic',
    VersionStages: stagesToWire(value.stages),
  };
}

async function putSecretValue({ params, services, noteResource }: ActionContext): Promise<WireBody> {
  const name = secretNameOf(params);
  noteResource(name);
  const result = await services.secrets.putSecretValue({
    name,
    versionId: params.required('VersionId'),
    data: params.required('SecretData'),
    dataType: params.oneOf('SecretDataType', DATA_TYPES, 'text'),
    stages: versionStages(params),
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
}: ActionContext): Promise<WireBody> {
  const name = secretNameOf(params);
  noteResource(name);
  const secret = await services.secrets.updateVersionStage({
    name,
    stage: stageToDomain(params.required('VersionStage')),
    moveToVersion: params.optional('MoveToVersion'),
    removeFromVersion: params.optional('RemoveFromVersion'),
  });
  return { SecretName: secret.name };
}

export const SECRET_VALUE_ACTIONS: ActionTable = {
  CreateSecret: createSecret,
  GetSecretValue: getSecretValue,
  PutSecretValue: putSecretValue,
  UpdateSecretVersionStage: updateSecretVersionStage,
};
