/**
 * Tag actions. TagResource/UntagResource address one secret or key and take JSON
 * parameters; the batch actions address many by `ResourceId.N` and take "repeat lists", whose item
 * fields follow the same naming rule (`Tag.1.Key` → `tag: [{ key, value }]`).
 */
import type { WireParams } from '../wire.js';
import { json, params, repeatList, repeatObjects } from '../wire.js';
import type { ApiResponse, Tag } from './common.js';
import { tagsJson } from './common.js';

/** Exactly one resource: a secret (name or ARN) or a key (id, alias or ARN). */
export type TaggedResource =
  { secretName: string; keyId?: undefined } | { keyId: string; secretName?: undefined };

export type TagResourceRequest = TaggedResource & { tags: Tag[] };

export type UntagResourceRequest = TaggedResource & { tagKeys: string[] };

export type ResourceType = 'secret' | 'key';

/** A tag as the repeat-list parameters carry it (`Tag.N.Key`, `Tag.N.Value`). */
export interface TagPair {
  key: string;
  value: string;
}

export interface TagResourcesRequest {
  resourceType: ResourceType;
  /** Secret names or key ids, up to 50. */
  resourceId: string[];
  /** Up to 20. */
  tag: TagPair[];
  /** Default: the client's `regionId`. */
  regionId?: string | undefined;
}

export interface UntagResourcesRequest {
  resourceType: ResourceType;
  resourceId: string[];
  tagKey?: string[] | undefined;
  /** Remove every tag (only without `tagKey`). */
  all?: boolean | undefined;
  regionId?: string | undefined;
}

export interface ListTagResourcesRequest {
  resourceType: ResourceType;
  resourceId?: string[] | undefined;
  tag?: TagPair[] | undefined;
  nextToken?: string | undefined;
  regionId?: string | undefined;
}

export interface TagResourceItem {
  resourceId: string;
  resourceType: string;
  tagKey: string;
  tagValue: string;
}

export interface ListTagResourcesResponse extends ApiResponse {
  /** Empty when there is nothing more. */
  nextToken?: string;
  tagResources: TagResourceItem[];
}

export interface ListResourceTagsRequest {
  /** A key id, alias or ARN (the API lists key tags only this way; use DescribeSecret for a secret's). */
  keyId: string;
}

export interface ListResourceTagsResponse extends ApiResponse {
  tags: { keyId: string; tagKey: string; tagValue: string }[];
}

function resource(r: TaggedResource): WireParams {
  return params({ SecretName: r.secretName, KeyId: r.keyId });
}

export const tagParams = {
  tagResource: (r: TagResourceRequest): WireParams => ({
    ...resource(r),
    ...params({ Tags: tagsJson(r.tags) }),
  }),
  untagResource: (r: UntagResourceRequest): WireParams => ({
    ...resource(r),
    ...params({ TagKeys: json(r.tagKeys) }),
  }),
  listResourceTags: (r: ListResourceTagsRequest): WireParams => params({ KeyId: r.keyId }),
  tagResources: (r: TagResourcesRequest, regionId: string): WireParams => ({
    ...params({ RegionId: r.regionId ?? regionId, ResourceType: r.resourceType }),
    ...repeatList('ResourceId', r.resourceId),
    ...repeatObjects('Tag', r.tag.map(pair)),
  }),
  untagResources: (r: UntagResourcesRequest, regionId: string): WireParams => ({
    ...params({ RegionId: r.regionId ?? regionId, ResourceType: r.resourceType, All: r.all }),
    ...repeatList('ResourceId', r.resourceId),
    ...repeatList('TagKey', r.tagKey),
  }),
  listTagResources: (r: ListTagResourcesRequest, regionId: string): WireParams => ({
    ...params({ RegionId: r.regionId ?? regionId, ResourceType: r.resourceType, NextToken: r.nextToken }),
    ...repeatList('ResourceId', r.resourceId),
    ...repeatObjects('Tag', r.tag?.map(pair)),
  }),
};

function pair(tag: TagPair): Record<string, string> {
  return { key: tag.key, value: tag.value };
}
