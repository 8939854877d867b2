/**
 * AWS actions on secret values: CreateSecret, GetSecretValue, BatchGetSecretValue, PutSecretValue,
 * UpdateSecretVersionStage, ListSecretVersionIds. `ClientRequestToken` is the version id (one made
 * here when a raw caller omits it); built-in stages travel in the model's neutral spelling.
 */
import { randomUUID } from 'node:crypto';
import { DomainError, isDomainError } from '../../../domain/errors.js';
import { matchesSecretFilters } from '../../../domain/secret-filters.js';
import type { SecretValue, SecretValueSelector } from '../../../services/secret-values.js';
import {
  createEmptySecret,
  createSecret as createSecretUseCase,
} from '../../../services/operations/secret-use-cases.js';
import type { AwsActionContext, AwsActionTable } from '../action.js';
import { arnOf, encryptionKeyOf, secretNameOf } from '../action.js';
import { stageToWire, tagsFromWire } from '../codec.js';
import { describeError } from '../render.js';
import { invalidRequest } from '../errors.js';
import {
  batchSelectionOf,
  decodeNextToken,
  encodeNextToken,
  secretValueOf,
  stageMoveOf,
  versionChoiceOf,
  versionStagesOf,
} from '../requests.js';
import { secretValueBody, versionListEntry } from '../responses.js';
import { listAllSecrets } from './secret-metadata.js';

function valueBody(value: SecretValue, context: AwsActionContext): object {
  return secretValueBody(
    { arn: arnOf(value.secret, context), name: value.secret.name },
    {
      versionId: value.version.versionId,
      stages: value.stages,
      createdAt: value.version.createdAt,
      data: value.data,
      dataType: value.version.dataType,
    },
  );
}

/** AWS answers a VersionId and VersionStage that name different versions as a value it cannot find. */
function versionMismatchAsMissing(error: unknown): unknown {
  if (isDomainError(error, 'invalid_argument') && error.details.field === 'versionStage')
    return new DomainError('secret_version_not_found', error.message, error.details);
  return error;
}

export const SECRET_VALUE_ACTIONS: AwsActionTable = {
  async CreateSecret(input, context) {
    context.noteResource(input.Name);
    const value = secretValueOf(input);
    const metadata = {
      name: input.Name,
      description: input.Description,
      encryptionKeyId: encryptionKeyOf(input.KmsKeyId),
      tags: input.Tags === undefined ? undefined : tagsFromWire(input.Tags),
    };
    if (value === undefined) {
      const secret = await createEmptySecret(context.services, context.access, metadata);
      return { ARN: arnOf(secret, context), Name: secret.name };
    }
    const versionId = input.ClientRequestToken ?? randomUUID();
    try {
      const created = await createSecretUseCase(context.services, context.access, {
        ...metadata,
        versionId,
        data: value.data,
        dataType: value.dataType,
      });
      return { ARN: arnOf(created.secret, context), Name: created.secret.name, VersionId: versionId };
    } catch (error) {
      // A retried CreateSecret (same token, same value) succeeds without change, as AWS answers it.
      if (input.ClientRequestToken === undefined || !isDomainError(error, 'secret_already_exists'))
        throw error;
      // The service's re-put of an existing version compares the values (in constant time).
      const existing = await context.services.secrets.describeSecret(input.Name);
      if (!existing.versions.some((version) => version.versionId === versionId)) throw error;
      const again = await context.services.secrets.putSecretValue(
        { name: input.Name, versionId, data: value.data, dataType: value.dataType },
        { guard: context.access.secretGuard(), byCaller: true },
      );
      return { ARN: arnOf(again.secret, context), Name: again.secret.name, VersionId: versionId };
    }
  },

  async GetSecretValue(input, context) {
    const name = await secretNameOf(input.SecretId, context);
    const choice = versionChoiceOf(input);
    const value = await context.services.secrets
      .getSecretValue({ name, ...choice }, context.access.secretGuard())
      .catch((error: unknown) => {
        throw versionMismatchAsMissing(error);
      });
    return valueBody(value, context);
  },

  async BatchGetSecretValue(input, context) {
    const selection = batchSelectionOf(input);
    let secretIds: readonly string[];
    let nextToken: string | undefined;
    if (selection.kind === 'ids') {
      secretIds = selection.secretIds;
    } else {
      const after = decodeNextToken(input.NextToken);
      const limit = input.MaxResults ?? 20;
      const matching = (await listAllSecrets(context, false))
        .filter((secret) => matchesSecretFilters(secret, selection.filters))
        .map((secret) => secret.name)
        .filter((name) => after === undefined || name > after);
      secretIds = matching.slice(0, limit);
      const last = secretIds[secretIds.length - 1];
      if (matching.length > limit && last !== undefined) nextToken = encodeNextToken(last);
    }
    context.noteResource(secretIds.join(','));
    const guard = context.access.secretGuard({ alwaysMask: true });
    const values: object[] = [];
    const errors: object[] = [];
    for (const secretId of secretIds) {
      try {
        const selector: SecretValueSelector = { name: await secretNameOf(secretId, context) };
        const [result] = await context.services.secrets.getSecretValues([selector], guard);
        if (result === undefined) continue;
        if (!result.ok) throw result.error;
        values.push(valueBody(result.value, context));
      } catch (error) {
        if (!isDomainError(error)) throw error;
        // A secret matched by a filter that has no value to read is left out, as AWS does.
        if (selection.kind === 'filters' && isDomainError(error, 'secret_stage_not_found')) continue;
        const described = describeError(error, 'BatchGetSecretValue');
        errors.push({ SecretId: secretId, ErrorCode: described.code, Message: described.message });
      }
    }
    // The names the batch was about, noted once its items are known.
    context.noteResource(secretIds.join(','));
    return { SecretValues: values, Errors: errors, NextToken: nextToken };
  },

  async PutSecretValue(input, context) {
    const name = await secretNameOf(input.SecretId, context);
    const value = secretValueOf(input);
    if (value === undefined) throw invalidRequest('You must provide either SecretString or SecretBinary.');
    const result = await context.services.secrets.putSecretValue(
      {
        name,
        versionId: input.ClientRequestToken ?? randomUUID(),
        data: value.data,
        dataType: value.dataType,
        stages: versionStagesOf(input.VersionStages),
      },
      { guard: context.access.secretGuard(), byCaller: true },
    );
    return {
      ARN: arnOf(result.secret, context),
      Name: result.secret.name,
      VersionId: result.versionId,
      VersionStages: result.stages.map((stage) => stageToWire(stage)),
    };
  },

  async UpdateSecretVersionStage(input, context) {
    const name = await secretNameOf(input.SecretId, context);
    const move = stageMoveOf(input);
    const secret = await context.services.secrets.updateVersionStage(
      {
        name,
        stage: move.stage,
        moveToVersion: move.moveToVersionId,
        removeFromVersion: move.removeFromVersionId,
      },
      { guard: context.access.secretGuard(), byCaller: true },
    );
    return { ARN: arnOf(secret, context), Name: secret.name };
  },

  async ListSecretVersionIds(input, context) {
    const name = await secretNameOf(input.SecretId, context);
    const listing = await context.services.secrets.listVersions(
      name,
      input.IncludeDeprecated ?? false,
      context.access.secretGuard(),
    );
    // Newest first, as AWS lists them; the token is the last version id of a page.
    const all = [...listing.versions].reverse();
    const after = decodeNextToken(input.NextToken);
    const start = after === undefined ? 0 : all.findIndex((v) => v.version.versionId === after) + 1;
    const limit = input.MaxResults ?? 100;
    const page = all.slice(start, start + limit);
    const last = page[page.length - 1];
    return {
      ARN: arnOf(listing.secret, context),
      Name: listing.secret.name,
      Versions: page.map(({ version, stages }) =>
        versionListEntry({
          versionId: version.versionId,
          stages,
          createdAt: version.createdAt,
          lastAccessedAt: null,
          kmsKeyIds: [],
        }),
      ),
      NextToken: start + limit < all.length && last ? encodeNextToken(last.version.versionId) : undefined,
    };
  },
};
