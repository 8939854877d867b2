/**
 * RAM policies (product version 2015-05-01): CreatePolicy, GetPolicy, ListPolicies, DeletePolicy,
 * AttachPolicyToUser, DetachPolicyFromUser, ListPoliciesForUser. Custom policies have one version
 * (`v1`); system policies are built in (`domain/system-policies.ts`).
 */
import { DomainError } from '../../../domain/errors.js';
import type { PolicyRef } from '../../../domain/identity.js';
import { POLICY_DEFAULT_VERSION } from '../../../domain/identity.js';
import type { ActionContext, ActionTable } from '../action.js';
import type { WireBody } from '../codec.js';
import { timestamp } from '../codec.js';
import {
  decodeMarker,
  encodeMarker,
  maxItems,
  policyRef,
  policyToWire,
  policyType,
  policyTypeToWire,
  ramAction,
} from './ram-wire.js';

/** ListPolicies' marker: `<type>:<name>` of the last policy of the previous page. */
function markerPosition(position: string): PolicyRef | undefined {
  const match = /^(custom|system):(.+)$/.exec(position);
  if (!match?.[2]) return undefined;
  return { type: match[1] === 'system' ? 'system' : 'custom', name: match[2] };
}

async function createPolicy({ params, services, noteResource }: ActionContext): Promise<WireBody> {
  const name = params.required('PolicyName');
  noteResource(`policy/${name}`);
  const policy = await services.identities.createPolicy({
    name,
    description: params.optional('Description'),
    document: params.required('PolicyDocument'),
  });
  return { Policy: policyToWire(policy) };
}

async function getPolicy({ params, services, noteResource }: ActionContext): Promise<WireBody> {
  const ref = policyRef(params);
  noteResource(`policy/${ref.name}`);
  const { policy, attachmentCount } = await services.identities.getPolicy(ref);
  return {
    Policy: policyToWire(policy, { attachmentCount, withDocument: true }),
    DefaultPolicyVersion: {
      VersionId: POLICY_DEFAULT_VERSION,
      IsDefaultVersion: true,
      PolicyDocument: policy.document,
      CreateDate: timestamp(policy.createdAt),
    },
  };
}

async function listPolicies(context: ActionContext): Promise<WireBody> {
  const { params, services } = context;
  const type = policyType(params, false);
  const limit = maxItems(params);
  const position = decodeMarker(context, 'ListPolicies', (text) => markerPosition(text) !== undefined);
  const page = await services.identities.listPolicies({
    type,
    after: position === undefined ? undefined : markerPosition(position),
    limit,
  });
  return {
    IsTruncated: page.next !== undefined,
    Marker:
      page.next === undefined
        ? undefined
        : encodeMarker(context, 'ListPolicies', `${page.next.type}:${page.next.name}`),
    Policies: {
      Policy: page.policies.map(({ policy, attachmentCount }) => policyToWire(policy, { attachmentCount })),
    },
  };
}

async function deletePolicy({ params, services, noteResource }: ActionContext): Promise<WireBody> {
  const name = params.required('PolicyName');
  noteResource(`policy/${name}`);
  if (params.boolean('CascadingDelete', false)) {
    throw new DomainError(
      'unsupported_operation',
      'CascadingDelete is not supported; detach the policy from its users, then delete it.',
    );
  }
  await services.identities.deletePolicy(name);
  return {};
}

async function attachPolicyToUser({ params, services, noteResource }: ActionContext): Promise<WireBody> {
  const ref = policyRef(params);
  const userName = params.required('UserName');
  noteResource(`user/${userName},policy/${ref.name}`);
  await services.identities.attachPolicy(userName, ref);
  return {};
}

async function detachPolicyFromUser({ params, services, noteResource }: ActionContext): Promise<WireBody> {
  const ref = policyRef(params);
  const userName = params.required('UserName');
  noteResource(`user/${userName},policy/${ref.name}`);
  await services.identities.detachPolicy(userName, ref);
  return {};
}

async function listPoliciesForUser({ params, services, noteResource }: ActionContext): Promise<WireBody> {
  const userName = params.required('UserName');
  noteResource(`user/${userName}`);
  const policies = await services.identities.listPoliciesForUser(userName);
  return {
    Policies: {
      Policy: policies.map(({ policy, attachedAt }) => ({
        PolicyName: policy.name,
        PolicyType: policyTypeToWire(policy.type),
        Description: policy.description,
        DefaultVersion: POLICY_DEFAULT_VERSION,
        AttachDate: timestamp(attachedAt),
      })),
    },
  };
}

export const RAM_POLICY_ACTIONS = {
  CreatePolicy: ramAction(createPolicy),
  GetPolicy: ramAction(getPolicy),
  ListPolicies: ramAction(listPolicies),
  DeletePolicy: ramAction(deletePolicy),
  AttachPolicyToUser: ramAction(attachPolicyToUser),
  DetachPolicyFromUser: ramAction(detachPolicyFromUser),
  ListPoliciesForUser: ramAction(listPoliciesForUser),
} satisfies ActionTable;
