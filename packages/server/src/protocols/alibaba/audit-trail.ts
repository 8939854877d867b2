/**
 * What the request pipeline writes to the audit trail (docs/audit.md): which actions need an attempt
 * record before they run, and the event fields a request carries. Only identifiers are taken from the
 * request — never SecretData, Plaintext, a ciphertext or the signature.
 */
import type { FastifyRequest } from 'fastify';

import type { AuditEvent, AuditPhase } from '../../domain/audit.js';
import type { Params } from './params.js';

/**
 * Actions that change nothing stored. Their outcome is recorded before the answer is sent, so an
 * unrecordable call is refused before anything leaves the server. Every other action — any action not
 * listed, to fail safe — also records an attempt before it runs: no audit, no change.
 */
export const READ_ONLY_ACTIONS: ReadonlySet<string> = new Set([
  'GetSecretValue',
  'BatchGetSecretValue',
  'DescribeSecret',
  'ListSecrets',
  'ListSecretVersionIds',
  'GetSecretPolicy',
  'GetRandomPassword',
  'ListRotationWebhooks',
  'DescribeKey',
  'DescribeKeyVersion',
  'ListKeys',
  'ListKeyVersions',
  'ListAliases',
  'ListAliasesByKeyId',
  'ListResourceTags',
  'ListTagResources',
  'DescribeRegions',
  'Encrypt',
  'Decrypt',
  'ReEncrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'LookupEvents',
  'VerifyEvents',
  'GetUser',
  'ListUsers',
  'ListAccessKeys',
  'GetPolicy',
  'ListPolicies',
  'ListPoliciesForUser',
  'DescribeDatabaseInstance',
  'ListDatabaseInstances',
]);

/** The request-side fields of an event, read once from the parameters (before authentication). */
export interface RequestFacts {
  readonly claimedAccessKeyId: string | null;
  readonly sourceIp: string | null;
  readonly secretName: string | null;
  readonly versionId: string | null;
  readonly versionStage: string | null;
  readonly keyId: string | null;
}

const ACS3_CREDENTIAL = /Credential=([^,\s]+)/;

export function requestFacts(request: FastifyRequest, params: Params | undefined): RequestFacts {
  const authorization = request.headers.authorization;
  const fromHeader = typeof authorization === 'string' ? ACS3_CREDENTIAL.exec(authorization)?.[1] : undefined;
  return {
    claimedAccessKeyId: params?.optional('AccessKeyId') ?? fromHeader ?? null,
    sourceIp: request.ip,
    secretName: params?.optional('SecretName') ?? null,
    versionId: params?.optional('VersionId') ?? null,
    versionStage: params?.optional('VersionStage') ?? null,
    keyId: params?.optional('KeyId') ?? null,
  };
}

/** What the pipeline knows about a call when it records it. */
export interface CallFacts {
  readonly requestId: string;
  readonly facts: RequestFacts | undefined;
  readonly principal: string | undefined;
  readonly accessKeyId: string | undefined;
  readonly action: string | undefined;
  readonly resource: string | undefined;
}

export function auditEvent(
  call: CallFacts,
  phase: AuditPhase,
  time: number,
  result?: { readonly code: string; readonly status: number },
): AuditEvent {
  const facts = call.facts;
  return {
    time,
    requestId: call.requestId,
    phase,
    principal: call.principal ?? null,
    accessKeyId: call.accessKeyId ?? facts?.claimedAccessKeyId ?? null,
    sourceIp: facts?.sourceIp ?? null,
    action: call.action ?? null,
    resource: call.resource ?? null,
    secretName: facts?.secretName ?? null,
    versionId: facts?.versionId ?? null,
    versionStage: facts?.versionStage ?? null,
    keyId: facts?.keyId ?? null,
    resultCode: result?.code ?? null,
    httpStatus: result?.status ?? null,
  };
}
