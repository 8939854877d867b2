/**
 * Built-in policies (PolicyType `System`), named after the Alibaba Cloud system policies they stand
 * for so that scripts written for RAM attach the same names. Their documents cover what Tessera
 * serves; they cannot be created, changed or deleted through the API. Each one passes
 * `parseRamPolicy` (a test checks), and is parsed once.
 */
import type { Policy } from './identity.js';
import type { ParsedPolicy } from './ram-policy.js';
import { parseRamPolicy } from './ram-policy.js';

interface SystemPolicyDefinition {
  readonly description: string;
  readonly statements: readonly object[];
}

const allow = (action: string | string[], resource: string | string[] = '*') => ({
  Effect: 'Allow',
  Action: action,
  Resource: resource,
});

const DEFINITIONS: Readonly<Record<string, SystemPolicyDefinition>> = {
  AdministratorAccess: {
    description: 'Full access to every Tessera resource and API.',
    statements: [allow('*')],
  },
  AliyunKMSFullAccess: {
    description: 'Full access to KMS: secrets, keys, aliases and cryptographic operations.',
    statements: [allow('kms:*')],
  },
  AliyunKMSReadOnlyAccess: {
    description: 'Read-only access to KMS metadata: describe and list, never secret values or decryption.',
    statements: [allow(['kms:Describe*', 'kms:List*', 'kms:GetSecretPolicy'])],
  },
  AliyunKMSSecretAdminAccess: {
    description: 'Full access to secrets, including their values; no access to keys.',
    statements: [
      allow('kms:*', ['acs:kms:*:*:secret', 'acs:kms:*:*:secret/*']),
      allow(['kms:GetRandomPassword', 'kms:DescribeRegions']),
    ],
  },
  AliyunRAMFullAccess: {
    description: 'Full access to users, access keys and policies.',
    statements: [allow('ram:*')],
  },
  AliyunRAMReadOnlyAccess: {
    description: 'Read-only access to users, access keys and policies.',
    statements: [allow(['ram:Get*', 'ram:List*'])],
  },
};

/** The time built-in policies report as created and updated: fixed, so answers are stable. */
const SYSTEM_POLICY_TIME = Date.UTC(2024, 0, 1);

export interface SystemPolicy {
  readonly policy: Policy;
  readonly parsed: ParsedPolicy;
}

export const SYSTEM_POLICIES: ReadonlyMap<string, SystemPolicy> = new Map(
  Object.entries(DEFINITIONS)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, definition]) => {
      const document = JSON.stringify({ Version: '1', Statement: definition.statements });
      const policy: Policy = {
        name,
        type: 'system',
        description: definition.description,
        document,
        createdAt: SYSTEM_POLICY_TIME,
        updatedAt: SYSTEM_POLICY_TIME,
      };
      return [name, { policy, parsed: parseRamPolicy(document) }];
    }),
);
