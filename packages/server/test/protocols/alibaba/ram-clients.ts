/**
 * RAM clients from the npm registry pointed at a test server: the typed `@alicloud/ram20150501`
 * (openapi-core, ACS3 signatures) and `@alicloud/pop-core` with GET and with POST (signature v1).
 */
import RamModule, * as $Ram from '@alicloud/ram20150501';
import PopCore from '@alicloud/pop-core';
import type { ApiClient, Body } from './harness.js';
import { toApiError } from './harness.js';

export const RAM_VERSION = '2015-05-01';

function unwrap<T>(module: { default: T }): T {
  return typeof module === 'function' ? module : module.default;
}
const Ram = unwrap(RamModule);

export interface Credentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
}

export type RamClient = InstanceType<typeof Ram>;

export function ramClient(endpoint: string, credentials: Credentials): RamClient {
  return new Ram({ ...credentials, endpoint, protocol: 'http', regionId: 'cn-hangzhou' } as never);
}

/** A typed RAM call whose error, if any, is mapped to `ApiError`. Returns the response body. */
export async function ram<T extends { body?: unknown }>(call: Promise<T>): Promise<NonNullable<T['body']>> {
  try {
    const response = await call;
    return response.body as NonNullable<T['body']>;
  } catch (error) {
    throw toApiError(error);
  }
}

export function popRamClient(baseUrl: string, credentials: Credentials, method: 'GET' | 'POST'): ApiClient {
  const client = new PopCore({ ...credentials, endpoint: baseUrl, apiVersion: RAM_VERSION });
  return {
    name: method === 'GET' ? 'pop-core-get' : 'pop-core-post',
    async call(action, params = {}) {
      const strings = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)]));
      try {
        return await client.request<Body>(action, strings, { method, timeout: 10_000 });
      } catch (error) {
        throw toApiError(error);
      }
    },
  };
}

export { $Ram };
