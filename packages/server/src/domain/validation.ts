/**
 * Shapes of the identifiers and values the model accepts (docs/behaviour.md rules 8, 9). Protocol
 * adapters check wire syntax (presence, JSON, booleans); these rules decide what the model stores,
 * whichever protocol it arrived through.
 */
import { DomainError, invalidArgument } from './errors.js';

const SECRET_NAME = /^[A-Za-z0-9_/+=.@-]{1,192}$/;
const VERSION_ID = /^[A-Za-z0-9_.+=@:/-]{1,64}$/;
const TAG_PART = /^[A-Za-z0-9/\\_\-.+=:@ ]{1,128}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export const MAX_DESCRIPTION_LENGTH = 1024;
export const MAX_SECRET_DATA_BYTES = 30_720;
export const MIN_RECOVERY_WINDOW_DAYS = 7;
export const MAX_RECOVERY_WINDOW_DAYS = 30;

export const SECRET_DATA_TYPES = ['text', 'binary'] as const;
export type SecretDataType = (typeof SECRET_DATA_TYPES)[number];

export interface Tag {
  readonly key: string;
  readonly value: string;
}

export function validateSecretName(name: string): void {
  if (!SECRET_NAME.test(name)) {
    throw invalidArgument(
      'secretName',
      'The secret name must be 1 to 192 characters of letters, digits and _ / + = . @ -.',
    );
  }
  if (name.startsWith('acs/')) {
    throw invalidArgument('secretName', 'Secret names starting with "acs/" are reserved.');
  }
}

export function validateVersionId(versionId: string, field = 'versionId'): void {
  if (!VERSION_ID.test(versionId)) {
    throw invalidArgument(
      field,
      'A version id must be 1 to 64 characters of letters, digits and _ . + = @ : / -.',
    );
  }
}

/** Custom stage labels share the version-id alphabet, which leaves out the `$` of the built-in stages. */
export function validateCustomStage(label: string, field = 'versionStage'): void {
  if (!VERSION_ID.test(label)) {
    throw invalidArgument(
      field,
      `The stage label "${label}" is not valid: use 1 to 64 characters of letters, digits and _ . + = @ : / -.`,
    );
  }
}

export function validateDescription(description: string): void {
  // Characters, not UTF-16 units: an emoji counts once.
  if (Array.from(description).length > MAX_DESCRIPTION_LENGTH) {
    throw invalidArgument('description', `A description is at most ${MAX_DESCRIPTION_LENGTH} characters.`);
  }
}

export function validateSecretData(data: string, dataType: SecretDataType): void {
  if (Buffer.byteLength(data, 'utf8') > MAX_SECRET_DATA_BYTES) {
    throw invalidArgument('secretData', `Secret data is at most ${MAX_SECRET_DATA_BYTES} bytes.`);
  }
  if (dataType === 'binary' && !isBase64(data)) {
    throw invalidArgument('secretData', 'Binary secret data must be valid base64.');
  }
}

/** Standard base64 with its padding (the empty string included), as the API's binary values use. */
export function isBase64(text: string): boolean {
  return BASE64.test(text);
}

export function validateTag(tag: Tag): void {
  if (!TAG_PART.test(tag.key) || !TAG_PART.test(tag.value)) {
    throw invalidArgument(
      'tags',
      'Tag keys and values are 1 to 128 characters of letters, digits, spaces and / \\ _ - . + = : @.',
    );
  }
  if (tag.key.startsWith('aliyun') || tag.key.startsWith('acs:')) {
    throw invalidArgument('tags', `The tag key "${tag.key}" is reserved.`);
  }
}

export function validateTagKey(key: string): void {
  if (key.length < 1 || key.length > 128) {
    throw invalidArgument('tagKeys', 'Tag keys are 1 to 128 characters.');
  }
}

export function validateRecoveryWindow(days: number): void {
  if (!Number.isInteger(days) || days < MIN_RECOVERY_WINDOW_DAYS || days > MAX_RECOVERY_WINDOW_DAYS) {
    throw invalidArgument(
      'recoveryWindowInDays',
      `The recovery window is a whole number of days from ${MIN_RECOVERY_WINDOW_DAYS} to ${MAX_RECOVERY_WINDOW_DAYS}.`,
    );
  }
}

/** Rejects a list that names the same thing twice; duplicates are almost always a caller's mistake. */
export function assertDistinct(values: readonly string[], field: string): void {
  if (new Set(values).size !== values.length) {
    throw new DomainError('invalid_argument', `The ${field} list names the same value twice.`, { field });
  }
}
