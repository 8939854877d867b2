import { describe, expect, it } from 'vitest';
import {
  acs3CanonicalRequest,
  acs3Signature,
  parseAcs3Authorization,
  percentEncode,
  sha256Hex,
  v1Signature,
  v1StringToSign,
} from './signature.js';

// Worked examples from ../shared/spec/alibaba-kms-api.md §2.
describe('signature v1 (HMAC-SHA1)', () => {
  it('reproduces the published GET example', () => {
    const params: [string, string][] = [
      ['AccessKeyId', 'testid'],
      ['Action', 'CreateKey'],
      ['Format', 'json'],
      ['SignatureMethod', 'HMAC-SHA1'],
      ['SignatureVersion', '1.0'],
      ['Timestamp', '2016-03-28T03:13:08Z'],
      ['Version', '2016-01-20'],
    ];
    const stringToSign = v1StringToSign('GET', params);
    expect(stringToSign).toBe(
      'GET&%2F&AccessKeyId%3Dtestid%26Action%3DCreateKey%26Format%3Djson%26SignatureMethod%3DHMAC-SHA1%26SignatureVersion%3D1.0%26Timestamp%3D2016-03-28T03%253A13%253A08Z%26Version%3D2016-01-20',
    );
    expect(v1Signature(stringToSign, 'testsecret')).toBe('41wk2SSX1GJh7fwnc5eqOfiJPFg=');
  });

  it('reproduces worked example A (POST GetSecretValue) and ignores the Signature parameter', () => {
    const params: [string, string][] = [
      ['Action', 'GetSecretValue'],
      ['Format', 'JSON'],
      ['Version', '2016-01-20'],
      ['AccessKeyId', 'testid'],
      ['SignatureMethod', 'HMAC-SHA1'],
      ['SignatureVersion', '1.0'],
      ['SignatureNonce', '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf'],
      ['Timestamp', '2026-01-01T00:00:00Z'],
      ['SecretName', 'my secret/1'],
      ['VersionStage', 'ACSCurrent'],
      ['Signature', 'ignored'],
    ];
    const stringToSign = v1StringToSign('POST', params);
    expect(stringToSign).toBe(
      'POST&%2F&AccessKeyId%3Dtestid%26Action%3DGetSecretValue%26Format%3DJSON%26SecretName%3Dmy%2520secret%252F1%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2026-01-01T00%253A00%253A00Z%26Version%3D2016-01-20%26VersionStage%3DACSCurrent',
    );
    expect(v1Signature(stringToSign, 'testsecret')).toBe('mJ8T1JHbYmEm54nItbntAZ4Nm5E=');
    expect(v1Signature(v1StringToSign('GET', params), 'testsecret')).not.toBe('mJ8T1JHbYmEm54nItbntAZ4Nm5E=');
  });

  it('percent-encodes the characters the Node clients leave raw on the wire', () => {
    expect(percentEncode("a b+c/d?e=f&g!h'i(j)k*l~m")).toBe(
      'a%20b%2Bc%2Fd%3Fe%3Df%26g%21h%27i%28j%29k%2Al~m',
    );
    expect(percentEncode('é😀')).toBe('%C3%A9%F0%9F%98%80');
  });
});

describe('signature ACS3-HMAC-SHA256', () => {
  const authorization =
    'ACS3-HMAC-SHA256 Credential=testid,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=efb7c2571090eff3ba1184c94e5b142ecd11c08858d5ae7714f9ecf87e36c0b8';

  it('reproduces worked example B', () => {
    const parsed = parseAcs3Authorization(authorization);
    expect(parsed).toMatchObject({ algorithm: 'ACS3-HMAC-SHA256', accessKeyId: 'testid' });
    const emptyHash = sha256Hex('');
    expect(emptyHash).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    const canonical = acs3CanonicalRequest({
      method: 'POST',
      path: '/',
      query: [
        ['SecretName', 'my secret/1'],
        ['VersionStage', 'ACSCurrent'],
      ],
      headers: {
        host: 'kms.cn-hangzhou.aliyuncs.com',
        'x-acs-action': 'GetSecretValue',
        'x-acs-version': '2016-01-20',
        'x-acs-date': '2026-01-01T00:00:00Z',
        'x-acs-signature-nonce': '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
        'x-acs-content-sha256': emptyHash,
        accept: 'application/json',
      },
      signedHeaders: parsed?.signedHeaders ?? [],
      payloadHash: emptyHash,
    });
    expect(canonical).toBe(
      [
        'POST',
        '/',
        'SecretName=my%20secret%2F1&VersionStage=ACSCurrent',
        'host:kms.cn-hangzhou.aliyuncs.com',
        'x-acs-action:GetSecretValue',
        `x-acs-content-sha256:${emptyHash}`,
        'x-acs-date:2026-01-01T00:00:00Z',
        'x-acs-signature-nonce:3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
        'x-acs-version:2016-01-20',
        '',
        'host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version',
        emptyHash,
      ].join('\n'),
    );
    expect(sha256Hex(canonical)).toBe('a68aebdf5266ac4dfae2d9db2dcbbd4412083cae41ecef202d19916cf0452cea');
    expect(acs3Signature(canonical, 'testsecret')).toBe(parsed?.signature);
  });

  it('hashes a form body as the spec shows', () => {
    expect(sha256Hex('SecretData=hello%20world&VersionId=v2')).toBe(
      'ef1507d32918110293d0c04086a0e7f430b6a7147445b22b17fcd9437c8e0696',
    );
  });

  it('reads a signed header named like an object member as absent, never as the inherited member', () => {
    const canonical = acs3CanonicalRequest({
      method: 'POST',
      path: '/',
      query: [],
      // A plain object, as Node hands request headers over.
      headers: { host: 'example.com' },
      signedHeaders: ['__proto__', 'constructor', 'host', 'tostring'],
      payloadHash: 'hash',
    });
    expect(canonical).toBe(
      [
        'POST',
        '/',
        '',
        '__proto__:',
        'constructor:',
        'host:example.com',
        'tostring:',
        '',
        '__proto__;constructor;host;tostring',
        'hash',
      ].join('\n'),
    );
  });

  it('rejects malformed Authorization headers', () => {
    for (const header of [
      '',
      'ACS3-HMAC-SHA256',
      'Bearer x',
      'ACS3-HMAC-SHA256 Credential=a',
      'ACS3-HMAC-SHA256 Credential=a,SignedHeaders=host',
    ]) {
      expect(parseAcs3Authorization(header)).toBeUndefined();
    }
  });
});
