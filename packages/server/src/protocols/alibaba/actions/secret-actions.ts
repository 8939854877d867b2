/**
 * Actions on secrets as objects: describe, list, list versions, update, delete and restore, secret
 * policies, and random passwords (docs/behaviour.md rules 10–13, 19). Values are read and written
 * in `secret-value-actions.ts`.
 */
import { SECRET_TYPES as STORED_SECRET_TYPES } from '../../../domain/secret.js';
import type { Secret } from '../../../domain/secret.js';
import { DEFAULT_POLICY_NAME, defaultSecretPolicy } from '../../../domain/secret-policy.js';
import { MAX_RECOVERY_WINDOW_DAYS, MIN_RECOVERY_WINDOW_DAYS } from '../../../domain/validation.js';
import type { PasswordRequest } from '../../../services/password-service.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../../services/password-service.js';
import { replaceExtendedConfig } from '../../../services/operations/secret-use-cases.js';
import type { ActionContext, ActionTable } from '../action.js';
import type { WireBody } from '../codec.js';
import {
  GENERIC_SECRET_TYPE,
  paging,
  secretArn,
  secretNameOf,
  stagesToWire,
  tagsToWire,
  timestamp,
  wrapped,
} from '../codec.js';
import { invalidParameter, ProtocolError } from '../errors.js';
import { rotationViewFields } from './rotation-actions.js';
import type { Params } from '../params.js';

/** Times a secret reports in DescribeSecret and ListSecrets; PlannedDeleteTime only while pending. */
function times(secret: Pick<Secret, 'createdAt' | 'updatedAt' | 'plannedDeleteAt'>): WireBody {
  return {
    CreateTime: timestamp(secret.createdAt),
    UpdateTime: timestamp(secret.updatedAt),
    PlannedDeleteTime: secret.plannedDeleteAt === null ? undefined : timestamp(secret.plannedDeleteAt),
  };
}

async function describeSecret({
  params,
  services,
  identity,
  serviceKeyId,
  noteResource,
  access,
}: ActionContext): Promise<WireBody> {
  const name = secretNameOf(params);
  noteResource(name);
  const fetchTags = params.boolean('FetchTags', false);
  const secret = await access.requireSecret(name);
  const rotation = await services.rotation.view(secret);
  return {
    Arn: secretArn(identity, secret.name),
    SecretName: secret.name,
    SecretType: secret.secretType,
    Description: secret.description,
    // Secrets under the service key name no key, as the real service does for its own keys.
    EncryptionKeyId: secret.encryptionKeyId === serviceKeyId ? undefined : secret.encryptionKeyId,
    ...times(secret),
    Tags: fetchTags ? tagsToWire(secret.tags) : undefined,
    ExtendedConfig: secret.extendedConfig ?? undefined,
    ...rotationViewFields(rotation),
  };
}

// ---------------------------------------------------------------------------------------------------
// ListSecrets

const FILTER_KEYS = ['SecretName', 'Description', 'TagKey', 'TagValue', 'SecretType'] as const;
type FilterKey = (typeof FILTER_KEYS)[number];
/** Secret types a SecretType filter may name; Rds is spelt both ways across the documentation. */
const SECRET_TYPES = [GENERIC_SECRET_TYPE, 'Rds', 'RDS', 'Redis', 'RAMCredentials', 'ECS', 'PolarDB'];

/**
 * `Filters` of ListSecrets: values of one key are OR-ed, keys AND-ed; a key may appear once. SecretName
 * matches by prefix, the others exactly (docs/behaviour.md rule 19).
 */
function listFilters(params: Params): Map<FilterKey, string[]> {
  const filters = new Map<FilterKey, string[]>();
  for (const { key: name, values } of params.filters()) {
    const key = FILTER_KEYS.find((known) => known === name);
    if (key === undefined) {
      throw invalidParameter(
        'Filters',
        `The filter key "${name}" is not supported; use one of ${FILTER_KEYS.join(', ')}.`,
      );
    }
    if (filters.has(key)) throw invalidParameter('Filters', `The filter key "${key}" is given twice.`);
    const maxLength = key === 'SecretName' ? 192 : 256;
    for (const value of values) {
      const length = Array.from(value).length;
      if (length < 1 || length > maxLength) {
        throw invalidParameter('Filters', `Values of the "${key}" filter are 1 to ${maxLength} characters.`);
      }
      if (key === 'SecretType' && !SECRET_TYPES.includes(value)) {
        throw invalidParameter(
          'Filters',
          `The secret type "${value}" is not one of ${SECRET_TYPES.join(', ')}.`,
        );
      }
    }
    filters.set(key, values);
  }
  return filters;
}

async function listSecrets({ params, services }: ActionContext): Promise<WireBody> {
  const { pageNumber, pageSize, offset, limit } = paging(params, 10);
  const fetchTags = params.boolean('FetchTags', false);
  const filters = listFilters(params);
  const types = filters.get('SecretType');
  // Types Tessera does not store (Redis, ECS, …) simply match nothing.
  const secretTypes = types?.flatMap((type) =>
    STORED_SECRET_TYPES.filter((known) => known.toLowerCase() === type.toLowerCase()),
  );
  const page = await services.secrets.listSecrets({
    namePrefixes: filters.get('SecretName'),
    descriptions: filters.get('Description'),
    tagKeys: filters.get('TagKey'),
    tagValues: filters.get('TagValue'),
    secretTypes,
    offset,
    limit,
  });
  return {
    PageNumber: pageNumber,
    PageSize: pageSize,
    TotalCount: page.total,
    SecretList: wrapped(
      'Secret',
      page.items.map((secret): WireBody => ({
        SecretName: secret.name,
        SecretType: secret.secretType,
        ...times(secret),
        Tags: fetchTags ? tagsToWire(secret.tags) : undefined,
      })),
    ),
  };
}

async function listSecretVersionIds({
  params,
  services,
  noteResource,
  access,
}: ActionContext): Promise<WireBody> {
  const name = secretNameOf(params);
  noteResource(name);
  const includeDeprecated = params.boolean('IncludeDeprecated', false);
  const { pageNumber, pageSize, offset, limit } = paging(params, 20);
  const listing = await services.secrets.listVersions(name, includeDeprecated, access.secretGuard());
  return {
    SecretName: listing.secret.name,
    PageNumber: pageNumber,
    PageSize: pageSize,
    TotalCount: listing.versions.length,
    VersionIds: wrapped(
      'VersionId',
      listing.versions.slice(offset, offset + limit).map(({ version, stages }): WireBody => ({
        VersionId: version.versionId,
        CreateTime: timestamp(version.createdAt),
        VersionStages: stagesToWire(stages),
      })),
    ),
  };
}

// ---------------------------------------------------------------------------------------------------
// Changes and the deletion window

async function updateSecret({ params, services, noteResource, access }: ActionContext): Promise<WireBody> {
  const name = secretNameOf(params);
  noteResource(name);
  // `ExtendedConfig.CustomData` (flattened by the SDKs) is for managed types' custom data, which
  // Tessera does not keep; a whole `ExtendedConfig` document replaces the secret's (Tessera's way to
  // bind a Generic secret to a rotation webhook, docs/rotation.md).
  const custom = params
    .entries()
    .find(([param, value]) => param.startsWith('ExtendedConfig.') && value !== '');
  if (custom) {
    throw invalidParameter(custom[0], 'Send the whole ExtendedConfig document instead.');
  }
  // Present but empty clears the description (and an empty ExtendedConfig clears it); absent leaves it alone.
  const description = params.raw('Description');
  const current = await access.requireSecret(name);
  const extendedConfig = params.raw('ExtendedConfig');
  const secret =
    extendedConfig === undefined
      ? await services.secrets.updateSecret(name, { description })
      : await replaceExtendedConfig(
          services,
          access,
          current,
          extendedConfig === '' ? null : extendedConfig,
          {
            description,
          },
        );
  return { SecretName: secret.name };
}

async function deleteSecret({ params, services, noteResource, access }: ActionContext): Promise<WireBody> {
  const name = secretNameOf(params);
  noteResource(name);
  const force = params.boolean('ForceDeleteWithoutRecovery', false);
  // Checked even when forced: a window outside the range is a mistake either way.
  const recoveryWindowDays = params.integer('RecoveryWindowInDays', {
    min: MIN_RECOVERY_WINDOW_DAYS,
    max: MAX_RECOVERY_WINDOW_DAYS,
  });
  await access.requireSecret(name);
  const result = await services.secrets.deleteSecret(name, { recoveryWindowDays, force });
  return { SecretName: result.secret.name, PlannedDeleteTime: timestamp(result.plannedDeleteAt) };
}

async function restoreSecret({ params, services, noteResource, access }: ActionContext): Promise<WireBody> {
  const name = secretNameOf(params);
  noteResource(name);
  await access.requireSecret(name);
  const secret = await services.secrets.restoreSecret(name);
  return { SecretName: secret.name };
}

// ---------------------------------------------------------------------------------------------------
// Policies

async function getSecretPolicy({
  params,
  services,
  identity,
  noteResource,
  access,
}: ActionContext): Promise<WireBody> {
  const name = secretNameOf(params);
  noteResource(name);
  // Only `default` exists; another name answers not found, decided by the service.
  const policyName = params.optional('PolicyName') ?? DEFAULT_POLICY_NAME;
  const { policy } = await services.secrets.getSecretPolicy(name, policyName, access.secretGuard());
  return { Policy: policy?.document ?? defaultSecretPolicy(identity.accountId) };
}

async function setSecretPolicy({
  params,
  services,
  method,
  noteResource,
  access,
}: ActionContext): Promise<WireBody> {
  // The one KMS action documented as POST only.
  if (method !== 'POST') {
    throw new ProtocolError(403, 'UnsupportedHTTPMethod', 'SetSecretPolicy accepts POST requests only.');
  }
  const name = secretNameOf(params);
  noteResource(name);
  const policyName = params.optional('PolicyName') ?? DEFAULT_POLICY_NAME;
  if (policyName !== DEFAULT_POLICY_NAME) {
    throw invalidParameter('PolicyName', `Secrets have one policy, named "${DEFAULT_POLICY_NAME}".`);
  }
  const document = params.required('Policy');
  await access.requireSecret(name);
  await services.secrets.setSecretPolicy(name, document, policyName);
  return {};
}

// ---------------------------------------------------------------------------------------------------
// Random passwords

type PasswordClass = NonNullable<PasswordRequest['exclude']>[number];

const EXCLUSIONS: readonly (readonly [string, PasswordClass])[] = [
  ['ExcludeLowercase', 'lowercase'],
  ['ExcludeUppercase', 'uppercase'],
  ['ExcludeNumbers', 'numbers'],
  ['ExcludePunctuation', 'punctuation'],
];

function getRandomPassword({ params, services }: ActionContext): Promise<WireBody> {
  const request: PasswordRequest = {
    length: params.integer('PasswordLength', { min: MIN_PASSWORD_LENGTH, max: MAX_PASSWORD_LENGTH }),
    exclude: EXCLUSIONS.filter(([param]) => params.boolean(param, false)).map(([, name]) => name),
    excludeCharacters: params.optional('ExcludeCharacters'),
    // Defaults to true (docs/behaviour.md rule 13).
    requireEachIncludedType: params.boolean('RequireEachIncludedType', true),
  };
  return Promise.resolve({ RandomPassword: services.passwords.generate(request) });
}

export const SECRET_ACTIONS = {
  DescribeSecret: describeSecret,
  ListSecrets: listSecrets,
  ListSecretVersionIds: listSecretVersionIds,
  UpdateSecret: updateSecret,
  DeleteSecret: deleteSecret,
  RestoreSecret: restoreSecret,
  GetSecretPolicy: getSecretPolicy,
  SetSecretPolicy: setSecretPolicy,
  GetRandomPassword: getRandomPassword,
} satisfies ActionTable;
