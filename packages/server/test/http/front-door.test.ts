/**
 * The front door (http/front-door.ts): `POST /` goes to the protocol the request is meant for, decided
 * by the request itself; an AWS request gets AWS's error shape, never the Alibaba one, and Alibaba
 * requests are untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wireProtocolOf } from '../../src/http/front-door.js';
import type { TestInstance } from '../helpers.js';
import { startTessera } from '../helpers.js';

let instance: TestInstance;
let baseUrl: string;

beforeAll(async () => {
  instance = await startTessera();
  baseUrl = await instance.tessera.listen();
});

afterAll(async () => {
  await instance.stop();
});

describe('wireProtocolOf', () => {
  it('tells AWS requests by their target header, signature or STS version', () => {
    const of = (headers: Record<string, string>, url = '/') =>
      wireProtocolOf({ headers, url, method: 'POST' });
    expect(of({ 'x-amz-target': 'secretsmanager.GetSecretValue' })).toBe('aws');
    expect(
      of({ authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/sts/aws4_request' }),
    ).toBe('aws');
    expect(of({}, '/?Action=GetCallerIdentity&Version=2011-06-15')).toBe('aws');
    expect(of({ authorization: 'ACS3-HMAC-SHA256 Credential=AK,SignedHeaders=host,Signature=x' })).toBe(
      'alibaba',
    );
    expect(of({}, '/?Action=GetSecretValue&Version=2016-01-20')).toBe('alibaba');
  });

  it('sends a browser opening / to the console, and nothing an API client sends', () => {
    const get = (headers: Record<string, string>, url = '/') =>
      wireProtocolOf({ headers, url, method: 'GET' });
    const page = 'text/html,application/xhtml+xml,*/*;q=0.8';
    expect(get({ accept: page })).toBe('browser');
    expect(get({ accept: page }, '/?Action=ListSecrets&Version=2016-01-20')).toBe('alibaba');
    expect(get({ accept: page, 'x-acs-action': 'DescribeRegions' })).toBe('alibaba');
    expect(get({ accept: page, authorization: 'ACS3-HMAC-SHA256 Credential=AK' })).toBe('alibaba');
    expect(get({ accept: 'application/json' })).toBe('alibaba');
    expect(wireProtocolOf({ headers: { accept: page }, url: '/', method: 'POST' })).toBe('alibaba');
  });
});

describe('POST /', () => {
  it('answers an AWS request in AWS shape, an Alibaba one in Alibaba shape', async () => {
    const aws = await fetch(`${baseUrl}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'secretsmanager.GetSecretValue',
      },
      body: JSON.stringify({ SecretId: 'app/db' }),
    });
    expect(aws.status).toBe(400);
    expect(aws.headers.get('content-type')).toContain('application/x-amz-json-1.1');
    expect(await aws.json()).toEqual({
      __type: 'MissingAuthenticationTokenException',
      message: 'Missing Authentication Token',
    });
    const signed = await fetch(`${baseUrl}/`, {
      method: 'POST',
      headers: { authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/sts/aws4_request' },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    // A signature without its date and signature is incomplete, answered in AWS's shape.
    expect(signed.status).toBe(400);
    expect(await signed.json()).toMatchObject({ __type: 'IncompleteSignature' });

    const alibaba = await fetch(`${baseUrl}/?Action=GetSecretValue&Version=2016-01-20`, { method: 'POST' });
    const body = (await alibaba.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ Code: 'MissingParameter' });
    expect(Object.keys(body).sort()).toEqual([
      'Code',
      'HostId',
      'HttpStatus',
      'Message',
      'Recommend',
      'RequestId',
    ]);
  });
});
