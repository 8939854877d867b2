/**
 * Identities: the account's users, their access keys' limit, RAM policies and which policies
 * are attached to whom. Pure: values and rules only; ids and times come from the caller.
 *
 * Rules follow RAM's CreateUser / CreatePolicy pages and its "Limits" page (alibabacloud.com/help/
 * doc-detail/28753.htm): user names 1–64 characters, display names 1–128, policy names 1–128, two
 * access keys per user, ten custom and twenty system policies attached to one user. Where RAM is
 * silent (e-mail and phone formats, what the administrator may lose) the choice is ours, said below.
 */
import { DomainError } from './errors.js';
import type { ParsedPolicy } from './ram-policy.js';
import { parseRamPolicy } from './ram-policy.js';
import type { EpochMs } from './secret.js';

/** The built-in user who exists from the first start and stands for the account itself (root). */
export const ADMINISTRATOR = 'administrator';

export const MAX_USER_NAME_LENGTH = 64;
export const MAX_DISPLAY_NAME_LENGTH = 128;
export const MAX_COMMENTS_LENGTH = 128;
export const MAX_EMAIL_LENGTH = 128;
export const MAX_POLICY_NAME_LENGTH = 128;
export const MAX_POLICY_DESCRIPTION_LENGTH = 1024;
export const MAX_ACCESS_KEYS_PER_USER = 2;
export const MAX_CUSTOM_POLICIES_PER_USER = 10;
export const MAX_SYSTEM_POLICIES_PER_USER = 20;
/** The only version a policy has: Tessera keeps one document per policy (no CreatePolicyVersion yet). */
export const POLICY_DEFAULT_VERSION = 'v1';

const USER_NAME = /^[A-Za-z0-9._@-]+$/;
const POLICY_NAME = /^[A-Za-z0-9-]+$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** `<country code>-<number>`, as RAM writes phone numbers (`86-18600008888`). */
const MOBILE_PHONE = /^\d{1,4}-\d{4,20}$/;
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const CONTROL = /[\u0000-\u001F\u007F]/;

export const POLICY_TYPES = ['custom', 'system'] as const;
export type PolicyType = (typeof POLICY_TYPES)[number];

export interface User {
  /** A 16-digit id, fixed at creation and kept across renames. */
  readonly id: string;
  readonly name: string;
  readonly displayName: string;
  readonly comments: string;
  readonly email: string;
  readonly mobilePhone: string;
  readonly createdAt: EpochMs;
  readonly updatedAt: EpochMs;
}

export interface Policy {
  readonly name: string;
  readonly type: PolicyType;
  readonly description: string;
  /** The document as the caller sent it (checked by `parseRamPolicy`). */
  readonly document: string;
  readonly createdAt: EpochMs;
  readonly updatedAt: EpochMs;
}

export interface PolicyRef {
  readonly type: PolicyType;
  readonly name: string;
}

export interface Attachment extends PolicyRef {
  readonly userName: string;
  readonly attachedAt: EpochMs;
}

/** The optional profile fields of a user; absent means unchanged (updates) or empty (creation). */
export interface UserProfile {
  readonly displayName?: string | undefined;
  readonly comments?: string | undefined;
  readonly email?: string | undefined;
  readonly mobilePhone?: string | undefined;
}

function invalid(field: string, rule: 'length' | 'chars' | 'format', message: string): DomainError {
  return new DomainError('invalid_argument', message, { field, rule });
}

export function validateUserName(name: string, field = 'userName'): void {
  if (name.length < 1 || name.length > MAX_USER_NAME_LENGTH) {
    throw invalid(field, 'length', `A user name is 1 to ${MAX_USER_NAME_LENGTH} characters.`);
  }
  if (!USER_NAME.test(name)) {
    throw invalid(field, 'chars', 'A user name has letters, digits, ".", "_", "-" and "@" only.');
  }
}

export function validateDisplayName(name: string, field = 'displayName'): void {
  if (name.length < 1 || name.length > MAX_DISPLAY_NAME_LENGTH) {
    throw invalid(field, 'length', `A display name is 1 to ${MAX_DISPLAY_NAME_LENGTH} characters.`);
  }
  if (CONTROL.test(name)) throw invalid(field, 'chars', 'A display name has no control characters.');
}

export function validateComments(comments: string, field = 'comments'): void {
  if (comments.length > MAX_COMMENTS_LENGTH) {
    throw invalid(field, 'length', `Comments are at most ${MAX_COMMENTS_LENGTH} characters.`);
  }
  if (CONTROL.test(comments)) throw invalid(field, 'chars', 'Comments have no control characters.');
}

/** Empty clears the address. */
export function validateEmail(email: string, field = 'email'): void {
  if (email === '') return;
  if (email.length > MAX_EMAIL_LENGTH || !EMAIL.test(email)) {
    throw invalid(
      field,
      'format',
      `An e-mail address looks like name@example.com (at most ${MAX_EMAIL_LENGTH} characters).`,
    );
  }
}

/** Empty clears the number. */
export function validateMobilePhone(phone: string, field = 'mobilePhone'): void {
  if (phone === '') return;
  if (!MOBILE_PHONE.test(phone)) {
    throw invalid(
      field,
      'format',
      'A mobile phone number is "<country code>-<number>", e.g. 86-18600008888.',
    );
  }
}

export function validatePolicyName(name: string, field = 'policyName'): void {
  if (name.length < 1 || name.length > MAX_POLICY_NAME_LENGTH) {
    throw invalid(field, 'length', `A policy name is 1 to ${MAX_POLICY_NAME_LENGTH} characters.`);
  }
  if (!POLICY_NAME.test(name))
    throw invalid(field, 'chars', 'A policy name has letters, digits and "-" only.');
}

export function validatePolicyDescription(description: string, field = 'description'): void {
  if (description.length > MAX_POLICY_DESCRIPTION_LENGTH) {
    throw invalid(
      field,
      'length',
      `A policy description is at most ${MAX_POLICY_DESCRIPTION_LENGTH} characters.`,
    );
  }
}

/** Parses a policy document; any fault is `malformed_policy_document` saying where it is. */
export function parsePolicyDocument(document: string): ParsedPolicy {
  try {
    return parseRamPolicy(document);
  } catch (error) {
    if (error instanceof DomainError && error.code === 'invalid_argument') {
      throw new DomainError('malformed_policy_document', error.message, { field: 'policyDocument' });
    }
    throw error;
  }
}

function validateProfile(profile: UserProfile, prefix: '' | 'new'): void {
  const field = (name: string) => (prefix === '' ? name : `new${name[0]?.toUpperCase()}${name.slice(1)}`);
  if (profile.displayName !== undefined) validateDisplayName(profile.displayName, field('displayName'));
  if (profile.comments !== undefined) validateComments(profile.comments, field('comments'));
  if (profile.email !== undefined) validateEmail(profile.email, field('email'));
  if (profile.mobilePhone !== undefined) validateMobilePhone(profile.mobilePhone, field('mobilePhone'));
}

/** A new user; the display name defaults to the user name (RAM's console does the same). */
export function newUser(input: { id: string; name: string; now: EpochMs } & UserProfile): User {
  validateUserName(input.name);
  validateProfile(input, '');
  return {
    id: input.id,
    name: input.name,
    displayName: input.displayName ?? input.name,
    comments: input.comments ?? '',
    email: input.email ?? '',
    mobilePhone: input.mobilePhone ?? '',
    createdAt: input.now,
    updatedAt: input.now,
  };
}

export interface UserChanges extends UserProfile {
  readonly newName?: string | undefined;
}

/** UpdateUser: every given field replaced (`New…` on the wire); the administrator keeps its name. */
export function updateUser(user: User, changes: UserChanges, now: EpochMs): User {
  if (changes.newName !== undefined) {
    validateUserName(changes.newName, 'newUserName');
    if (user.name === ADMINISTRATOR && changes.newName !== ADMINISTRATOR) {
      throw new DomainError('administrator_protected', 'The administrator cannot be renamed.', {
        resource: user.name,
      });
    }
  }
  validateProfile(changes, 'new');
  return {
    ...user,
    name: changes.newName ?? user.name,
    displayName: changes.displayName ?? user.displayName,
    comments: changes.comments ?? user.comments,
    email: changes.email ?? user.email,
    mobilePhone: changes.mobilePhone ?? user.mobilePhone,
    updatedAt: now,
  };
}

/** DeleteUser's preconditions, in RAM's order: not the administrator, no access keys, no policies. */
export function checkUserDeletable(
  user: User,
  holdings: { readonly accessKeys: number; readonly attachments: number },
): void {
  if (user.name === ADMINISTRATOR) {
    throw new DomainError('administrator_protected', 'The administrator cannot be deleted.', {
      resource: user.name,
    });
  }
  if (holdings.accessKeys > 0)
    throw new DomainError('user_has_access_keys', undefined, { resource: user.name });
  if (holdings.attachments > 0)
    throw new DomainError('user_has_policies', undefined, { resource: user.name });
}

/** A user's access keys before one more is created. */
export function checkAccessKeyLimit(userName: string, existing: number): void {
  if (existing >= MAX_ACCESS_KEYS_PER_USER) {
    throw new DomainError(
      'access_key_limit_exceeded',
      `The user "${userName}" already has ${MAX_ACCESS_KEYS_PER_USER} access keys; delete one first.`,
      { resource: userName },
    );
  }
}

/**
 * The administrator stands for the account; losing its last active key would lock the account out of
 * its own API (only a restart with TESSERA_ROOT_ACCESS_KEY_* could bring it back). So its last active
 * key can be neither deactivated nor deleted.
 */
export function checkAdministratorKeepsAccess(userName: string, activeKeysAfter: number): void {
  if (userName === ADMINISTRATOR && activeKeysAfter < 1) {
    throw new DomainError(
      'administrator_protected',
      "The administrator's last active access key cannot be deactivated or deleted; create another first.",
      { resource: userName },
    );
  }
}

/** A new attachment; `current` is what the user has attached now. */
export function attachPolicy(
  current: readonly Attachment[],
  policy: PolicyRef,
  userName: string,
  now: EpochMs,
): Attachment {
  if (current.some((a) => a.type === policy.type && a.name === policy.name)) {
    throw new DomainError(
      'policy_already_attached',
      `The policy "${policy.name}" is already attached to the user "${userName}".`,
      { resource: policy.name },
    );
  }
  const limit = policy.type === 'custom' ? MAX_CUSTOM_POLICIES_PER_USER : MAX_SYSTEM_POLICIES_PER_USER;
  if (current.filter((a) => a.type === policy.type).length >= limit) {
    throw new DomainError(
      'policy_attachment_limit_exceeded',
      `A user has at most ${limit} ${policy.type} policies attached.`,
      { resource: userName },
    );
  }
  return { userName, type: policy.type, name: policy.name, attachedAt: now };
}

/** A new custom policy; the document is parsed (and refused) here. */
export function newPolicy(input: {
  name: string;
  description?: string | undefined;
  document: string;
  now: EpochMs;
}): { readonly policy: Policy; readonly parsed: ParsedPolicy } {
  validatePolicyName(input.name);
  if (input.description !== undefined) validatePolicyDescription(input.description);
  const parsed = parsePolicyDocument(input.document);
  return {
    policy: {
      name: input.name,
      type: 'custom',
      description: input.description ?? '',
      document: input.document,
      createdAt: input.now,
      updatedAt: input.now,
    },
    parsed,
  };
}
