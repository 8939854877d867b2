/** `tessera kms` checks actions locally: its catalog must name exactly the actions the server answers. */
import { describe, expect, it } from 'vitest';
import { KMS_ACTIONS as SERVER_ACTIONS } from '../../server/src/protocols/alibaba/actions/index.js';
import { KMS_ACTIONS, acceptsParameter, actionsHelp } from '../src/kms-catalog.js';
import { nearest } from '../src/suggest.js';

describe('the kms catalog', () => {
  it('names every action the server answers, and no other', () => {
    expect([...KMS_ACTIONS.keys()].sort()).toEqual(Object.keys(SERVER_ACTIONS).sort());
  });

  it('lists every action in the help text', () => {
    const help = actionsHelp();
    for (const action of KMS_ACTIONS.keys()) expect(help).toMatch(new RegExp(`\\b${action}\\b`));
  });

  it('accepts numbered and keyed parameters and the common ones', () => {
    expect(acceptsParameter('TagResources', 'ResourceId.12')).toBe(true);
    expect(acceptsParameter('TagResources', 'Tag.3.Value')).toBe(true);
    expect(acceptsParameter('TagResources', 'Tag.x.Value')).toBe(false);
    expect(acceptsParameter('Encrypt', 'EncryptionContext.purpose')).toBe(true);
    expect(acceptsParameter('DescribeRegions', 'RegionId')).toBe(true);
    expect(acceptsParameter('GetSecretValue', 'SecretNam')).toBe(false);
  });
});

describe('nearest', () => {
  it('suggests typos, transpositions, case slips and unique abbreviations; nothing for far names', () => {
    const actions = [...KMS_ACTIONS.keys()];
    expect(nearest('GetSecretValu', actions)).toBe('GetSecretValue');
    expect(nearest('getsecretvalue', actions)).toBe('GetSecretValue');
    expect(nearest('ListSecretVersoinIds', actions)).toBe('ListSecretVersionIds');
    expect(nearest('GenerateDataKeyWithout', actions)).toBe('GenerateDataKeyWithoutPlaintext');
    expect(nearest('Frobnicate', actions)).toBeUndefined();
  });
});
