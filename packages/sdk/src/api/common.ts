/** Shapes shared by several actions. */

/** Per-call overrides of the client's settings. */
export interface RequestOptions {
  /** Cancels the call, retries included; the signal's reason is thrown as is. */
  readonly signal?: AbortSignal | undefined;
  /** Time allowed for each attempt, in milliseconds. Default: the client's `timeoutMs`. */
  readonly timeoutMs?: number | undefined;
  /** Retries after the first attempt. Default: the client's `maxRetries`. */
  readonly maxRetries?: number | undefined;
}

/** Every answer carries the server's request id. */
export interface ApiResponse {
  requestId: string;
}

/** A tag as the JSON `Tags` parameters and the `Tags` lists of answers carry it. */
export interface Tag {
  tagKey: string;
  tagValue: string;
}

/** One filter of ListSecrets/ListKeys: values of one key are OR-ed, keys are AND-ed. */
export interface Filter {
  key: string;
  values: string[];
}

export interface PageRequest {
  /** 1-based. Default 1. */
  pageNumber?: number | undefined;
  pageSize?: number | undefined;
}

export interface Page extends ApiResponse {
  pageNumber: number;
  pageSize: number;
  totalCount: number;
}

/** `Tags` as JSON text: `[{"TagKey":"k","TagValue":"v"}]`. */
export function tagsJson(tags: readonly Tag[] | undefined): string | undefined {
  return tags === undefined
    ? undefined
    : JSON.stringify(tags.map((tag) => ({ TagKey: tag.tagKey, TagValue: tag.tagValue })));
}

/** `Filters` as JSON text: `[{"Key":"SecretName","Values":["a"]}]`. */
export function filtersJson(filters: readonly Filter[] | undefined): string | undefined {
  return filters === undefined
    ? undefined
    : JSON.stringify(filters.map((filter) => ({ Key: filter.key, Values: filter.values })));
}
