/**
 * Customer master keys: create, describe, list, state changes, key versions, and DescribeRegions
 *. Every key is Aliyun_AES_256, ENCRYPT/DECRYPT, Aliyun_KMS, SOFTWARE; other choices
 * are refused at CreateKey with a message that says what is supported.
 */
import { DomainError } from '../../../domain/errors.js';
import type { KeyState, KeyVersion } from '../../../domain/key.js';
import { MAX_PENDING_WINDOW_DAYS, MIN_PENDING_WINDOW_DAYS } from '../../../domain/key.js';
import { rotationIntervalOf } from '../../../domain/key-rotation.js';
import type { ActionContext, ActionTable } from '../action.js';
import type { WireBody } from '../codec.js';
import { keyArn, keyMetadata, keyStateFromWire, paging, tagsFromJson, timestamp, wrapped } from '../codec.js';
import { invalidParameter, missingParameter, ProtocolError } from '../errors.js';
import type { Params } from '../params.js';

/** The one kind of key Tessera has, in wire terms (codec.keyMetadata reports the same). */
const SUPPORTED = {
  KeySpec: 'Aliyun_AES_256',
  KeyUsage: 'ENCRYPT/DECRYPT',
  Origin: 'Aliyun_KMS',
  ProtectionLevel: 'SOFTWARE',
  CreatorType: 'User',
} as const;

/** Key specs the API documents; Tessera can make only the first. */
const DOCUMENTED_KEY_SPECS = [
  'Aliyun_AES_256',
  'Aliyun_AES_128',
  'Aliyun_AES_192',
  'Aliyun_SM4',
  'RSA_2048',
  'RSA_3072',
  'EC_P256',
  'EC_P256K',
  'EC_SM2',
] as const;

/** ListKeys filter keys and the values each accepts. */
const LIST_FILTERS: Readonly<Record<string, readonly string[]>> = {
  KeyState: ['Enabled', 'Disabled', 'PendingDeletion', 'PendingImport'],
  KeySpec: DOCUMENTED_KEY_SPECS,
  KeyUsage: ['ENCRYPT/DECRYPT', 'SIGN/VERIFY'],
  ProtectionLevel: ['SOFTWARE', 'HSM'],
  CreatorType: ['User', 'Service'],
};

/** A documented choice Tessera does not offer (the catalog's `unsupported_operation`). */
function unsupported(message: string): DomainError {
  return new DomainError('unsupported_operation', message);
}

/** CreateKey's choices of kind: anything but the one supported kind is refused, saying what is. */
function checkKeyKind(params: Params): void {
  const spec = params.optional('KeySpec');
  if (spec !== undefined && spec !== SUPPORTED.KeySpec) {
    if ((DOCUMENTED_KEY_SPECS as readonly string[]).includes(spec))
      throw unsupported(`The key spec "${spec}" is not supported; Tessera only supports Aliyun_AES_256.`);
    throw invalidParameter('KeySpec', 'Tessera only supports Aliyun_AES_256.');
  }
  const usage = params.optional('KeyUsage');
  if (usage !== undefined && usage !== SUPPORTED.KeyUsage)
    throw invalidParameter('KeyUsage', 'Aliyun_AES_256 keys only support ENCRYPT/DECRYPT.');
  const origin = params.optional('Origin');
  if (origin === 'EXTERNAL')
    throw new ProtocolError(
      400,
      'Unsupported.Origin',
      'Imported key material (Origin EXTERNAL) is not supported; use Aliyun_KMS.',
    );
  if (origin !== undefined && origin !== SUPPORTED.Origin)
    throw invalidParameter('Origin', 'Use Aliyun_KMS.');
  const level = params.optional('ProtectionLevel');
  if (level === 'HSM')
    throw new ProtocolError(
      400,
      'Unsupported.ProtectionLevel',
      'HSM protection is not supported; use SOFTWARE.',
    );
  if (level !== undefined && level !== SUPPORTED.ProtectionLevel)
    throw invalidParameter('ProtectionLevel', 'Use SOFTWARE.');
  // Key policies and KMS instances do not exist here; accepting them silently would mislead.
  if (params.optional('Policy') !== undefined) throw unsupported('Key policies are not supported.');
  if (params.optional('DKMSInstanceId') !== undefined)
    throw unsupported('KMS instances (DKMSInstanceId) are not supported.');
}

async function createKey({ params, services, identity, noteResource }: ActionContext): Promise<WireBody> {
  checkKeyKind(params);
  const description = params.optional('Description') ?? '';
  const tags = tagsFromJson(params) ?? [];
  const rotationIntervalSeconds = rotationIntervalOf(
    params.boolean('EnableAutomaticRotation', false),
    params.optional('RotationInterval'),
  );
  const key = await services.keys.createKey({ description, tags, rotationIntervalSeconds });
  noteResource(key.id);
  return { KeyMetadata: keyMetadata(identity, key) };
}

async function describeKey({ params, identity, noteResource, access }: ActionContext): Promise<WireBody> {
  const reference = params.required('KeyId');
  noteResource(reference);
  return { KeyMetadata: keyMetadata(identity, await access.requireKey(reference)) };
}

/**
 * `[{"Key":"KeyState","Values":["Enabled"]}]`: values of one key are OR-ed, different keys AND-ed. Only
 * KeyState varies between Tessera's keys; a filter on the other attributes keeps all keys or none.
 */
function listFilter(params: Params): { states: KeyState[] | undefined } {
  let states: KeyState[] | undefined;
  let matchesNothing = false;
  for (const { key, values } of params.filters()) {
    const allowed = Object.hasOwn(LIST_FILTERS, key) ? LIST_FILTERS[key] : undefined;
    if (!allowed)
      throw invalidParameter('Filters', `Filter keys are ${Object.keys(LIST_FILTERS).join(', ')}.`);
    const bad = values.find((v) => !allowed.includes(v));
    if (bad !== undefined)
      throw invalidParameter('Filters', `"${bad}" is not a ${key}; use one of: ${allowed.join(', ')}.`);
    if (key === 'KeyState') {
      const wanted = values.map(keyStateFromWire).filter((s) => s !== undefined);
      states = states === undefined ? wanted : states.filter((s) => wanted.includes(s));
    } else if (!values.includes(SUPPORTED[key as keyof typeof SUPPORTED])) {
      matchesNothing = true;
    }
  }
  return { states: matchesNothing ? [] : states };
}

async function listKeys({ params, services, identity }: ActionContext): Promise<WireBody> {
  const page = paging(params, 10);
  const { states } = listFilter(params);
  const result = await services.keys.listKeys({ offset: page.offset, limit: page.limit, states });
  return {
    Keys: wrapped(
      'Key',
      result.items.map((key) => ({ KeyId: key.id, KeyArn: keyArn(identity, key.id) })),
    ),
    TotalCount: result.total,
    PageNumber: page.pageNumber,
    PageSize: page.pageSize,
  };
}

async function updateKeyDescription({
  params,
  services,
  noteResource,
  access,
}: ActionContext): Promise<WireBody> {
  const reference = params.required('KeyId');
  noteResource(reference);
  // An empty Description is a deliberate clear, so only absence is missing.
  const description = params.raw('Description');
  if (description === undefined) throw missingParameter('Description');
  await access.requireKey(reference);
  await services.keys.updateKeyDescription(reference, description);
  return {};
}

function stateChange(
  change: (services: ActionContext['services'], reference: string) => Promise<unknown>,
): (context: ActionContext) => Promise<WireBody> {
  return async ({ params, services, noteResource, access }) => {
    const reference = params.required('KeyId');
    noteResource(reference);
    await access.requireKey(reference);
    await change(services, reference);
    return {};
  };
}

async function scheduleKeyDeletion({
  params,
  services,
  noteResource,
  access,
}: ActionContext): Promise<WireBody> {
  const reference = params.required('KeyId');
  noteResource(reference);
  const days = params.integer('PendingWindowInDays', {
    min: MIN_PENDING_WINDOW_DAYS,
    max: MAX_PENDING_WINDOW_DAYS,
  });
  if (days === undefined) throw missingParameter('PendingWindowInDays');
  await access.requireKey(reference);
  await services.keys.scheduleKeyDeletion(reference, days);
  return {};
}

function keyVersionToWire(version: KeyVersion): WireBody {
  return {
    KeyId: version.keyId,
    KeyVersionId: version.versionId,
    CreationDate: timestamp(version.createdAt),
  };
}

async function createKeyVersion({
  params,
  services,
  noteResource,
  access,
}: ActionContext): Promise<WireBody> {
  const reference = params.required('KeyId');
  noteResource(reference);
  await access.requireKey(reference);
  return { KeyVersion: keyVersionToWire(await services.keys.createKeyVersion(reference)) };
}

async function listKeyVersions({ params, services, noteResource, access }: ActionContext): Promise<WireBody> {
  const reference = params.required('KeyId');
  noteResource(reference);
  const page = paging(params, 10);
  const result = await services.keys.pageKeyVersions(reference, page, access.keyGuard(reference));
  return {
    KeyVersions: wrapped('KeyVersion', result.items.map(keyVersionToWire)),
    TotalCount: result.total,
    PageNumber: page.pageNumber,
    PageSize: page.pageSize,
  };
}

async function describeKeyVersion({
  params,
  services,
  noteResource,
  access,
}: ActionContext): Promise<WireBody> {
  const reference = params.required('KeyId');
  noteResource(reference);
  const versionId = params.required('KeyVersionId');
  const version = await services.keys.describeKeyVersion(reference, versionId, access.keyGuard(reference));
  return { KeyVersion: keyVersionToWire(version) };
}

/** One region: the one this installation is configured as. */
function describeRegions({ identity, noteResource }: ActionContext): Promise<WireBody> {
  noteResource(identity.region);
  return Promise.resolve({ Regions: wrapped('Region', [{ RegionId: identity.region }]) });
}

export const KEY_ACTIONS = {
  CreateKey: createKey,
  DescribeKey: describeKey,
  ListKeys: listKeys,
  UpdateKeyDescription: updateKeyDescription,
  EnableKey: stateChange((services, reference) => services.keys.enableKey(reference)),
  DisableKey: stateChange((services, reference) => services.keys.disableKey(reference)),
  ScheduleKeyDeletion: scheduleKeyDeletion,
  CancelKeyDeletion: stateChange((services, reference) => services.keys.cancelKeyDeletion(reference)),
  CreateKeyVersion: createKeyVersion,
  ListKeyVersions: listKeyVersions,
  DescribeKeyVersion: describeKeyVersion,
  DescribeRegions: describeRegions,
} satisfies ActionTable;
