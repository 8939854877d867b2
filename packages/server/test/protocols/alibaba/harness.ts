/**
 * A real Tessera on an ephemeral port, and the real Alibaba clients from the npm registry pointed at
 * it: the typed `@alicloud/kms20160120` (rpc-client, signature v1), `@alicloud/openapi-client`
 * `callApi` in ACS3 mode and in `signatureAlgorithm: 'v2'` mode, and `@alicloud/pop-core` with GET
 * and with POST. `call` gives all of them one shape so a scenario can run through each.
 */
import KmsModule, * as $Kms from '@alicloud/kms20160120';
import OpenApiModule, * as $OpenApi from '@alicloud/openapi-client';
import PopCore from '@alicloud/pop-core';
import * as $Util from '@alicloud/tea-util';
import { expect } from 'vitest';
import type { HostResolver } from '../../../src/rotators/webhook-address-guard.js';
import type { Clock } from '../../../src/services/clock.js';
import { RECEIVER_NETWORK_ENV } from '../../fakes/webhook-receiver.js';
import type { TestInstance } from '../../helpers.js';
import { startTessera } from '../../helpers.js';

// These packages are CommonJS with `exports.default`. Node's ESM loader hands over `module.exports`
// (class on `.default`); Vitest's loader may unwrap it already. Accept both.
function unwrap<T>(module: { default: T }): T {
  return typeof module === 'function' ? module : module.default;
}
const Kms = unwrap(KmsModule);
const OpenApi = unwrap(OpenApiModule);

export const ACCESS_KEY_ID = 'TesseraTestAdmin';
export const ACCESS_KEY_SECRET = 'test-admin-secret-0123456789';

export type Body = Record<string, unknown>;

/** One way of calling the API; every client throws `ApiError` on an error answer. */
export interface ApiClient {
  readonly name: string;
  call(action: string, params?: Record<string, string | number | boolean>): Promise<Body>;
}

export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly requestId: string | undefined;
  /** The server's error body as the SDK parsed it, when it did. */
  readonly body: Body | undefined;

  constructor(code: string, status: number, requestId: string | undefined, message: string, body?: Body) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.requestId = requestId;
    this.body = body;
  }
}

export interface ApiServer {
  readonly instance: TestInstance;
  /** `127.0.0.1:port`, as the SDKs take it. */
  readonly endpoint: string;
  readonly baseUrl: string;
  /** The typed client of `@alicloud/kms20160120`. */
  readonly kms: InstanceType<typeof Kms>;
  /** Every client, with the same `call` shape. */
  readonly clients: readonly ApiClient[];
  client(name: ClientName): ApiClient;
  stop(): Promise<void>;
}

export type ClientName = 'kms20160120' | 'openapi-acs3' | 'openapi-v2' | 'pop-core-get' | 'pop-core-post';

export async function startApiServer(
  options: { clock?: Clock; env?: Record<string, string>; resolveHost?: HostResolver } = {},
): Promise<ApiServer> {
  const instance = await startTessera({
    env: {
      TESSERA_ROOT_ACCESS_KEY_ID: ACCESS_KEY_ID,
      TESSERA_ROOT_ACCESS_KEY_SECRET: ACCESS_KEY_SECRET,
      ...RECEIVER_NETWORK_ENV,
      ...options.env,
    },
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.resolveHost ? { resolveHost: options.resolveHost } : {}),
  });
  const baseUrl = await instance.tessera.listen();
  const endpoint = baseUrl.replace(/^http:\/\//, '');
  const credentials = { accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET };
  const kms = kmsClient(endpoint, credentials);
  const clients: ApiClient[] = [
    rpcClient(kms),
    openApiClient(endpoint, credentials, 'openapi-acs3'),
    openApiClient(endpoint, credentials, 'openapi-v2'),
    popCoreClient(baseUrl, credentials, 'GET'),
    popCoreClient(baseUrl, credentials, 'POST'),
  ];
  return {
    instance,
    endpoint,
    baseUrl,
    kms,
    clients,
    client(name) {
      const found = clients.find((c) => c.name === name);
      if (!found) throw new Error(`no client ${name}`);
      return found;
    },
    stop: () => instance.stop(),
  };
}

export interface Credentials {
  accessKeyId: string;
  accessKeySecret: string;
}

/** Every client of `startApiServer`, signing with other credentials (a RAM user's access key). */
export function clientsFor(
  server: Pick<ApiServer, 'endpoint' | 'baseUrl'>,
  credentials: Credentials,
): ApiClient[] {
  return [
    rpcClient(kmsClient(server.endpoint, credentials)),
    openApiClient(server.endpoint, credentials, 'openapi-acs3'),
    openApiClient(server.endpoint, credentials, 'openapi-v2'),
    popCoreClient(server.baseUrl, credentials, 'GET'),
    popCoreClient(server.baseUrl, credentials, 'POST'),
  ];
}

export function kmsClient(endpoint: string, credentials: Credentials): InstanceType<typeof Kms> {
  return new Kms({ ...credentials, endpoint, protocol: 'http', regionId: 'cn-hangzhou' } as never);
}

function stringify(params: Record<string, string | number | boolean>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)]));
}

/** Maps each SDK's error object to one shape; the server's JSON body is the source of truth. */
export function toApiError(error: unknown): ApiError {
  const e = error as { code?: string; statusCode?: number; data?: Record<string, unknown>; message?: string };
  const data = e.data ?? {};
  const code = typeof data.Code === 'string' ? data.Code : (e.code ?? 'Unknown').replace(/Error$/, '');
  const status =
    typeof data.HttpStatus === 'number'
      ? data.HttpStatus
      : typeof data.statusCode === 'number'
        ? data.statusCode
        : (e.statusCode ?? 0);
  const requestId = typeof data.RequestId === 'string' ? data.RequestId : undefined;
  return new ApiError(code, status, requestId, e.message ?? String(error), e.data);
}

/** The error a call that must fail ends with, in the one shape every client's errors are mapped to. */
export async function errorOf(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => (e instanceof ApiError ? e : toApiError(e)),
  );
  if (!(error instanceof ApiError)) throw new Error('expected the call to fail, and it succeeded');
  return error;
}

/** A call that must fail with this HTTP status and `Code`; returns the error for further checks. */
export async function expectFailure(
  promise: Promise<unknown>,
  status: number,
  code: string,
): Promise<ApiError> {
  const error = await errorOf(promise);
  expect({ status: error.status, code: error.code }, error.message).toEqual({ status, code });
  return error;
}

function rpcClient(kms: InstanceType<typeof Kms>): ApiClient {
  return {
    name: 'kms20160120',
    async call(action, params = {}) {
      try {
        // The same signing path the typed methods use (rpc-client doRequest), for actions by name.
        return await kms.doRequest(
          action,
          'HTTP',
          'POST',
          '2016-01-20',
          'AK',
          stringify(params),
          {},
          new $Util.RuntimeOptions({}),
        );
      } catch (error) {
        throw toApiError(error);
      }
    },
  };
}

/**
 * `callApi` of `@alicloud/openapi-client` with some parameters in a form body, as the client sends them
 * when a request has a body (it then signs the content type too).
 */
export async function openApiCallWithBody(
  endpoint: string,
  mode: 'openapi-acs3' | 'openapi-v2',
  action: string,
  query: Record<string, string>,
  body: Record<string, string>,
): Promise<Body> {
  const client = new OpenApi(
    new $OpenApi.Config({
      accessKeyId: ACCESS_KEY_ID,
      accessKeySecret: ACCESS_KEY_SECRET,
      endpoint,
      protocol: 'http',
      regionId: 'cn-hangzhou',
      ...(mode === 'openapi-v2' ? { signatureAlgorithm: 'v2' } : {}),
    }),
  );
  try {
    const response = (await client.callApi(
      openApiParams(action),
      new $OpenApi.OpenApiRequest({ query, body }),
      new $Util.RuntimeOptions({}),
    )) as { body: Body };
    return response.body;
  } catch (error) {
    throw toApiError(error);
  }
}

function openApiParams(action: string): $OpenApi.Params {
  return new $OpenApi.Params({
    action,
    version: '2016-01-20',
    protocol: 'HTTP',
    pathname: '/',
    method: 'POST',
    authType: 'AK',
    style: 'RPC',
    reqBodyType: 'formData',
    bodyType: 'json',
  });
}

function openApiClient(
  endpoint: string,
  credentials: Credentials,
  name: 'openapi-acs3' | 'openapi-v2',
): ApiClient {
  const client = new OpenApi(
    new $OpenApi.Config({
      ...credentials,
      endpoint,
      protocol: 'http',
      regionId: 'cn-hangzhou',
      ...(name === 'openapi-v2' ? { signatureAlgorithm: 'v2' } : {}),
    }),
  );
  return {
    name,
    async call(action, params = {}) {
      const request = new $OpenApi.OpenApiRequest({ query: stringify(params) });
      try {
        const response = (await client.callApi(
          openApiParams(action),
          request,
          new $Util.RuntimeOptions({}),
        )) as {
          body: Body;
        };
        return response.body;
      } catch (error) {
        throw toApiError(error);
      }
    },
  };
}

function popCoreClient(baseUrl: string, credentials: Credentials, method: 'GET' | 'POST'): ApiClient {
  const client = new PopCore({ ...credentials, endpoint: baseUrl, apiVersion: '2016-01-20' });
  return {
    name: method === 'GET' ? 'pop-core-get' : 'pop-core-post',
    async call(action, params = {}) {
      try {
        return await client.request<Body>(action, stringify(params), { method, timeout: 10_000 });
      } catch (error) {
        throw toApiError(error);
      }
    },
  };
}

export { $Kms };
