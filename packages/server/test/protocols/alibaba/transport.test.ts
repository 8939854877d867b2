/**
 * The RPC transport (docs/behaviour.md rules 17, 21): methods, parameter placement, JSON and XML
 * rendering, the error shape, request ids, size limits, and hostile encodings. Real SDKs where they can
 * express the case; hand-signed `fetch` where they cannot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from './harness.js';
import type { PreparedRequest } from './signed-fetch.js';
import { $Kms, ApiError, startApiServer } from './harness.js';
import {
  acs3Request,
  encodePairs,
  ERROR_KEYS,
  expectApiError,
  jsonOf,
  send,
  signV1,
  v1Request,
  withHeaders,
} from './signed-fetch.js';

let server: ApiServer;

beforeAll(async () => {
  server = await startApiServer();
});

afterAll(async () => {
  await server.stop();
});

async function createSecret(name: string, data = 'value') {
  await server.instance.tessera.services.secrets.createSecret({
    name,
    versionId: 'v1',
    data,
    dataType: 'text',
  });
}

describe('methods and parameter placement', () => {
  it('answers GET and POST (pop-core with each method, and hand-signed requests)', async () => {
    await server.client('pop-core-post').call('CreateSecret', {
      SecretName: 'transport-methods',
      VersionId: 'v1',
      SecretData: 'by post',
    });
    const viaGet = await server.client('pop-core-get').call('GetSecretValue', {
      SecretName: 'transport-methods',
    });
    expect(viaGet.SecretData).toBe('by post');

    for (const method of ['GET', 'POST'] as const) {
      const response = await send(
        v1Request(server.baseUrl, 'GetSecretValue', { SecretName: 'transport-methods' }, { method }),
      );
      expect(response.status).toBe(200);
      expect((await jsonOf(response)).SecretData).toBe('by post');
    }
  });

  it('merges parameters split between the query and a form body (v1 and ACS3)', async () => {
    const split = v1Request(
      server.baseUrl,
      'CreateSecret',
      { SecretName: 'transport-split', VersionId: 'v1', SecretData: 'from the body' },
      { placement: 'split' },
    );
    expect(split.url).not.toContain('SecretData');
    expect(split.init.body).toContain('SecretData=');
    expect((await send(split)).status).toBe(200);

    const allInBody = v1Request(
      server.baseUrl,
      'GetSecretValue',
      { SecretName: 'transport-split' },
      { placement: 'body' },
    );
    expect(allInBody.url).toBe(`${server.baseUrl}/`);
    expect((await jsonOf(await send(allInBody))).SecretData).toBe('from the body');

    const acs3 = acs3Request(
      server.baseUrl,
      'PutSecretValue',
      { SecretName: 'transport-split' },
      { body: { VersionId: 'v2', SecretData: 'acs3 body' } },
    );
    expect((await send(acs3)).status).toBe(200);
    const read = await server
      .client('openapi-acs3')
      .call('GetSecretValue', { SecretName: 'transport-split' });
    expect(read).toMatchObject({ VersionId: 'v2', SecretData: 'acs3 body' });
  });

  it('refuses PUT and DELETE with 403 UnsupportedHTTPMethod in the API shape', async () => {
    for (const method of ['PUT', 'DELETE']) {
      const response = await fetch(`${server.baseUrl}/?Action=GetSecretValue`, { method });
      await expectApiError(response, 403, 'UnsupportedHTTPMethod');
    }
  });

  it('refuses HEAD and OPTIONS with 403 and runs nothing, whichever method the request was signed for', async () => {
    await createSecret('transport-head');
    for (const signedFor of ['GET', 'POST'] as const) {
      const pairs = signV1(
        'DeleteSecret',
        { SecretName: 'transport-head', ForceDeleteWithoutRecovery: 'true' },
        { method: signedFor },
      );
      const head = await fetch(`${server.baseUrl}/?${encodePairs(pairs)}`, { method: 'HEAD' });
      expect(head.status).toBe(403);
      expect(head.headers.get('x-acs-request-id')).toBeTruthy();
    }
    const options = await fetch(`${server.baseUrl}/?Action=DeleteSecret`, { method: 'OPTIONS' });
    await expectApiError(options, 403, 'UnsupportedHTTPMethod');
    const read = await send(v1Request(server.baseUrl, 'DescribeSecret', { SecretName: 'transport-head' }));
    expect(read.status).toBe(200);
  });

  it('refuses a parameter given twice with 400, in the query and in the body', async () => {
    const pairs = signV1('GetSecretValue', { SecretName: 'transport-methods' });
    const inQuery = await fetch(`${server.baseUrl}/?${encodePairs(pairs)}&SecretName=transport-split`, {
      method: 'POST',
    });
    const body = await expectApiError(inQuery, 400, 'InvalidParameter');
    expect(body.Message).toContain('SecretName');

    const inBody = await fetch(`${server.baseUrl}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `${encodePairs(pairs)}&Version=2016-01-20`,
    });
    await expectApiError(inBody, 400, 'InvalidParameter');
  });
});

describe('routing', () => {
  it('answers an unknown Action with 404 InvalidAction.NotFound', async () => {
    await expectApiError(
      await send(v1Request(server.baseUrl, 'StealEverything', {})),
      404,
      'InvalidAction.NotFound',
    );
    await expect(server.client('openapi-acs3').call('NoSuchAction')).rejects.toMatchObject({
      code: 'InvalidAction.NotFound',
      status: 404,
    });
  });

  it('answers a wrong Version with 400 InvalidVersion (v1 parameter and ACS3 header)', async () => {
    const pairs = signV1('GetSecretValue', { SecretName: 'x', Version: '2015-01-01' });
    await expectApiError(
      await fetch(`${server.baseUrl}/?${encodePairs(pairs)}`, { method: 'POST' }),
      400,
      'InvalidVersion',
    );
    await expectApiError(
      await send(
        acs3Request(server.baseUrl, 'GetSecretValue', { SecretName: 'x' }, { version: '2014-05-26' }),
      ),
      400,
      'InvalidVersion',
    );
  });

  it('answers a Version or Action named like an object member with 400/404, never running it', async () => {
    for (const [version, action] of [
      ['constructor', 'keys'],
      ['constructor', 'defineProperty'],
      ['constructor', 'freeze'],
      ['__proto__', 'toString'],
      ['__proto__', 'hasOwnProperty'],
      ['toString', 'call'],
    ] as const) {
      const pairs = signV1(undefined, { Action: action, Version: version });
      const body = await expectApiError(
        await fetch(`${server.baseUrl}/?${encodePairs(pairs)}`, { method: 'POST' }),
        400,
        'InvalidVersion',
      );
      expect(body).not.toHaveProperty('params');
      await expectApiError(
        await send(acs3Request(server.baseUrl, action, {}, { version })),
        400,
        'InvalidVersion',
      );
    }
    for (const action of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      await expectApiError(await send(v1Request(server.baseUrl, action, {})), 404, 'InvalidAction.NotFound');
    }
  });

  it('answers a missing Action with 400 MissingParameter', async () => {
    const body = await expectApiError(
      await send(v1Request(server.baseUrl, undefined, { SecretName: 'x' })),
      400,
      'MissingParameter',
    );
    expect(body.Message).toContain('Action');
  });
});

describe('JSON rendering', () => {
  it('has no Code on success, wraps lists with arrays even for one item, and sets x-acs-request-id', async () => {
    await createSecret('transport-json');
    const response = await send(
      v1Request(server.baseUrl, 'GetSecretValue', { SecretName: 'transport-json' }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json;charset=utf-8');
    const body = await jsonOf(response);
    expect(body).not.toHaveProperty('Code');
    expect(body.VersionStages).toEqual({ VersionStage: ['ACSCurrent'] });
    expect(typeof body.RequestId).toBe('string');
    expect(response.headers.get('x-acs-request-id')).toBe(body.RequestId);

    // The typed 1.2.0 client deserializes strictly: a bare string where an array belongs throws.
    const typed = await server.kms.getSecretValue(
      new $Kms.GetSecretValueRequest({ secretName: 'transport-json' }),
    );
    expect(typed.versionStages.versionStage).toEqual(['ACSCurrent']);
  });

  it('writes non-ASCII as raw UTF-8, never as \\u escapes', async () => {
    const value = 'café é😀 日本語';
    await server.client('openapi-v2').call('CreateSecret', {
      SecretName: 'transport-utf8',
      VersionId: 'v1',
      SecretData: value,
    });
    const response = await send(
      v1Request(server.baseUrl, 'GetSecretValue', { SecretName: 'transport-utf8' }),
    );
    const raw = await response.text();
    expect(raw).toContain(value);
    expect(raw).not.toMatch(/\\u[0-9a-fA-F]{4}/);
    for (const client of server.clients) {
      expect((await client.call('GetSecretValue', { SecretName: 'transport-utf8' })).SecretData).toBe(value);
    }
  });

  it('gives every error exactly RequestId, HostId, Code, Message, Recommend, HttpStatus, with the status', async () => {
    const notFound = await send(
      v1Request(server.baseUrl, 'GetSecretValue', { SecretName: 'transport-none' }),
    );
    const body = await expectApiError(notFound, 404, 'Forbidden.ResourceNotFound');
    expect(body.HostId).toBe(new URL(server.baseUrl).host);
    expect(body.Message).toContain('transport-none');

    const conflict = await send(
      v1Request(server.baseUrl, 'CreateSecret', {
        SecretName: 'transport-json',
        VersionId: 'v1',
        SecretData: 'again',
      }),
    );
    await expectApiError(conflict, 409, 'Rejected.ResourceExist');

    // Every client sees the same code and status.
    for (const client of server.clients) {
      const error = await client
        .call('GetSecretValue', { SecretName: 'transport-none' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiError);
      expect(error).toMatchObject({ code: 'Forbidden.ResourceNotFound', status: 404 });
    }
  });
});

describe('XML rendering', () => {
  it('answers Format=XML with an XML document, lists as repeated elements', async () => {
    await createSecret('transport-xml', 'x < y & "z"');
    const put = await send(
      v1Request(
        server.baseUrl,
        'PutSecretValue',
        {
          SecretName: 'transport-xml',
          VersionId: 'v2',
          SecretData: 'second',
          VersionStages: '["ACSCurrent","Blue"]',
        },
        { format: 'XML' },
      ),
    );
    expect(put.status).toBe(200);
    expect(put.headers.get('content-type')).toBe('text/xml;charset=utf-8');
    const putXml = await put.text();
    expect(putXml).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?><PutSecretValueResponse>/);
    const stages = /<VersionStages>(.*)<\/VersionStages>/.exec(putXml)?.[1] ?? '';
    expect(stages.match(/<VersionStage>[^<]*<\/VersionStage>/g)?.sort()).toEqual([
      '<VersionStage>ACSCurrent</VersionStage>',
      '<VersionStage>Blue</VersionStage>',
    ]);
    expect(putXml).toMatch(/<RequestId>[0-9A-F-]{36}<\/RequestId>/);
    expect(putXml).not.toContain('<Code>');

    const get = await send(
      v1Request(
        server.baseUrl,
        'GetSecretValue',
        { SecretName: 'transport-xml', VersionId: 'v1' },
        { format: 'xml', method: 'GET' },
      ),
    );
    const getXml = await get.text();
    expect(getXml).toContain('<SecretData>x &lt; y &amp; &quot;z&quot;</SecretData>');
    expect(getXml).toContain('<VersionStages><VersionStage>ACSPrevious</VersionStage></VersionStages>');
  });

  it('renders errors in XML too, with the HTTP status and the request id header', async () => {
    const response = await send(
      v1Request(server.baseUrl, 'GetSecretValue', { SecretName: 'transport-none' }, { format: 'XML' }),
    );
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('text/xml;charset=utf-8');
    const xml = await response.text();
    expect(xml).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?><Error>/);
    const requestId = /<RequestId>([^<]+)<\/RequestId>/.exec(xml)?.[1];
    expect(requestId).toBeDefined();
    expect(response.headers.get('x-acs-request-id')).toBe(requestId);
    for (const element of ['HostId', 'Message', 'Recommend']) expect(xml).toContain(`<${element}>`);
    expect(xml).toContain('<Code>Forbidden.ResourceNotFound</Code>');
    expect(xml).toContain('<HttpStatus>404</HttpStatus>');

    // An unknown action is an error found after authentication: still XML.
    const unknown = await send(v1Request(server.baseUrl, 'Nope', {}, { format: 'XML' }));
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('<Code>InvalidAction.NotFound</Code>');
  });
});

describe('sizes (docs/behaviour.md rule 21)', () => {
  // 30,720 bytes of 3- and 4-byte characters: 92,160 bytes once percent-encoded into the query.
  const bigValue = '€'.repeat(5120) + '😀'.repeat(3840);

  it('stores and reads back a 30,720-byte multi-byte SecretData sent in the query by the typed SDK', async () => {
    expect(Buffer.byteLength(bigValue, 'utf8')).toBe(30_720);
    const requestLine = v1Request(server.baseUrl, 'CreateSecret', {
      SecretName: 'transport-big',
      VersionId: 'v1',
      SecretData: bigValue,
    }).url;
    expect(requestLine.length).toBeGreaterThan(64 * 1024);

    await server.kms.createSecret(
      new $Kms.CreateSecretRequest({ secretName: 'transport-big', versionId: 'v1', secretData: bigValue }),
    );
    const read = await server.kms.getSecretValue(
      new $Kms.GetSecretValueRequest({ secretName: 'transport-big' }),
    );
    expect(read.secretData).toBe(bigValue);

    // The ACS3 client puts it in the query as well.
    await server.client('openapi-acs3').call('PutSecretValue', {
      SecretName: 'transport-big',
      VersionId: 'v2',
      SecretData: Array.from(bigValue).reverse().join(''),
    });
    const second = await server
      .client('openapi-acs3')
      .call('GetSecretValue', { SecretName: 'transport-big' });
    expect(second.SecretData).toBe(Array.from(bigValue).reverse().join(''));
  });

  it('refuses one byte more with 400 InvalidParameter', async () => {
    const error = await server.kms
      .createSecret(
        new $Kms.CreateSecretRequest({
          secretName: 'transport-too-big',
          versionId: 'v1',
          secretData: `${bigValue}x`,
        }),
      )
      .catch((e: unknown) => e as { data?: Record<string, unknown> });
    expect(error.data).toMatchObject({ Code: 'InvalidParameter', HttpStatus: 400 });
  });

  it('accepts a request line of 128 KiB with the headers a client adds besides (docs/behaviour.md rule 21)', async () => {
    const requestLine = (request: PreparedRequest) => {
      const url = new URL(request.url);
      return `POST ${url.pathname}${url.search} HTTP/1.1`.length;
    };
    // An unknown parameter (signed, then ignored) pads the line to exactly 128 KiB. The encoded
    // signature's length varies (`+`, `/` and `=` take three characters), so sign until it fits.
    let request = v1Request(server.baseUrl, 'DescribeRegions', { Padding: '' });
    for (let attempt = 0; attempt < 50 && requestLine(request) !== 128 * 1024; attempt++) {
      const padding = 'p'.repeat(
        128 * 1024 - requestLine(v1Request(server.baseUrl, 'DescribeRegions', {})) - 9,
      );
      request = v1Request(server.baseUrl, 'DescribeRegions', { Padding: padding });
    }
    expect(requestLine(request)).toBe(128 * 1024);
    const response = await send(withHeaders(request, { 'user-agent': 'u'.repeat(2048) }));
    expect(response.status).toBe(200);
  });

  it('refuses a body over 256 KiB with a 4xx in the API error shape', async () => {
    const padding = 'a'.repeat(300 * 1024);
    const request = v1Request(
      server.baseUrl,
      'CreateSecret',
      { SecretName: 'transport-huge-body', VersionId: 'v1', SecretData: padding },
      { placement: 'body' },
    );
    const response = await send(request);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    const body = await jsonOf(response);
    expect(Object.keys(body).sort()).toEqual(ERROR_KEYS);
    expect(body.HttpStatus).toBe(response.status);
    await expect(
      server.instance.tessera.services.secrets.describeSecret('transport-huge-body'),
    ).rejects.toMatchObject({ code: 'secret_not_found' });
  });
});

describe('hostile encodings', () => {
  /** A signed query whose business part is sent exactly as written; signed over what the server decodes. */
  function rawSigned(action: string, rawBusiness: string, method: 'GET' | 'POST'): string {
    const decoded = [...new URLSearchParams(rawBusiness)];
    const names = new Set(decoded.map(([name]) => name));
    const common = signV1(action, Object.fromEntries(decoded), { method }).filter(
      ([name]) => !names.has(name),
    );
    return `${encodePairs(common)}&${rawBusiness}`;
  }

  it('never answers malformed percent-encoding with a 5xx, signed or not', async () => {
    await createSecret('transport-pct');
    const cases: [raw: string, expected: number][] = [
      ['SecretName=transport-pct&Junk=%', 200],
      ['SecretName=transport-pct&Junk=%ZZ%G1%', 200],
      ['SecretName=transport-pct&Junk=%E9%FF%C0%AF%ED%A0%80', 200],
      ['SecretName=transport-pct&%ZZ=1&%=2', 200],
      ['SecretName=%ZZ', 404],
      ['SecretName=%E0%A4%A', 404],
      ['SecretName=transport-pct%00', 404],
    ];
    for (const [raw, expected] of cases) {
      for (const method of ['GET', 'POST'] as const) {
        const response = await fetch(`${server.baseUrl}/?${rawSigned('GetSecretValue', raw, method)}`, {
          method,
        });
        expect(response.status, `${method} ${raw}`).toBe(expected);
      }
    }
    // Invalid UTF-8 in a value decodes to U+FFFD and is stored as such.
    const created = await fetch(
      `${server.baseUrl}/?${rawSigned('CreateSecret', 'SecretName=transport-pct-2&VersionId=v1&SecretData=a%E9%FFb', 'POST')}`,
      { method: 'POST' },
    );
    expect(created.status).toBe(200);
    const read = await server
      .client('pop-core-get')
      .call('GetSecretValue', { SecretName: 'transport-pct-2' });
    expect(read.SecretData).toBe('a\uFFFD\uFFFDb');

    // Unsigned garbage, in the query and in a form body.
    for (const raw of ['%%%%&&&===', '%E0%A4%A=%', 'Action=GetSecretValue&SecretName=%ZZ', '=&=&%00=%00']) {
      for (const method of ['GET', 'POST']) {
        const response = await fetch(`${server.baseUrl}/?${raw}`, { method });
        expect(response.status, `${method} ${raw}`).toBeGreaterThanOrEqual(400);
        expect(response.status, `${method} ${raw}`).toBeLessThan(500);
        expect(Object.keys(await jsonOf(response)).sort()).toEqual(ERROR_KEYS);
      }
      const inBody = await fetch(`${server.baseUrl}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: raw,
      });
      expect(inBody.status, `body ${raw}`).toBeLessThan(500);
    }
  });

  it('handles odd Unicode in names and values without a 5xx, and round-trips it in values', async () => {
    const names = ['nul\u0000name', 'bidi\u202Ename', 'emoji😀', '\uFEFFbom', 'e\u0301', '\uFFFD'];
    for (const name of names) {
      const response = await send(
        v1Request(server.baseUrl, 'CreateSecret', { SecretName: name, VersionId: 'v1', SecretData: 'x' }),
      );
      await expectApiError(response, 400, 'InvalidParameter');
    }
    const values = [
      'nul\u0000inside',
      '\u202Eevil',
      '\uFEFFbom',
      'line\u2028sep',
      'e\u0301',
      '\uFFFF\uFFFE',
      'tab\t\r\n',
    ];
    for (const [index, value] of values.entries()) {
      const name = `transport-odd-${index}`;
      const created = await send(
        v1Request(server.baseUrl, 'CreateSecret', { SecretName: name, VersionId: 'v1', SecretData: value }),
      );
      expect(created.status, JSON.stringify(value)).toBe(200);
      const json = await jsonOf(
        await send(v1Request(server.baseUrl, 'GetSecretValue', { SecretName: name })),
      );
      expect(json.SecretData).toBe(value);
      const xml = await send(
        v1Request(server.baseUrl, 'GetSecretValue', { SecretName: name }, { format: 'XML' }),
      );
      expect(xml.status).toBe(200);
    }
    // A JSON-in-a-string parameter carrying a lone surrogate is refused, not crashed on.
    await createSecret('transport-odd-tags');
    const loneSurrogate = await send(
      v1Request(server.baseUrl, 'TagResource', {
        SecretName: 'transport-odd-tags',
        Tags: '[{"TagKey":"\\ud800","TagValue":"x"}]',
      }),
    );
    await expectApiError(loneSurrogate, 400, 'InvalidParameter');
  });
});
