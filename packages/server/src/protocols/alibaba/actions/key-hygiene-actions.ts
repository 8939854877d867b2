/**
 * Key hygiene (docs/crypto.md): UpdateRotationPolicy (automatic key rotation), ReEncrypt (a ciphertext
 * moved to another key or context without its plaintext reaching the caller), and Tessera's own
 * RewrapDataKeys (every stored secret version's data key sealed under its key's newest version).
 */
import { rotationIntervalOf } from '../../../domain/key-rotation.js';
import type { ActionContext, ActionTable } from '../action.js';
import type { WireBody } from '../codec.js';
import { invalidParameter, missingParameter } from '../errors.js';
import { ciphertextBlob, encryptionContext } from './crypto-actions.js';

async function updateRotationPolicy({
  params,
  services,
  noteResource,
  access,
}: ActionContext): Promise<WireBody> {
  const reference = params.required('KeyId');
  noteResource(reference);
  if (!params.has('EnableAutomaticRotation')) throw missingParameter('EnableAutomaticRotation');
  const interval = rotationIntervalOf(
    params.boolean('EnableAutomaticRotation', false),
    params.optional('RotationInterval'),
  );
  await access.requireKey(reference);
  await services.keys.updateRotationPolicy(reference, interval);
  return {};
}

/**
 * `kms:ReEncryptFrom` on the key inside the ciphertext (it is decrypted) and `kms:ReEncryptTo` on the
 * destination key (docs/permissions.md). `SourceKeyId`, when given, must name the key inside the blob.
 */
async function reEncrypt({
  params,
  services,
  noteResource,
  access,
  markDryRun,
}: ActionContext): Promise<WireBody> {
  const blob = ciphertextBlob(params);
  const destination = params.required('DestinationKeyId');
  noteResource(destination);
  const sourceContext = encryptionContext(params, 'SourceEncryptionContext');
  const destinationContext = encryptionContext(params, 'DestinationEncryptionContext');
  const sourceReference = params.optional('SourceKeyId');
  const dryRun = params.boolean('DryRun', false);
  const result = await services.keys.reEncrypt({
    blob,
    sourceContext,
    destination,
    destinationContext,
    guards: {
      source: access.keyGuard(undefined, 'kms:ReEncryptFrom'),
      destination: access.keyGuard(destination, 'kms:ReEncryptTo'),
    },
  });
  if (sourceReference !== undefined) {
    // Checked like the key inside the blob, so naming a key cannot probe whether it exists.
    const named = await access.requireKey(sourceReference, 'kms:ReEncryptFrom');
    if (named.id !== result.source.keyId)
      throw invalidParameter('SourceKeyId', 'The ciphertext was not encrypted under this key.');
  }
  // A dry run does everything the call does; the pipeline answers without the result.
  if (dryRun) {
    markDryRun();
    return {};
  }
  return {
    CiphertextBlob: result.blob.toString('base64'),
    KeyId: result.keyId,
    KeyVersionId: result.versionId,
    SourceKeyId: result.source.keyId,
    SourceKeyVersionId: result.source.versionId,
  };
}

/** Tessera extension: runs the re-wrap pass now and answers its counts. */
async function rewrapDataKeys({ services, noteResource }: ActionContext): Promise<WireBody> {
  noteResource('data-keys');
  const report = await services.dataKeyRewrap.run();
  return {
    Examined: report.examined,
    Rewrapped: report.rewrapped,
    Current: report.current,
    Skipped: report.skipped,
    Failed: report.failed,
  };
}

export const KEY_HYGIENE_ACTIONS = {
  UpdateRotationPolicy: updateRotationPolicy,
  ReEncrypt: reEncrypt,
  RewrapDataKeys: rewrapDataKeys,
} satisfies ActionTable;
