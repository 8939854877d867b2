/**
 * RAM users and their access keys (product version 2015-05-01): CreateUser, GetUser, ListUsers,
 * UpdateUser, DeleteUser, CreateAccessKey, ListAccessKeys, UpdateAccessKey, DeleteAccessKey. The
 * access-key actions act on the caller's own keys when UserName is omitted, as RAM's do.
 */
import type { AccessKeyStatus } from '../../../services/access-key-service.js';
import type { ActionContext, ActionTable } from '../action.js';
import type { WireBody } from '../codec.js';
import { timestamp } from '../codec.js';
import { decodeMarker, encodeMarker, maxItems, ramAction, userToWire } from './ram-wire.js';

const ACCESS_KEY_STATUSES: Readonly<Record<AccessKeyStatus, string>> = {
  active: 'Active',
  inactive: 'Inactive',
};

/** The user an access-key action is about: UserName, else the caller. */
function keyOwner({ params, principal }: ActionContext): string {
  return params.optional('UserName') ?? principal.userName;
}

function accessKeyStatus(context: ActionContext): AccessKeyStatus {
  return context.params.oneOf('Status', ['Active', 'Inactive'], 'Active') === 'Active'
    ? 'active'
    : 'inactive';
}

async function createUser({ params, services, noteResource }: ActionContext): Promise<WireBody> {
  const name = params.required('UserName');
  noteResource(`user/${name}`);
  const user = await services.identities.createUser({
    name,
    displayName: params.optional('DisplayName'),
    comments: params.optional('Comments'),
    email: params.optional('Email'),
    mobilePhone: params.optional('MobilePhone'),
  });
  return { User: userToWire(user, false) };
}

async function getUser({ params, services, noteResource }: ActionContext): Promise<WireBody> {
  const name = params.required('UserName');
  noteResource(`user/${name}`);
  return { User: userToWire(await services.identities.getUser(name)) };
}

async function listUsers(context: ActionContext): Promise<WireBody> {
  const { params, services } = context;
  const limit = maxItems(params);
  const after = decodeMarker(context, 'ListUsers', (name) => name.length > 0);
  const page = await services.identities.listUsers({ after, limit });
  return {
    IsTruncated: page.next !== undefined,
    Marker: page.next === undefined ? undefined : encodeMarker(context, 'ListUsers', page.next),
    Users: { User: page.users.map((user) => userToWire(user)) },
  };
}

async function updateUser({ params, services, noteResource }: ActionContext): Promise<WireBody> {
  const name = params.required('UserName');
  noteResource(`user/${name}`);
  // `raw` for the optional texts: an empty NewComments clears the comments.
  const user = await services.identities.updateUser(name, {
    newName: params.optional('NewUserName'),
    displayName: params.optional('NewDisplayName'),
    comments: params.raw('NewComments'),
    email: params.raw('NewEmail'),
    mobilePhone: params.raw('NewMobilePhone'),
  });
  return { User: userToWire(user) };
}

async function deleteUser({ params, services, noteResource }: ActionContext): Promise<WireBody> {
  const name = params.required('UserName');
  noteResource(`user/${name}`);
  await services.identities.deleteUser(name);
  return {};
}

async function createAccessKey(context: ActionContext): Promise<WireBody> {
  const owner = keyOwner(context);
  context.noteResource(`user/${owner}`);
  const key = await context.services.accessKeys.create(owner);
  return {
    AccessKey: {
      AccessKeyId: key.id,
      AccessKeySecret: key.secret,
      Status: ACCESS_KEY_STATUSES[key.status],
      CreateDate: timestamp(key.createdAt),
    },
  };
}

async function listAccessKeys(context: ActionContext): Promise<WireBody> {
  const owner = keyOwner(context);
  context.noteResource(`user/${owner}`);
  const keys = await context.services.accessKeys.list(owner);
  return {
    AccessKeys: {
      AccessKey: keys.map((key) => ({
        AccessKeyId: key.id,
        Status: ACCESS_KEY_STATUSES[key.status],
        CreateDate: timestamp(key.createdAt),
      })),
    },
  };
}

async function updateAccessKey(context: ActionContext): Promise<WireBody> {
  const owner = keyOwner(context);
  const id = context.params.required('UserAccessKeyId');
  context.params.required('Status');
  const status = accessKeyStatus(context);
  context.noteResource(`user/${owner}/accesskey/${id}`);
  await context.services.accessKeys.setStatus(id, status, owner);
  return {};
}

async function deleteAccessKey(context: ActionContext): Promise<WireBody> {
  const owner = keyOwner(context);
  const id = context.params.required('UserAccessKeyId');
  context.noteResource(`user/${owner}/accesskey/${id}`);
  await context.services.accessKeys.delete(id, owner);
  return {};
}

export const RAM_USER_ACTIONS = {
  CreateUser: ramAction(createUser),
  GetUser: ramAction(getUser),
  ListUsers: ramAction(listUsers),
  UpdateUser: ramAction(updateUser),
  DeleteUser: ramAction(deleteUser),
  CreateAccessKey: ramAction(createAccessKey),
  ListAccessKeys: ramAction(listAccessKeys),
  UpdateAccessKey: ramAction(updateAccessKey),
  DeleteAccessKey: ramAction(deleteAccessKey),
} satisfies ActionTable;
