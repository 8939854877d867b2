/**
 * Aliases: `alias/…` names for customer keys. Alias rules (name shape, the reserved
 * `alias/acs` prefix, the target key's state) live in domain/key.ts and KeyService.
 */
import type { ActionContext, ActionTable } from '../action.js';
import type { WireBody } from '../codec.js';
import { aliasArn, paging, wrapped } from '../codec.js';

async function createAlias({ params, services, noteResource, access }: ActionContext): Promise<WireBody> {
  const aliasName = params.required('AliasName');
  noteResource(aliasName);
  const keyReference = params.required('KeyId');
  await access.requireAlias(aliasName, keyReference);
  await services.keys.createAlias(aliasName, keyReference);
  return {};
}

async function updateAlias({ params, services, noteResource, access }: ActionContext): Promise<WireBody> {
  const aliasName = params.required('AliasName');
  noteResource(aliasName);
  const keyReference = params.required('KeyId');
  await access.requireAlias(aliasName, keyReference);
  await services.keys.updateAlias(aliasName, keyReference);
  return {};
}

async function deleteAlias({ params, services, noteResource, access }: ActionContext): Promise<WireBody> {
  const aliasName = params.required('AliasName');
  noteResource(aliasName);
  await access.requireAlias(aliasName);
  await services.keys.deleteAlias(aliasName);
  return {};
}

/** One page of aliases, of every key or of one key. */
async function aliasPage(
  { params, services, identity }: ActionContext,
  keyReference: string | undefined,
): Promise<WireBody> {
  const page = paging(params, 10);
  const result = await services.keys.listAliases({
    offset: page.offset,
    limit: page.limit,
    keyReference,
  });
  return {
    Aliases: wrapped(
      'Alias',
      result.items.map((alias) => ({
        AliasName: alias.name,
        AliasArn: aliasArn(identity, alias.name),
        KeyId: alias.keyId,
      })),
    ),
    TotalCount: result.total,
    PageNumber: page.pageNumber,
    PageSize: page.pageSize,
  };
}

async function listAliases(context: ActionContext): Promise<WireBody> {
  return aliasPage(context, undefined);
}

async function listAliasesByKeyId(context: ActionContext): Promise<WireBody> {
  const reference = context.params.required('KeyId');
  context.noteResource(reference);
  paging(context.params, 10); // parameter errors first, whoever asks
  await context.access.requireKey(reference);
  return aliasPage(context, reference);
}

export const ALIAS_ACTIONS = {
  CreateAlias: createAlias,
  UpdateAlias: updateAlias,
  DeleteAlias: deleteAlias,
  ListAliases: listAliases,
  ListAliasesByKeyId: listAliasesByKeyId,
} satisfies ActionTable;
