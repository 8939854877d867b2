/**
 * What the RAM actions share (who may call them is decided by policies before dispatch, in the plugin), RAM's
 * own `InvalidParameter.<Name>.<Rule>` codes for the values the identity domain checks, paging
 * markers, and the wire shapes of users and policies (RAM API reference, product version 2015-05-01).
 */
import { DomainError } from '../../../domain/errors.js';
import type { Policy, PolicyRef, PolicyType, User } from '../../../domain/identity.js';
import { POLICY_DEFAULT_VERSION } from '../../../domain/identity.js';
import type { ActionContext, ActionHandler } from '../action.js';
import type { WireBody } from '../codec.js';
import { timestamp } from '../codec.js';
import { invalidParameter, ProtocolError } from '../errors.js';
import type { Params } from '../params.js';

export const RAM_API_VERSION = '2015-05-01';

/** ListUsers / ListPolicies: RAM's MaxItems range and default. */
const MAX_ITEMS = 1000;
const DEFAULT_MAX_ITEMS = 100;

/** RAM's codes for a value the domain refused, by domain field and rule (RAM API errors page). */
const PARAMETER_ERRORS: Readonly<Record<string, (message: string) => ProtocolError>> = {
  'userName.length': (m) => new ProtocolError(400, 'InvalidParameter.UserName.Length', m),
  'userName.chars': (m) => new ProtocolError(400, 'InvalidParameter.UserName.InvalidChars', m),
  'newUserName.length': (m) => new ProtocolError(400, 'InvalidParameter.NewUserName.Length', m),
  'newUserName.chars': (m) => new ProtocolError(400, 'InvalidParameter.NewUserName.InvalidChars', m),
  'displayName.length': (m) => new ProtocolError(400, 'InvalidParameter.DisplayName.Length', m),
  'displayName.chars': (m) => new ProtocolError(400, 'InvalidParameter.DisplayName.InvalidChars', m),
  'newDisplayName.length': (m) => new ProtocolError(400, 'InvalidParameter.NewDisplayName.Length', m),
  'newDisplayName.chars': (m) => new ProtocolError(400, 'InvalidParameter.NewDisplayName.InvalidChars', m),
  'comments.length': (m) => new ProtocolError(400, 'InvalidParameter.Comments.Length', m),
  'comments.chars': (m) => new ProtocolError(400, 'InvalidParameter.Comments.InvalidChars', m),
  'newComments.length': (m) => new ProtocolError(400, 'InvalidParameter.NewComments.Length', m),
  'newComments.chars': (m) => new ProtocolError(400, 'InvalidParameter.NewComments.InvalidChars', m),
  'email.format': (m) => new ProtocolError(400, 'InvalidParameter.Email.Format', m),
  'newEmail.format': (m) => new ProtocolError(400, 'InvalidParameter.NewEmail.Format', m),
  'mobilePhone.format': (m) => new ProtocolError(400, 'InvalidParameter.MobilePhone.Format', m),
  'newMobilePhone.format': (m) => new ProtocolError(400, 'InvalidParameter.NewMobilePhone.Format', m),
  'policyName.length': (m) => new ProtocolError(400, 'InvalidParameter.PolicyName.Length', m),
  'policyName.chars': (m) => new ProtocolError(400, 'InvalidParameter.PolicyName.InvalidChars', m),
  'description.length': (m) => new ProtocolError(400, 'InvalidParameter.Description.Length', m),
};

/** A RAM action: the domain's parameter errors in RAM's spelling. */
export function ramAction(handler: ActionHandler): ActionHandler {
  return async (context) => {
    try {
      return await handler(context);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'invalid_argument') {
        const { field, rule } = error.details;
        const refined =
          field === undefined || rule === undefined ? undefined : PARAMETER_ERRORS[`${field}.${rule}`];
        if (refined) throw refined(error.message);
      }
      throw error;
    }
  };
}

export function maxItems(params: Params): number {
  return params.integer('MaxItems', { min: 1, max: MAX_ITEMS, fallback: DEFAULT_MAX_ITEMS });
}

/**
 * Markers are opaque to callers: the position's text sealed for the listing and the caller
 * (services/paging-tokens.ts), checked on the way back.
 */
export function encodeMarker(context: ActionContext, listing: string, position: string): string {
  return context.services.pagingTokens.issue(markerScope(context, listing), position);
}

export function decodeMarker(
  context: ActionContext,
  listing: string,
  valid: (position: string) => boolean,
): string | undefined {
  const marker = context.params.optional('Marker');
  if (marker === undefined) return undefined;
  const position = context.services.pagingTokens.open(markerScope(context, listing), marker) ?? '';
  if (!valid(position)) throw invalidParameter('Marker', 'Pass the Marker of the previous page.');
  return position;
}

function markerScope(context: ActionContext, listing: string) {
  return { listing, caller: context.principal.accessKeyId };
}

const POLICY_TYPE_NAMES: Readonly<Record<PolicyType, string>> = { custom: 'Custom', system: 'System' };

export function policyTypeToWire(type: PolicyType): string {
  return POLICY_TYPE_NAMES[type];
}

/** `PolicyType`: `Custom` or `System`, as RAM spells them. */
export function policyType(params: Params, required: true): PolicyType;
export function policyType(params: Params, required: false): PolicyType | undefined;
export function policyType(params: Params, required: boolean): PolicyType | undefined {
  const value = required ? params.required('PolicyType') : params.optional('PolicyType');
  if (value === undefined) return undefined;
  if (value === 'Custom') return 'custom';
  if (value === 'System') return 'system';
  throw invalidParameter('PolicyType', 'Use Custom or System.');
}

export function policyRef(params: Params): PolicyRef {
  return { type: policyType(params, true), name: params.required('PolicyName') };
}

/** The `User` object: CreateUser has no UpdateDate; the others do. */
export function userToWire(user: User, withUpdateDate = true): WireBody {
  return {
    UserId: user.id,
    UserName: user.name,
    DisplayName: user.displayName,
    MobilePhone: user.mobilePhone === '' ? undefined : user.mobilePhone,
    Email: user.email === '' ? undefined : user.email,
    Comments: user.comments,
    CreateDate: timestamp(user.createdAt),
    UpdateDate: withUpdateDate ? timestamp(user.updatedAt) : undefined,
  };
}

/** The `Policy` object of CreatePolicy, GetPolicy and ListPolicies (the document only where asked). */
export function policyToWire(
  policy: Policy,
  extra: { readonly attachmentCount?: number; readonly withDocument?: boolean } = {},
): WireBody {
  return {
    PolicyName: policy.name,
    PolicyType: policyTypeToWire(policy.type),
    Description: policy.description,
    DefaultVersion: POLICY_DEFAULT_VERSION,
    PolicyDocument: extra.withDocument === true ? policy.document : undefined,
    CreateDate: timestamp(policy.createdAt),
    UpdateDate: extra.attachmentCount === undefined ? undefined : timestamp(policy.updatedAt),
    AttachmentCount: extra.attachmentCount,
  };
}
