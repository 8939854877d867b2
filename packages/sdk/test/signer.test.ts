import { describe, expect, it } from 'vitest';
import {
  acsDate,
  authorization,
  canonicalQuery,
  canonicalRequest,
  EMPTY_PAYLOAD_HASH,
  percentEncode,
  sha256Hex,
} from '../src/signer.js';
import { camelCase, fromWire, pascalCase, repeatList, repeatObjects } from '../src/wire.js';

describe('ACS3-HMAC-SHA256 signer', () => {
  // worked example B.
  const example = {
    method: 'POST',
    path: '/',
    query: canonicalQuery({ SecretName: 'my secret/1', VersionStage: 'ACSCurrent' }),
    headers: {
      host: 'kms.cn-hangzhou.aliyuncs.com',
      'x-acs-action': 'GetSecretValue',
      'x-acs-version': '2016-01-20',
      'x-acs-date': '2026-01-01T00:00:00Z',
      'x-acs-signature-nonce': '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
      'x-acs-content-sha256': EMPTY_PAYLOAD_HASH,
    },
    payloadHash: EMPTY_PAYLOAD_HASH,
  };

  it('reproduces the canonical request and signature of the spec worked example', () => {
    expect(example.query).toBe('SecretName=my%20secret%2F1&VersionStage=ACSCurrent');
    expect(sha256Hex(canonicalRequest(example))).toBe(
      'a68aebdf5266ac4dfae2d9db2dcbbd4412083cae41ecef202d19916cf0452cea',
    );
    expect(authorization(example, 'testid', 'testsecret')).toBe(
      'ACS3-HMAC-SHA256 Credential=testid,' +
        'SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,' +
        'Signature=efb7c2571090eff3ba1184c94e5b142ecd11c08858d5ae7714f9ecf87e36c0b8',
    );
  });

  it('signs the same request identically whatever the order its headers were given in', () => {
    const reversed = { ...example, headers: Object.fromEntries(Object.entries(example.headers).reverse()) };
    expect(authorization(reversed, 'testid', 'testsecret')).toBe(
      authorization(example, 'testid', 'testsecret'),
    );
  });

  it('percent-encodes per RFC 3986 with upper-case hex', () => {
    expect(percentEncode("a b+c/d?e=f&g!h'i(j)k*l~m")).toBe(
      'a%20b%2Bc%2Fd%3Fe%3Df%26g%21h%27i%28j%29k%2Al~m',
    );
    expect(percentEncode('é€😀')).toBe('%C3%A9%E2%82%AC%F0%9F%98%80');
  });

  it('sorts query parameters by name in code-unit order and keeps empty values', () => {
    expect(canonicalQuery({ b: '2', a: '', B: '1', 'Tag.1.Key': 'k' })).toBe('B=1&Tag.1.Key=k&a=&b=2');
  });

  it('formats x-acs-date as UTC seconds', () => {
    expect(acsDate(Date.UTC(2026, 0, 2, 3, 4, 5, 678))).toBe('2026-01-02T03:04:05Z');
  });
});

describe('wire mapping', () => {
  it('maps field names both ways, acronyms included', () => {
    expect(camelCase('SecretName')).toBe('secretName');
    expect(camelCase('DKMSInstanceId')).toBe('dkmsInstanceId');
    expect(camelCase('RequestId')).toBe('requestId');
    expect(pascalCase('secretName')).toBe('SecretName');
    expect(pascalCase('dkmsInstanceId')).toBe('DKMSInstanceId');
  });

  it('unwraps list wrappers, even around one item or none, and camel-cases nested objects', () => {
    expect(
      fromWire({
        RequestId: 'r',
        VersionIds: {
          VersionId: [{ VersionId: 'v1', VersionStages: { VersionStage: ['ACSCurrent'] } }],
        },
        Tags: {},
        Regions: { Region: { RegionId: 'cn-hangzhou' } },
        SecretValues: [{ SecretName: 's', VersionStages: { VersionStage: [] } }],
      }),
    ).toEqual({
      requestId: 'r',
      versionIds: [{ versionId: 'v1', versionStages: ['ACSCurrent'] }],
      tags: [],
      regions: [{ regionId: 'cn-hangzhou' }],
      secretValues: [{ secretName: 's', versionStages: [] }],
    });
  });

  it('flattens repeat lists 1-based', () => {
    expect(repeatList('ResourceId', ['a', 'b'])).toEqual({ 'ResourceId.1': 'a', 'ResourceId.2': 'b' });
    expect(repeatObjects('Tag', [{ key: 'k', value: 'v' }])).toEqual({
      'Tag.1.Key': 'k',
      'Tag.1.Value': 'v',
    });
  });
});
