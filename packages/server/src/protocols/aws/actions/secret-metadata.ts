/**
 * AWS actions on a secret's metadata and life: DescribeSecret, ListSecrets (AWS's filters, sort order
 * and paging over the store's listing), UpdateSecret, DeleteSecret, RestoreSecret, TagResource,
 * UntagResource, and GetRandomPassword.
 */
import { randomUUID } from 'node:crypto';
import type { Secret } from '../../../domain/secret.js';
import { STAGE_CURRENT } from '../../../domain/secret.js';
import { matchesSecretFilters } from '../../../domain/secret-filters.js';
import type { RotationView as CoreRotationView } from '../../../services/rotation/rotation-service.js';
import type { Services } from '../../../services/services.js';
import type { AwsActionContext, AwsActionTable } from '../action.js';
import { arnOf, encryptionKeyOf, secretNameOf } from '../action.js';
import { epochSeconds, tagsFromWire } from '../codec.js';
import { invalidRequest } from '../errors.js';
import {
  decodeNextToken,
  deletionOf,
  encodeNextToken,
  filtersOf,
  passwordRequestOf,
  secretValueOf,
} from '../requests.js';
import type { RotationView, SecretView } from '../responses.js';
import { describeSecretBody, secretListEntry } from '../responses.js';
import { rotationViewOf } from './rotation.js';

/** Rows the store hands back per listing query while ListSecrets gathers every match. */
const LISTING_BATCH = 500;

/** Every secret of the store (those pending deletion only when asked), by name. */
type SecretSummary = Awaited<ReturnType<Services['secrets']['listSecrets']>>['items'][number];

export async function listAllSecrets(
  context: AwsActionContext,
  includePlannedDeletion: boolean,
): Promise<SecretSummary[]> {
  const all: SecretSummary[] = [];
  // Each batch continues after the last name of the one before: a seek on the name index, and a
  // secret created or destroyed meanwhile shifts no other secret into or out of the gathering.
  for (let after: string | undefined; ;) {
    const page = await context.services.secrets.listSecrets({
      excludePendingDeletion: !includePlannedDeletion,
      after,
      offset: 0,
      limit: LISTING_BATCH,
    });
    all.push(...page.items);
    const last = page.items[page.items.length - 1];
    if (page.items.length < LISTING_BATCH || last === undefined) return all;
    after = last.name;
  }
}

export function secretViewOf(
  secret: Secret,
  rotation: RotationView | null,
  context: AwsActionContext,
): SecretView {
  return {
    arn: arnOf(secret, context),
    name: secret.name,
    description: secret.description,
    kmsKeyId: secret.encryptionKeyId === context.serviceKeyId ? null : secret.encryptionKeyId,
    tags: secret.tags,
    stages: secret.stages,
    createdAt: secret.createdAt,
    lastChangedAt: secret.updatedAt,
    lastAccessedAt: null,
    plannedDeleteAt: secret.plannedDeleteAt,
    rotation,
    owningService: null,
    primaryRegion: null,
  };
}

async function rotationOf(secret: Secret, context: AwsActionContext): Promise<RotationView | null> {
  const view: CoreRotationView = await context.services.rotation.view(secret);
  return rotationViewOf(view, secret);
}

type SortKey = (secret: SecretSummary) => string | number;

const SORT_KEYS: Readonly<Record<string, SortKey>> = {
  name: (s) => s.name,
  'created-date': (s) => s.createdAt,
  'last-changed-date': (s) => s.updatedAt,
  'last-accessed-date': (s) => s.updatedAt,
};

export const SECRET_METADATA_ACTIONS: AwsActionTable = {
  async DescribeSecret(input, context) {
    const name = await secretNameOf(input.SecretId, context);
    const secret = await context.access.requireSecret(name);
    return describeSecretBody(
      secretViewOf(secret, await rotationOf(secret, context), context),
      context.now(),
    );
  },

  async ListSecrets(input, context) {
    const filters = filtersOf(input.Filters);
    const sortKey = SORT_KEYS[input.SortBy ?? 'created-date'] ?? SORT_KEYS.name;
    const direction = input.SortOrder === 'asc' ? 1 : -1;
    const matching = (await listAllSecrets(context, input.IncludePlannedDeletion ?? false))
      .filter((secret) => matchesSecretFilters(secret, filters))
      .sort((a, b) => {
        const [x, y] = [sortKey?.(a) ?? a.name, sortKey?.(b) ?? b.name];
        return x < y ? -direction : x > y ? direction : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
      });
    // The token is the last name of the page before; names are unique, so the position is exact.
    const after = decodeNextToken(input.NextToken);
    const start = after === undefined ? 0 : matching.findIndex((s) => s.name === after) + 1;
    const limit = input.MaxResults ?? 100;
    const page = matching.slice(start, start + limit);
    const entries: object[] = [];
    for (const summary of page) {
      const secret = await context.services.secrets.describeSecret(summary.name).catch(() => undefined);
      if (secret === undefined) continue;
      entries.push(
        secretListEntry(secretViewOf(secret, await rotationOf(secret, context), context), context.now()),
      );
    }
    const last = page[page.length - 1];
    return {
      SecretList: entries,
      NextToken: start + limit < matching.length && last ? encodeNextToken(last.name) : undefined,
    };
  },

  async UpdateSecret(input, context) {
    const name = await secretNameOf(input.SecretId, context);
    const before = await context.access.requireSecret(name);
    // Versions are sealed under the secret's key once; a request for another key cannot be honoured.
    const keyReference = encryptionKeyOf(input.KmsKeyId);
    const keyId =
      input.KmsKeyId === undefined
        ? before.encryptionKeyId
        : keyReference === undefined
          ? context.serviceKeyId
          : (await context.services.keys.resolve(keyReference)).id;
    if (keyId !== before.encryptionKeyId)
      throw invalidRequest("Tessera does not re-encrypt a secret's versions under another KmsKeyId.");
    let secret = await context.services.secrets.updateSecret(name, { description: input.Description });
    const value = secretValueOf(input);
    let versionId: string | undefined;
    if (value !== undefined) {
      const put = await context.services.secrets.putSecretValue(
        {
          name,
          versionId: input.ClientRequestToken ?? randomUUID(),
          data: value.data,
          dataType: value.dataType,
          stages: [STAGE_CURRENT],
        },
        { byCaller: true },
      );
      secret = put.secret;
      versionId = put.versionId;
    }
    return { ARN: arnOf(secret, context), Name: secret.name, VersionId: versionId };
  },

  async DeleteSecret(input, context) {
    const name = await secretNameOf(input.SecretId, context);
    const deletion = deletionOf(input);
    await context.access.requireSecret(name);
    const result = await context.services.secrets.deleteSecret(name, {
      recoveryWindowDays: deletion.kind === 'scheduled' ? deletion.recoveryWindowInDays : undefined,
      force: deletion.kind === 'force',
    });
    return {
      ARN: arnOf(result.secret, context),
      Name: result.secret.name,
      DeletionDate: epochSeconds(result.plannedDeleteAt),
    };
  },

  async RestoreSecret(input, context) {
    const name = await secretNameOf(input.SecretId, context);
    await context.access.requireSecret(name);
    const secret = await context.services.secrets.restoreSecret(name);
    return { ARN: arnOf(secret, context), Name: secret.name };
  },

  async TagResource(input, context) {
    const name = await secretNameOf(input.SecretId, context);
    const tags = tagsFromWire(input.Tags);
    await context.access.requireSecret(name);
    await context.services.secrets.tagSecret(name, tags);
    return {};
  },

  async UntagResource(input, context) {
    const name = await secretNameOf(input.SecretId, context);
    await context.access.requireSecret(name);
    await context.services.secrets.untagSecret(name, input.TagKeys);
    return {};
  },

  GetRandomPassword(input, context) {
    return Promise.resolve({
      RandomPassword: context.services.passwords.generate(passwordRequestOf(input)),
    });
  },
};
