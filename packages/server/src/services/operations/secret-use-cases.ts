/**
 * Use cases on secrets that span several services, with their access checks: what every protocol's
 * CreateSecret runs, so an adapter only parses its parameters and renders the answer.
 */
import { DomainError } from '../../domain/errors.js';
import type { RotationPolicy } from '../../domain/rotation.js';
import type { Secret } from '../../domain/secret.js';
import type { RotationPermissionCheck } from '../rotation/rotation-authorization.js';
import type { CreateSecretInput, EmptySecretInput } from '../secret-values.js';
import type { Services } from '../services.js';
import type { OperationAccess } from './access.js';

export interface CreateSecretRequest extends CreateSecretInput {
  /** Turn on automatic rotation at once; needs a rotator for the secret and an interval. */
  readonly rotation?: { readonly enabled: boolean; readonly intervalSeconds: number | undefined } | undefined;
}

export interface CreatedSecret {
  readonly secret: Secret;
  /** Whether a rotator serves the secret (its answer then shows rotation fields). */
  readonly rotatable: boolean;
  /** The rotation policy set at creation, when rotation was turned on. */
  readonly rotationPolicy: RotationPolicy | undefined;
}

/**
 * Tessera logs in with the administrator secret of a database instance on behalf of whoever registers
 * the instance or creates Rds secrets on it, so each of them must be allowed to read that secret:
 * nobody can hand Tessera a credential they could not use themselves (no confused deputy).
 */
export async function requireAdminSecret(access: OperationAccess, name: string | undefined): Promise<void> {
  if (name !== undefined) await access.requireSecret(name, 'kms:GetSecretValue');
}

/**
 * The caller's permissions as the rotation rule asks for them (services/rotation/rotation-authorization.ts):
 * refused like any other access to those secrets; `newSecret`, a secret being created, is checked on
 * its name alone.
 */
export function rotationPermissions(access: OperationAccess, newSecret?: string): RotationPermissionCheck {
  return async (name, permission) => {
    if (name === newSecret) await access.requireNewSecret(name, permission);
    else await access.requireSecret(name, permission);
  };
}

/**
 * A new ExtendedConfig for an existing secret (Alibaba's UpdateSecret, AWS's RotateSecret naming a
 * rotator): it may steer a rotator, so the caller needs the permissions of everything the rotation will
 * touch, and what it was authorized against is stored with it (docs/threat-model.md).
 */
export async function replaceExtendedConfig(
  services: Pick<Services, 'secrets' | 'rotationAuthorization'>,
  access: OperationAccess,
  current: Pick<Secret, 'name' | 'secretType'>,
  extendedConfig: string | null,
  changes: { readonly description?: string | undefined } = {},
): Promise<Secret> {
  const authorizedRotationTarget = await services.rotationAuthorization.authorizeBinding(
    { secretName: current.name, secretType: current.secretType, extendedConfig },
    rotationPermissions(access),
  );
  return services.secrets.updateSecret(current.name, {
    ...changes,
    extendedConfig: extendedConfig ?? '',
    authorizedRotationTarget,
  });
}

/**
 * CreateSecret: the rotation it asks for is checked before anything is stored; the caller must be
 * allowed to create the name and, for a customer key, to use that key (`kms:GenerateDataKey`, values
 * are sealed under it); a binding to a rotator (an Rds secret's instance and accounts, a webhook) needs
 * the permissions of everything its rotations will touch, and what it was authorized against is stored
 * with the secret; then rotation is turned on when asked.
 */
export async function createSecret(
  services: Pick<Services, 'secrets' | 'databases' | 'rotation' | 'rotationAuthorization'>,
  access: OperationAccess,
  request: CreateSecretRequest,
): Promise<CreatedSecret> {
  const { rotation, ...input } = request;
  const type = input.secretType ?? 'Generic';
  if (rotation?.enabled) {
    await services.rotation.assertRotatable({
      secretName: input.name,
      secretType: type,
      extendedConfig: input.extendedConfig,
    });
    if (rotation.intervalSeconds === undefined) {
      throw new DomainError('missing_argument', 'Automatic rotation needs a rotation interval.', {
        field: 'rotationInterval',
      });
    }
  }
  await access.requireUnscoped({ secretNames: [input.name] });
  if (input.encryptionKeyId !== undefined)
    await access.requireKey(input.encryptionKeyId, 'kms:GenerateDataKey');
  const authorizedRotationTarget = await services.rotationAuthorization.authorizeBinding(
    {
      secretName: input.name,
      secretType: type,
      extendedConfig: input.extendedConfig ?? null,
      firstValue: input.data,
    },
    rotationPermissions(access, input.name),
  );
  const bound = { ...input, authorizedRotationTarget };
  const secret =
    type === 'Rds'
      ? await services.databases.createRdsSecret(bound)
      : await services.secrets.createSecret(bound);
  const rotationPolicy = rotation?.enabled
    ? await services.rotation.updatePolicy(secret.name, {
        enabled: true,
        intervalSeconds: rotation.intervalSeconds,
      })
    : undefined;
  return { secret, rotatable: services.rotation.isRotatable(secret), rotationPolicy };
}

/**
 * CreateSecret without a value (the AWS API allows it): the same checks on the name and the customer
 * key as a secret with one; the secret has no version until the first PutSecretValue.
 */
export async function createEmptySecret(
  services: Pick<Services, 'secrets'>,
  access: OperationAccess,
  input: EmptySecretInput,
): Promise<Secret> {
  await access.requireUnscoped({ secretNames: [input.name] });
  if (input.encryptionKeyId !== undefined)
    await access.requireKey(input.encryptionKeyId, 'kms:GenerateDataKey');
  return services.secrets.createEmptySecret(input);
}
