/**
 * Cryptographic operations with customer keys: Encrypt, Decrypt, GenerateDataKey and
 * GenerateDataKeyWithoutPlaintext (docs/behaviour.md rules 14–16).
 *
 * `Plaintext` is an opaque string: Encrypt seals its UTF-8 bytes and Decrypt returns the very same
 * string (docs/behaviour.md rule 15). `EncryptionContext` arrives as a JSON object string (3.x SDKs, pop-core) or as
 * flattened `EncryptionContext.<k>=<v>` parameters (the 1.2.0 SDK); both become the same map, so a blob
 * made with either encoding decrypts with the other.
 */
import type { DataKeySpec, EncryptionContext } from '../../../domain/key.js';
import { MAX_DATA_KEY_BYTES, MAX_ENCRYPT_PLAINTEXT_BYTES, MIN_DATA_KEY_BYTES } from '../../../domain/key.js';
import { isBase64 } from '../../../domain/validation.js';
import type { ActionContext, ActionTable } from '../action.js';
import type { WireBody } from '../codec.js';
import { invalidParameter } from '../errors.js';
import type { Params } from '../params.js';

const DATA_KEY_SPECS: readonly DataKeySpec[] = ['AES_256', 'AES_128'];

/** A JSON object of string values, or flattened `EncryptionContext.<key>` parameters; absent is empty. */
export function encryptionContext(params: Params, name = 'EncryptionContext'): EncryptionContext {
  const json = params.json(name, (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    const entries = Object.entries(value);
    return entries.every(([, v]) => typeof v === 'string')
      ? new Map(entries as [string, string][])
      : undefined;
  });
  const flattened = params.flattenedMap(name);
  if (json !== undefined && flattened.size > 0)
    throw invalidParameter(name, `Send it as a JSON object or as ${name}.<key> parameters, not both.`);
  const context = json ?? flattened;
  if (context.has('')) throw invalidParameter(name, 'Context keys must not be empty.');
  return context;
}

export function ciphertextBlob(params: Params): Buffer {
  const value = params.required('CiphertextBlob');
  if (!isBase64(value)) throw invalidParameter('CiphertextBlob', 'It is not valid base64.');
  return Buffer.from(value, 'base64');
}

async function encrypt({
  params,
  services,
  noteResource,
  access,
  markDryRun,
}: ActionContext): Promise<WireBody> {
  const reference = params.required('KeyId');
  noteResource(reference);
  const plaintext = Buffer.from(params.required('Plaintext'), 'utf8');
  if (plaintext.byteLength > MAX_ENCRYPT_PLAINTEXT_BYTES)
    throw invalidParameter('Plaintext', `It is at most ${MAX_ENCRYPT_PLAINTEXT_BYTES} bytes.`);
  const context = encryptionContext(params);
  const dryRun = params.boolean('DryRun', false);
  const result = await services.keys.encrypt(reference, plaintext, context, access.keyGuard(reference));
  // A dry run does everything the call does; the pipeline answers without the result.
  if (dryRun) {
    // The pipeline withholds the answer; build none.
    markDryRun();
    return {};
  }
  return {
    CiphertextBlob: result.blob.toString('base64'),
    KeyId: result.keyId,
    KeyVersionId: result.versionId,
  };
}

async function decrypt({
  params,
  services,
  noteResource,
  access,
  markDryRun,
}: ActionContext): Promise<WireBody> {
  const blob = ciphertextBlob(params);
  const context = encryptionContext(params);
  const dryRun = params.boolean('DryRun', false);
  // The key is the one the blob names.
  const result = await services.keys.decrypt(blob, context, access.keyGuard());
  noteResource(result.keyId);
  if (dryRun) {
    // The pipeline withholds the answer; build none.
    markDryRun();
    return {};
  }
  return {
    Plaintext: result.plaintext.toString('utf8'),
    KeyId: result.keyId,
    KeyVersionId: result.versionId,
  };
}

/** GenerateDataKey and its WithoutPlaintext twin differ only in whether the answer carries the key. */
function dataKeyAction(withPlaintext: boolean): (context: ActionContext) => Promise<WireBody> {
  return async ({ params, services, noteResource, access, markDryRun }) => {
    const reference = params.required('KeyId');
    noteResource(reference);
    const spec = params.oneOf('KeySpec', DATA_KEY_SPECS, 'AES_256');
    const numberOfBytes = params.integer('NumberOfBytes', {
      min: MIN_DATA_KEY_BYTES,
      max: MAX_DATA_KEY_BYTES,
    });
    const context = encryptionContext(params);
    const dryRun = params.boolean('DryRun', false);
    const result = await services.keys.generateDataKey(
      reference,
      spec,
      numberOfBytes,
      context,
      access.keyGuard(reference),
    );
    try {
      if (dryRun) {
        // The pipeline withholds the answer; build none.
        markDryRun();
        return {};
      }
      return {
        CiphertextBlob: result.blob.toString('base64'),
        KeyId: result.keyId,
        KeyVersionId: result.versionId,
        Plaintext: withPlaintext ? result.plaintext.toString('base64') : undefined,
      };
    } finally {
      result.plaintext.fill(0);
    }
  };
}

export const CRYPTO_ACTIONS = {
  Encrypt: encrypt,
  Decrypt: decrypt,
  GenerateDataKey: dataKeyAction(true),
  GenerateDataKeyWithoutPlaintext: dataKeyAction(false),
} satisfies ActionTable;
