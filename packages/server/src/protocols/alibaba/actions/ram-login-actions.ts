/**
 * Console sign-in through the RAM API (product version 2015-05-01): RAM's CreateLoginProfile,
 * UpdateLoginProfile, GetLoginProfile and DeleteLoginProfile, and Tessera's own EnableConsoleMFA and
 * DisableConsoleMFA (docs/console.md). Passwords arrive as parameters and are never logged or answered.
 */
import type { LoginProfileView } from '../../../services/console-login-service.js';
import type { ActionContext, ActionTable } from '../action.js';
import type { WireBody } from '../codec.js';
import { timestamp } from '../codec.js';
import { ramAction } from './ram-wire.js';

function profileToWire(profile: LoginProfileView): WireBody {
  return {
    UserName: profile.userName,
    PasswordResetRequired: profile.passwordResetRequired,
    MFABindRequired: profile.mfaBindRequired,
    MFAEnabled: profile.mfaEnabled,
    CreateDate: timestamp(profile.createdAt),
  };
}

function target({ params, noteResource }: ActionContext): string {
  const userName = params.required('UserName');
  noteResource(`user/${userName}`);
  return userName;
}

async function createLoginProfile(context: ActionContext): Promise<WireBody> {
  const userName = target(context);
  const { params, services, principal } = context;
  const profile = await services.consoleLogins.createProfile(
    principal.userName,
    userName,
    params.required('Password'),
    {
      passwordResetRequired: params.boolean('PasswordResetRequired', false),
      mfaBindRequired: params.boolean('MFABindRequired', false),
    },
  );
  return { LoginProfile: profileToWire(profile) };
}

async function updateLoginProfile(context: ActionContext): Promise<WireBody> {
  const userName = target(context);
  const { params, services, principal } = context;
  const flag = (name: string) =>
    params.optional(name) === undefined ? undefined : params.boolean(name, false);
  const profile = await services.consoleLogins.updateProfile(principal.userName, userName, {
    password: params.optional('Password'),
    passwordResetRequired: flag('PasswordResetRequired'),
    mfaBindRequired: flag('MFABindRequired'),
  });
  return { LoginProfile: profileToWire(profile) };
}

async function getLoginProfile(context: ActionContext): Promise<WireBody> {
  const userName = target(context);
  return { LoginProfile: profileToWire(await context.services.consoleLogins.getProfile(userName)) };
}

async function deleteLoginProfile(context: ActionContext): Promise<WireBody> {
  const userName = target(context);
  await context.services.consoleLogins.deleteProfile(context.principal.userName, userName);
  return {};
}

async function enableConsoleMfa(context: ActionContext): Promise<WireBody> {
  const userName = target(context);
  const mfa = await context.services.consoleLogins.enableMfa(context.principal.userName, userName);
  return { MFA: { Base32Secret: mfa.secret, OtpauthUri: mfa.uri } };
}

async function disableConsoleMfa(context: ActionContext): Promise<WireBody> {
  const userName = target(context);
  await context.services.consoleLogins.disableMfa(context.principal.userName, userName);
  return {};
}

export const RAM_LOGIN_ACTIONS = {
  CreateLoginProfile: ramAction(createLoginProfile),
  UpdateLoginProfile: ramAction(updateLoginProfile),
  GetLoginProfile: ramAction(getLoginProfile),
  DeleteLoginProfile: ramAction(deleteLoginProfile),
  EnableConsoleMFA: ramAction(enableConsoleMfa),
  DisableConsoleMFA: ramAction(disableConsoleMfa),
} as const satisfies ActionTable;
