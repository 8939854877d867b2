/**
 * Tags on keys and secrets: the single-resource TagResource / UntagResource /
 * ListResourceTags, and the batch TagResources / UntagResources / ListTagResources with their
 * repeat-list parameters (`ResourceId.N`, `Tag.N.Key`, `TagKey.N`).
 *
 * Key-state and deletion-window rules stay in the services: a key pending deletion answers
 * `Rejected.PendingDeletion`, a secret pending deletion `Rejected.ResourceInDeleteWindow`. A batch
 * changes all its resources in one transaction, so a refused batch changes none of them.
 */
import type { ActionContext, ActionTable } from '../action.js';
import type { WireBody } from '../codec.js';
import { tagsFromJson, wrapped } from '../codec.js';
import { invalidParameter, missingParameter } from '../errors.js';
import { shapes } from '../params.js';
import { listTagResources } from './tag-listing.js';
import {
  checkTagKeys,
  describeBatch,
  requireTarget,
  resourceIds,
  resourceType,
  singleTarget,
  tagKeyList,
  tagPairs,
} from './tag-params.js';

// ---------------------------------------------------------------------------------------------------
// Single resource

async function tagResource({ params, services, noteResource, access }: ActionContext): Promise<WireBody> {
  const target = singleTarget(params);
  noteResource(target.id);
  const tags = tagsFromJson(params);
  if (tags === undefined) throw missingParameter('Tags');
  if (tags.length === 0) throw invalidParameter('Tags', 'Give at least one tag.');
  await requireTarget(access, target);
  if (target.type === 'key') await services.keys.tagKey(target.id, tags);
  else await services.secrets.tagSecret(target.id, tags);
  return {};
}

async function untagResource({ params, services, noteResource, access }: ActionContext): Promise<WireBody> {
  const target = singleTarget(params);
  noteResource(target.id);
  const tagKeys = params.json('TagKeys', (value) => shapes.stringArray(value));
  if (tagKeys === undefined) throw missingParameter('TagKeys');
  if (tagKeys.length === 0) throw invalidParameter('TagKeys', 'Give at least one tag key.');
  checkTagKeys('TagKeys', tagKeys);
  await requireTarget(access, target);
  if (target.type === 'key') await services.keys.untagKey(target.id, tagKeys);
  else await services.secrets.untagSecret(target.id, tagKeys);
  return {};
}

/** Keys only (the API has no secret variant); works in every key state. */
async function listResourceTags({ params, noteResource, access }: ActionContext): Promise<WireBody> {
  const reference = params.required('KeyId');
  noteResource(reference);
  const key = await access.requireKey(reference);
  return {
    Tags: wrapped(
      'Tag',
      key.tags.map((t) => ({ KeyId: key.id, TagKey: t.key, TagValue: t.value })),
    ),
  };
}

// ---------------------------------------------------------------------------------------------------
// Batch (ListTagResources is `tag-listing.ts`)

async function tagResources({ params, services, noteResource, access }: ActionContext): Promise<WireBody> {
  params.required('RegionId');
  const type = resourceType(params);
  const ids = resourceIds(params, type, true);
  noteResource(describeBatch(type, ids));
  const pairs = tagPairs(params);
  if (pairs.length === 0) throw missingParameter('Tag.1.Key');
  const tags = pairs.map((p) => ({ key: p.key, value: p.value ?? '' }));
  // Every resource, in order; the first missing or refused one answers as missing, and nothing changes.
  for (const id of ids) await requireTarget(access, { type, id });
  if (type === 'key') await services.keys.tagKeys(ids, tags);
  else await services.secrets.tagSecrets(ids, tags);
  return {};
}

async function untagResources({ params, services, noteResource, access }: ActionContext): Promise<WireBody> {
  params.required('RegionId');
  const type = resourceType(params);
  const ids = resourceIds(params, type, true);
  noteResource(describeBatch(type, ids));
  const keys = tagKeyList(params);
  const all = params.boolean('All', false);
  if (all && keys.length > 0) {
    throw invalidParameter('All', 'All=true removes every tag; give no TagKey.N with it.');
  }
  if (!all && keys.length === 0) throw missingParameter('TagKey.1');
  // Every resource, in order; the first missing or refused one answers as missing, and nothing changes.
  for (const id of ids) await requireTarget(access, { type, id });
  // Undefined: every tag each resource carries.
  const drop = all ? undefined : keys;
  if (type === 'key') await services.keys.untagKeys(ids, drop);
  else await services.secrets.untagSecrets(ids, drop);
  return {};
}

export const TAG_ACTIONS = {
  TagResource: tagResource,
  UntagResource: untagResource,
  ListResourceTags: listResourceTags,
  TagResources: tagResources,
  UntagResources: untagResources,
  ListTagResources: listTagResources,
} satisfies ActionTable;
