/**
 * Built-in policies (PolicyType `System`), named after the Alibaba Cloud system policies they stand
 * for, with the same statements, so that scripts written for RAM attach the same names and get the
 * same scope (actions Tessera does not serve simply never match). docs/permissions.md lists them;
 * a test keeps that list equal to this one. They cannot be created, changed or deleted through the API. Each one passes
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
  AliyunKMSCryptoUserAccess: {
    description:
      'Cryptographic operations with keys (encrypt, decrypt, data keys); no secrets, no key management.',
    statements: [
      allow([
        'kms:Encrypt',
        'kms:Decrypt',
        'kms:GenerateDataKey',
        'kms:GenerateDataKeyWithoutPlaintext',
        'kms:AsymmetricDecrypt',
        'kms:AsymmetricEncrypt',
        'kms:AsymmetricSign',
        'kms:AsymmetricVerify',
        'kms:GetPublicKey',
      ]),
    ],
  },
  AliyunKMSFullAccess: {
    description: 'Full access to KMS: secrets, keys, aliases and cryptographic operations.',
    statements: [allow('kms:*')],
  },
  AliyunKMSReadOnlyAccess: {
    description: 'Read-only access to KMS metadata: describe and list, never secret values or decryption.',
    statements: [
      allow([
        'kms:List*',
        'kms:Describe*',
        'kms:GetPublicKey',
        'kms:GetUploadBackupDataInfo',
        'kms:GetKmsInstanceSharedAccounts',
        'kms:GetKmsInstanceQuotaInfos',
        'kms:GetCheckAssociateResourceTaskResults',
        'kms:GetKeyPolicy',
        'kms:GetKeyDefaultPolicy',
        'kms:GetSecretPolicy',
        'kms:GetSecretDefaultPolicy',
        'kms:GetKmsInstance',
        'kms:GetDefaultKmsInstance',
      ]),
    ],
  },
  AliyunKMSSecretAdminAccess: {
    description: 'Full access to secrets, including their values; no access to keys.',
    statements: [allow('kms:*', 'acs:kms:*:*:secret*'), allow('kms:GetRandomPassword')],
  },
  AliyunKMSSecretUserAccess: {
    description: "Reading secrets: their values, their description and their versions' labels; nothing else.",
    statements: [allow('kms:GetSecretValue'), allow(['kms:DescribeSecret', 'kms:ListSecretVersionIds'])],
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

/**
 * The built-in policies as docs/permissions.md lists them (between `system-policies:begin` and
 * `:end`): one heading per policy, its description, and its statements as the API returns them.
 */
export function renderSystemPolicyList(): string {
  return [...SYSTEM_POLICIES.values()]
    .map(({ policy }) => {
      const statements = JSON.stringify(JSON.parse(policy.document), null, 2);
      return `### ${policy.name}\n\n${policy.description}\n\n\`\`\`json\n${statements}\n\`\`\``;
    })
    .join('\n\n');
}
