/**
 * Users, access keys and policies through the RAM-compatible API (product version 2015-05-01), as
 * `client.ram`. Each action needs its `ram:<Action>` permission (docs/permissions.md). The shapes follow RAM's, camelCased:
 * `createUser({ userName })` → `{ requestId, user: { userId, userName, … } }`.
 */
import { fromWire, params } from '../wire.js';
import type { WireParams } from '../wire.js';
import type { ApiResponse, RequestOptions } from './common.js';

/** The RAM product version this API names (`x-acs-version`). */
export const RAM_API_VERSION = '2015-05-01';

export type AccessKeyStatus = 'Active' | 'Inactive';
export type PolicyType = 'Custom' | 'System';

export interface RamUser {
  /** 16 digits, kept across renames. */
  userId: string;
  userName: string;
  displayName: string;
  comments?: string;
  email?: string;
  mobilePhone?: string;
  /** UTC ISO 8601. */
  createDate: string;
  /** Absent in CreateUser's answer. */
  updateDate?: string;
}

export interface UserProfile {
  /** 1 to 128 characters; defaults to the user name. */
  displayName?: string | undefined;
  /** At most 128 characters. */
  comments?: string | undefined;
  email?: string | undefined;
  /** `<country code>-<number>`, e.g. `86-18600008888`. */
  mobilePhone?: string | undefined;
}

export interface CreateUserRequest extends UserProfile {
  /** 1 to 64 letters, digits, `.`, `_`, `-`, `@`. */
  userName: string;
}

export interface UpdateUserRequest {
  userName: string;
  newUserName?: string | undefined;
  newDisplayName?: string | undefined;
  /** An empty string clears the field (also for `newEmail` and `newMobilePhone`). */
  newComments?: string | undefined;
  newEmail?: string | undefined;
  newMobilePhone?: string | undefined;
}

export interface MarkerRequest {
  /** The `marker` of the previous page. */
  marker?: string | undefined;
  /** 1 to 1000; default 100. */
  maxItems?: number | undefined;
}

export interface MarkerPage extends ApiResponse {
  isTruncated: boolean;
  /** Present when `isTruncated`: pass it to get the next page. */
  marker?: string;
}

export interface UserResponse extends ApiResponse {
  user: RamUser;
}

/** A user's console sign-in (RAM's login profile); never the password. */
export interface LoginProfile {
  userName: string;
  passwordResetRequired: boolean;
  mfaBindRequired: boolean;
  /** Whether the user signs in with a TOTP code too (Tessera's field). */
  mfaEnabled: boolean;
  createDate: string;
}

export interface LoginProfileResponse extends ApiResponse {
  loginProfile: LoginProfile;
}

export interface LoginProfileRequest {
  userName: string;
  /** 8 to 128 characters. Required to create, optional to update. */
  password?: string | undefined;
  passwordResetRequired?: boolean | undefined;
  mfaBindRequired?: boolean | undefined;
}

/** A new TOTP secret for the console, shown in this answer only. */
export interface ConsoleMfaResponse extends ApiResponse {
  mfa: { base32Secret: string; otpauthUri: string };
}

export interface ListUsersResponse extends MarkerPage {
  users: RamUser[];
}

export interface AccessKeySummary {
  accessKeyId: string;
  status: AccessKeyStatus;
  createDate: string;
}

export interface CreateAccessKeyResponse extends ApiResponse {
  /** The only time the secret is ever returned: store it now. */
  accessKey: AccessKeySummary & { accessKeySecret: string };
}

export interface ListAccessKeysResponse extends ApiResponse {
  accessKeys: AccessKeySummary[];
}

export interface AccessKeyRequest {
  /** The key's owner; default: the caller. */
  userName?: string | undefined;
}

export interface UpdateAccessKeyRequest extends AccessKeyRequest {
  userAccessKeyId: string;
  status: AccessKeyStatus;
}

export interface DeleteAccessKeyRequest extends AccessKeyRequest {
  userAccessKeyId: string;
}

export interface RamPolicy {
  policyName: string;
  policyType: PolicyType;
  description: string;
  defaultVersion: string;
  createDate: string;
  updateDate?: string;
  /** GetPolicy only. */
  policyDocument?: string;
  /** GetPolicy and ListPolicies. */
  attachmentCount?: number;
}

export interface CreatePolicyRequest {
  /** 1 to 128 letters, digits and `-`. */
  policyName: string;
  /** A RAM policy document (JSON text, or an object that is serialised). */
  policyDocument: string | object;
  description?: string | undefined;
}

export interface PolicyRefRequest {
  policyName: string;
  policyType: PolicyType;
}

export interface PolicyResponse extends ApiResponse {
  policy: RamPolicy;
}

export interface GetPolicyResponse extends PolicyResponse {
  defaultPolicyVersion: {
    versionId: string;
    isDefaultVersion: boolean;
    policyDocument: string;
    createDate: string;
  };
}

export interface ListPoliciesRequest extends MarkerRequest {
  policyType?: PolicyType | undefined;
}

export interface ListPoliciesResponse extends MarkerPage {
  policies: RamPolicy[];
}

export interface AttachmentRequest extends PolicyRefRequest {
  userName: string;
}

export interface UserPolicy {
  policyName: string;
  policyType: PolicyType;
  description: string;
  defaultVersion: string;
  attachDate: string;
}

export interface ListPoliciesForUserResponse extends ApiResponse {
  policies: UserPolicy[];
}

type Send = (action: string, wire: WireParams, options: RequestOptions | undefined) => Promise<unknown>;

/** The RAM actions; reach them as `client.ram`. */
export class RamApi {
  readonly #send: Send;

  /** @internal Built by `TesseraClient`. */
  constructor(send: Send) {
    this.#send = send;
  }

  async #invoke<T>(action: string, wire: WireParams, options: RequestOptions | undefined): Promise<T> {
    return fromWire(await this.#send(action, wire, options)) as T;
  }

  // Users

  createUser(request: CreateUserRequest, options?: RequestOptions): Promise<UserResponse> {
    return this.#invoke(
      'CreateUser',
      params({
        UserName: request.userName,
        DisplayName: request.displayName,
        Comments: request.comments,
        Email: request.email,
        MobilePhone: request.mobilePhone,
      }),
      options,
    );
  }

  getUser(request: { userName: string }, options?: RequestOptions): Promise<UserResponse> {
    return this.#invoke('GetUser', params({ UserName: request.userName }), options);
  }

  /** One page of users, by name. */
  listUsers(request: MarkerRequest = {}, options?: RequestOptions): Promise<ListUsersResponse> {
    return this.#invoke('ListUsers', params({ Marker: request.marker, MaxItems: request.maxItems }), options);
  }

  /** Renames a user or changes its profile; fields left out are unchanged. */
  updateUser(request: UpdateUserRequest, options?: RequestOptions): Promise<UserResponse> {
    return this.#invoke(
      'UpdateUser',
      params({
        UserName: request.userName,
        NewUserName: request.newUserName,
        NewDisplayName: request.newDisplayName,
        NewComments: request.newComments,
        NewEmail: request.newEmail,
        NewMobilePhone: request.newMobilePhone,
      }),
      options,
    );
  }

  /** Refused while the user has access keys or policies (`DeleteConflict.User.*`). */
  deleteUser(request: { userName: string }, options?: RequestOptions): Promise<ApiResponse> {
    return this.#invoke('DeleteUser', params({ UserName: request.userName }), options);
  }

  // Console sign-in (login profiles and MFA)

  createLoginProfile(request: LoginProfileRequest, options?: RequestOptions): Promise<LoginProfileResponse> {
    return this.#invoke('CreateLoginProfile', loginProfileParams(request), options);
  }

  /** A new password ends every console session of the user. */
  updateLoginProfile(request: LoginProfileRequest, options?: RequestOptions): Promise<LoginProfileResponse> {
    return this.#invoke('UpdateLoginProfile', loginProfileParams(request), options);
  }

  getLoginProfile(request: { userName: string }, options?: RequestOptions): Promise<LoginProfileResponse> {
    return this.#invoke('GetLoginProfile', params({ UserName: request.userName }), options);
  }

  deleteLoginProfile(request: { userName: string }, options?: RequestOptions): Promise<ApiResponse> {
    return this.#invoke('DeleteLoginProfile', params({ UserName: request.userName }), options);
  }

  /** Tessera's own action: the user's console sign-in needs a TOTP code from now on. */
  enableConsoleMFA(request: { userName: string }, options?: RequestOptions): Promise<ConsoleMfaResponse> {
    return this.#invoke('EnableConsoleMFA', params({ UserName: request.userName }), options);
  }

  disableConsoleMFA(request: { userName: string }, options?: RequestOptions): Promise<ApiResponse> {
    return this.#invoke('DisableConsoleMFA', params({ UserName: request.userName }), options);
  }

  // Access keys

  /** A new key (at most two per user); its secret is in this answer and never again. */
  createAccessKey(
    request: AccessKeyRequest = {},
    options?: RequestOptions,
  ): Promise<CreateAccessKeyResponse> {
    return this.#invoke('CreateAccessKey', params({ UserName: request.userName }), options);
  }

  listAccessKeys(request: AccessKeyRequest = {}, options?: RequestOptions): Promise<ListAccessKeysResponse> {
    return this.#invoke('ListAccessKeys', params({ UserName: request.userName }), options);
  }

  updateAccessKey(request: UpdateAccessKeyRequest, options?: RequestOptions): Promise<ApiResponse> {
    return this.#invoke(
      'UpdateAccessKey',
      params({
        UserName: request.userName,
        UserAccessKeyId: request.userAccessKeyId,
        Status: request.status,
      }),
      options,
    );
  }

  deleteAccessKey(request: DeleteAccessKeyRequest, options?: RequestOptions): Promise<ApiResponse> {
    return this.#invoke(
      'DeleteAccessKey',
      params({ UserName: request.userName, UserAccessKeyId: request.userAccessKeyId }),
      options,
    );
  }

  // Policies

  createPolicy(request: CreatePolicyRequest, options?: RequestOptions): Promise<PolicyResponse> {
    const document =
      typeof request.policyDocument === 'string'
        ? request.policyDocument
        : JSON.stringify(request.policyDocument);
    return this.#invoke(
      'CreatePolicy',
      params({ PolicyName: request.policyName, PolicyDocument: document, Description: request.description }),
      options,
    );
  }

  getPolicy(request: PolicyRefRequest, options?: RequestOptions): Promise<GetPolicyResponse> {
    return this.#invoke(
      'GetPolicy',
      params({ PolicyName: request.policyName, PolicyType: request.policyType }),
      options,
    );
  }

  /** One page of policies: system ones first, then custom ones, each by name. */
  listPolicies(request: ListPoliciesRequest = {}, options?: RequestOptions): Promise<ListPoliciesResponse> {
    return this.#invoke(
      'ListPolicies',
      params({ PolicyType: request.policyType, Marker: request.marker, MaxItems: request.maxItems }),
      options,
    );
  }

  /** Custom policies only; refused while attached (`DeleteConflict.Policy.User`). */
  deletePolicy(request: { policyName: string }, options?: RequestOptions): Promise<ApiResponse> {
    return this.#invoke('DeletePolicy', params({ PolicyName: request.policyName }), options);
  }

  attachPolicyToUser(request: AttachmentRequest, options?: RequestOptions): Promise<ApiResponse> {
    return this.#invoke('AttachPolicyToUser', attachmentParams(request), options);
  }

  detachPolicyFromUser(request: AttachmentRequest, options?: RequestOptions): Promise<ApiResponse> {
    return this.#invoke('DetachPolicyFromUser', attachmentParams(request), options);
  }

  listPoliciesForUser(
    request: { userName: string },
    options?: RequestOptions,
  ): Promise<ListPoliciesForUserResponse> {
    return this.#invoke('ListPoliciesForUser', params({ UserName: request.userName }), options);
  }
}

function loginProfileParams(request: LoginProfileRequest): WireParams {
  return params({
    UserName: request.userName,
    Password: request.password,
    PasswordResetRequired: request.passwordResetRequired,
    MFABindRequired: request.mfaBindRequired,
  });
}

function attachmentParams(request: AttachmentRequest): WireParams {
  return params({
    UserName: request.userName,
    PolicyName: request.policyName,
    PolicyType: request.policyType,
  });
}
