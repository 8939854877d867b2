/** The package as published: its manifest, and exactly the public surface `index.ts` curates. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as sdk from '../src/index.js';
import { SDK_VERSION } from '../src/version.js';

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  name: string;
  version: string;
  type: string;
  exports: Record<string, unknown>;
  files: string[];
  dependencies?: Record<string, string>;
};

describe('@tessera/sdk package', () => {
  it('is an ESM package whose exports map points at the built entry and its types', () => {
    expect(manifest).toMatchObject({ name: '@tessera/sdk', type: 'module' });
    expect(manifest.exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
    expect(manifest.files).toContain('dist');
  });

  it('has no runtime dependencies (node:crypto and the global fetch only)', () => {
    expect(manifest.dependencies ?? {}).toEqual({});
  });

  it('reports its own version in the user agent', () => {
    expect(SDK_VERSION).toBe(manifest.version);
  });

  it('exports exactly the curated runtime values', () => {
    expect(Object.keys(sdk).sort()).toEqual(
      [
        'ACS_CURRENT',
        'ACS_PREVIOUS',
        'ACTIONTRAIL_API_VERSION',
        'API_VERSION',
        'RAM_API_VERSION',
        'RETRYABLE_ERROR_CODES',
        'SecretCache',
        'TesseraApiError',
        'TesseraClient',
        'TesseraConfigError',
        'TesseraError',
        'TesseraNetworkError',
        'TesseraResponseError',
        'TesseraTimeoutError',
        'isRetryableError',
      ].sort(),
    );
  });

  it('has a typed method for every action the server speaks', () => {
    const actions = [
      'CreateSecret',
      'GetSecretValue',
      'BatchGetSecretValue',
      'PutSecretValue',
      'UpdateSecretVersionStage',
      'DescribeSecret',
      'ListSecrets',
      'ListSecretVersionIds',
      'UpdateSecret',
      'DeleteSecret',
      'RestoreSecret',
      'GetRandomPassword',
      'GetSecretPolicy',
      'SetSecretPolicy',
      'TagResource',
      'UntagResource',
      'ListResourceTags',
      'TagResources',
      'UntagResources',
      'ListTagResources',
      'CreateKey',
      'DescribeKey',
      'ListKeys',
      'UpdateKeyDescription',
      'EnableKey',
      'DisableKey',
      'ScheduleKeyDeletion',
      'CancelKeyDeletion',
      'CreateKeyVersion',
      'DescribeKeyVersion',
      'ListKeyVersions',
      'UpdateRotationPolicy',
      'Encrypt',
      'Decrypt',
      'ReEncrypt',
      'RewrapDataKeys',
      'GenerateDataKey',
      'GenerateDataKeyWithoutPlaintext',
      'CreateAlias',
      'UpdateAlias',
      'DeleteAlias',
      'ListAliases',
      'ListAliasesByKeyId',
      'DescribeRegions',
      'LookupEvents',
      'VerifyEvents',
    ];
    const methods = Object.getOwnPropertyNames(sdk.TesseraClient.prototype);
    for (const action of actions) {
      expect(methods).toContain(action.charAt(0).toLowerCase() + action.slice(1));
    }
  });
});
