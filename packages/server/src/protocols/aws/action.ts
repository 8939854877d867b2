/**
 * What an AWS action gets from the plugin (plugin.ts) when the pipeline runs it, and the helpers every
 * action shares: naming a secret from a `SecretId` (name, full ARN, partial ARN) and the secret's ARN
 * from the core's namer. Actions parse their input, call the core's services through the access checks
 * the pipeline hands them (`access`), and build AWS's result body; they never decide access themselves.
 */
import { DomainError } from '../../domain/errors.js';
import type { ResourceNamer } from '../../domain/resource-names.js';
import type { Secret } from '../../domain/secret.js';
import type { EpochMs } from '../../domain/time.js';
import type { OperationAccess } from '../../services/operations/access.js';
import type { InstanceIdentity, Services } from '../../services/services.js';
import type { AwsCaller } from './auth.js';
import { kmsKeyReference, secretCandidates } from './codec.js';
import type { AwsInput, AwsOperation } from './operations.js';

export interface AwsActionContext {
  readonly services: Services;
  readonly identity: InstanceIdentity;
  readonly caller: AwsCaller;
  readonly access: OperationAccess;
  readonly noteResource: (resource: string) => void;
  /** AWS's names for the installation's resources (`arn:aws:secretsmanager:…`). */
  readonly names: ResourceNamer;
  /** The installation's default secret key, which AWS answers leave unnamed. */
  readonly serviceKeyId: string;
  readonly now: () => EpochMs;
}

export type AwsAction<O extends AwsOperation> = (
  input: AwsInput<O>,
  context: AwsActionContext,
) => Promise<object>;

export type AwsActionTable = { readonly [O in AwsOperation]?: AwsAction<O> };

function notFound(secretId: string): DomainError {
  return new DomainError('secret_not_found', "Secrets Manager can't find the specified secret.", {
    resource: secretId,
  });
}

/**
 * The name of the secret a `SecretId` names, noted as the request's resource. A name is taken as it
 * is (the service answers whether it exists, after the access check); an ARN must carry the home
 * region and account, and its suffix must be the secret's own.
 */
export async function secretNameOf(secretId: string, context: AwsActionContext): Promise<string> {
  const candidates = secretCandidates(secretId, context.identity);
  const first = candidates[0];
  if (first === undefined) {
    context.noteResource(secretId);
    throw notFound(secretId);
  }
  if (first.arnSuffix === undefined && candidates.length === 1) {
    context.noteResource(first.name);
    return first.name;
  }
  for (const candidate of candidates) {
    const secret = await context.services.secrets.describeSecret(candidate.name).catch(() => undefined);
    if (secret && (candidate.arnSuffix === undefined || secret.arnSuffix === candidate.arnSuffix)) {
      context.noteResource(secret.name);
      return secret.name;
    }
  }
  const last = candidates[candidates.length - 1] ?? first;
  context.noteResource(last.name);
  throw notFound(secretId);
}

export function arnOf(secret: Pick<Secret, 'name' | 'arnSuffix'>, context: AwsActionContext): string {
  return context.names.secret(secret);
}

/** A `KmsKeyId` as the core's key reference; undefined for the installation's default secret key. */
export function encryptionKeyOf(kmsKeyId: string | undefined): string | undefined {
  if (kmsKeyId === undefined) return undefined;
  const reference = kmsKeyReference(kmsKeyId);
  return reference.kind === 'default'
    ? undefined
    : reference.kind === 'key'
      ? reference.keyId
      : reference.alias;
}
