/**
 * AWS resource policies are the secret policies of the one policy engine (docs/permissions.md):
 * Put/Get/DeleteResourcePolicy manage the secret's `default` policy, which Alibaba's SetSecretPolicy
 * and GetSecretPolicy see too; ValidateResourcePolicy checks a document without storing it.
 */
import { isDomainError } from '../../../domain/errors.js';
import { defaultSecretPolicy, parsePolicyDocument } from '../../../domain/secret-policy.js';
import type { AwsActionTable } from '../action.js';
import { arnOf, secretNameOf } from '../action.js';
import { AwsError } from '../errors.js';

/** Whether a document grants anything to everyone (`"Principal": "*"` or `{"AWS": "*"}` in an Allow). */
function grantsPublicAccess(document: string): boolean {
  try {
    const parsed = JSON.parse(document) as { Statement?: unknown };
    const statements = Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement];
    return statements.some((statement) => {
      if (typeof statement !== 'object' || statement === null) return false;
      const { Effect, Principal } = statement as { Effect?: unknown; Principal?: unknown };
      if (Effect !== 'Allow') return false;
      if (Principal === '*') return true;
      const values = Object.values(typeof Principal === 'object' && Principal !== null ? Principal : {});
      return values.some((value) => value === '*' || (Array.isArray(value) && value.includes('*')));
    });
  } catch {
    return false;
  }
}

function checkedDocument(document: string): void {
  try {
    parsePolicyDocument(document);
  } catch (error) {
    if (isDomainError(error)) throw new AwsError(400, 'MalformedPolicyDocumentException', error.message);
    throw error;
  }
}

export const RESOURCE_POLICY_ACTIONS: AwsActionTable = {
  async GetResourcePolicy(input, context) {
    const name = await secretNameOf(input.SecretId, context);
    const { secret, policy } = await context.services.secrets.getSecretPolicy(
      name,
      input.PolicyName,
      context.access.secretGuard(),
    );
    const document = policy?.document;
    const isDefault = document === undefined || document === defaultSecretPolicy(context.identity.accountId);
    return {
      ARN: arnOf(secret, context),
      Name: secret.name,
      ResourcePolicy: isDefault ? undefined : document,
    };
  },

  async ListResourcePolicies(input, context) {
    const name = await secretNameOf(input.SecretId, context);
    const { policy } = await context.services.secrets.getSecretPolicy(
      name,
      undefined,
      context.access.secretGuard(),
    );
    const set = policy !== undefined && policy.document !== defaultSecretPolicy(context.identity.accountId);
    return { ResourcePolicies: set ? [{ PolicyName: policy.name }] : [] };
  },

  async PutResourcePolicy(input, context) {
    const name = await secretNameOf(input.SecretId, context);
    await context.access.requireSecret(name);
    checkedDocument(input.ResourcePolicy);
    if (input.BlockPublicPolicy === true && grantsPublicAccess(input.ResourcePolicy))
      throw new AwsError(
        400,
        'PublicPolicyException',
        'The BlockPublicPolicy parameter is set to true, and the resource policy did not prevent broad access to the secret.',
      );
    const { secret } = await context.services.secrets.setSecretPolicy(
      name,
      input.ResourcePolicy,
      input.PolicyName,
    );
    return { ARN: arnOf(secret, context), Name: secret.name };
  },

  async DeleteResourcePolicy(input, context) {
    const name = await secretNameOf(input.SecretId, context);
    await context.access.requireSecret(name);
    const { secret } = await context.services.secrets.setSecretPolicy(
      name,
      defaultSecretPolicy(context.identity.accountId),
      input.PolicyName,
    );
    return { ARN: arnOf(secret, context), Name: secret.name };
  },

  async ValidateResourcePolicy(input, context) {
    if (input.SecretId !== undefined)
      await context.access.requireSecret(await secretNameOf(input.SecretId, context));
    else await context.access.requireUnscoped({ secretNames: ['*'] });
    try {
      parsePolicyDocument(input.ResourcePolicy);
      return { PolicyValidationPassed: true, ValidationErrors: [] };
    } catch (error) {
      if (!isDomainError(error)) throw error;
      return {
        PolicyValidationPassed: false,
        ValidationErrors: [{ CheckName: 'Syntax', ErrorMessage: error.message }],
      };
    }
  },
};
