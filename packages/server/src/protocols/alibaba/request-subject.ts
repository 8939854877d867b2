/**
 * The identifiers of a request the audit trail records (docs/audit.md), read once from the parameters
 * before authentication so that a refused request records them too. Only identifiers are taken —
 * never SecretData, Plaintext, a ciphertext or the signature.
 */
import type { FastifyRequest } from 'fastify';

import type { RequestSubject } from '../../services/operations/request.js';
import type { Params } from './params.js';

const ACS3_CREDENTIAL = /Credential=([^,\s]+)/;

export function requestSubject(request: FastifyRequest, params: Params | undefined): RequestSubject {
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
