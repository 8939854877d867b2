/**
 * The HTTP side of `tessera agent`: the token check, the AWS-agent-shaped GetSecretValue answer, the
 * one-field text form, health, and errors in the AWS JSON shape (`__type`, `message`). Values never
 * reach a log; error messages name the secret, never its value.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CachedSecret, RefreshEvent, SecretCache, TesseraClient } from '@tessera/sdk';
import { TesseraApiError, TesseraNetworkError } from '@tessera/sdk';
import { CliError } from '../errors.js';
import { selectKey } from '../secret-refs.js';

/** The SSRF token headers: AWS's agent's, and Tessera's own name for it. */
const TOKEN_HEADERS = ['x-aws-parameters-secrets-token', 'x-tessera-agent-token'];

/** AWS's stage names, for code written for AWS's agent. */
const AWS_STAGES: Readonly<Record<string, string>> = {
  AWSCURRENT: 'ACSCurrent',
  AWSPREVIOUS: 'ACSPrevious',
  AWSPENDING: 'ACSPending',
};

class AgentError extends Error {
  readonly status: number;
  readonly type: string;

  constructor(status: number, type: string, message: string) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

export class AgentHandler {
  readonly #client: TesseraClient;
  readonly #token: Buffer;
  #cache: SecretCache | undefined;
  /** Secret name → ARN (which never changes), or null when DescribeSecret is not allowed. */
  readonly #arns = new Map<string, string | null>();
  readonly #served = new Set<string>();
  #lastFailure: { secretName: string; at: string; error: string } | undefined;

  constructor(options: { readonly client: TesseraClient; readonly token: string }) {
    this.#client = options.client;
    this.#token = Buffer.from(options.token);
  }

  attach(cache: SecretCache): void {
    this.#cache = cache;
  }

  noteRefresh(event: RefreshEvent): void {
    if (event.type === 'refreshed') return;
    const error = event.error instanceof Error ? event.error.message : String(event.error);
    this.#lastFailure = { secretName: event.secretName, at: new Date().toISOString(), error };
  }

  async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      if (request.method !== 'GET')
        throw new AgentError(405, 'InvalidRequestException', 'Only GET is served.');
      if (url.pathname === '/ping') {
        send(response, 200, 'text/plain', 'healthy');
        return;
      }
      if (url.pathname === '/healthz') {
        const health = { status: 'ok', secrets: this.#served.size, lastRefreshFailure: this.#lastFailure };
        send(response, 200, 'application/json', JSON.stringify(health));
        return;
      }
      this.#authorize(request);
      if (url.pathname === '/secretsmanager/get') {
        const { value, name } = await this.#read(url);
        send(response, 200, 'application/json', JSON.stringify(await this.#awsShape(name, value)));
        return;
      }
      if (url.pathname === '/v1/value') {
        const key = url.searchParams.get('key') ?? undefined;
        const { value, name } = await this.#read(url);
        const text = selectKey(value.secretData, { text: name, key });
        send(response, 200, 'text/plain; charset=utf-8', text);
        return;
      }
      throw new AgentError(404, 'InvalidRequestException', `No such path: ${url.pathname}.`);
    } catch (error) {
      const failure = agentError(error);
      send(
        response,
        failure.status,
        'application/json',
        JSON.stringify({ __type: failure.type, message: failure.message }),
      );
    }
  }

  #authorize(request: IncomingMessage): void {
    if (request.headers['x-forwarded-for'] !== undefined) {
      throw new AgentError(400, 'InvalidRequestException', 'Forwarded requests are refused.');
    }
    const given = TOKEN_HEADERS.map((name) => request.headers[name]).find((v) => typeof v === 'string');
    const buffer = Buffer.from(given ?? '');
    if (buffer.length !== this.#token.length || !timingSafeEqual(buffer, this.#token)) {
      throw new AgentError(
        403,
        'AccessDeniedException',
        "A valid X-Aws-Parameters-Secrets-Token header is required (the token is in the agent's --token-file).",
      );
    }
  }

  async #read(url: URL): Promise<{ name: string; value: CachedSecret }> {
    const cache = this.#cache;
    if (cache === undefined) throw new AgentError(503, 'InternalServiceError', 'The agent is starting.');
    const name = url.searchParams.get('secretId') ?? '';
    if (name === '') throw new AgentError(400, 'InvalidParameterException', 'secretId is required.');
    const stage = url.searchParams.get('versionStage') ?? undefined;
    const versionId = url.searchParams.get('versionId') ?? undefined;
    if (url.searchParams.get('refreshNow') === 'true') await cache.refreshNow(name);
    const versionStage = stage === undefined ? undefined : (AWS_STAGES[stage] ?? stage);
    let value: CachedSecret;
    if (versionId === undefined) {
      value = await cache.get(name, { versionStage });
    } else {
      value = await cache.getVersion(name, versionId);
      if (versionStage !== undefined && !cache.stagesOf(name, versionId).includes(versionStage)) {
        throw new AgentError(
          404,
          'ResourceNotFoundException',
          `Version ${versionId} of ${name} does not carry the stage ${versionStage}.`,
        );
      }
    }
    this.#served.add(name);
    return { name, value };
  }

  /** GetSecretValue's answer as AWS's agent gives it. */
  async #awsShape(name: string, value: CachedSecret): Promise<Record<string, unknown>> {
    let arn = this.#arns.get(name);
    if (arn === undefined) {
      try {
        arn = (await this.#client.describeSecret({ secretName: name })).arn;
      } catch {
        arn = null; // without kms:DescribeSecret the answer has no ARN
      }
      this.#arns.set(name, arn);
    }
    const stages = this.#cache?.stagesOf(name, value.versionId) ?? [];
    return {
      ...(arn === null ? {} : { ARN: arn }),
      Name: value.secretName,
      VersionId: value.versionId,
      ...(value.secretDataType === 'binary'
        ? { SecretBinary: value.secretData }
        : { SecretString: value.secretData }),
      VersionStages: stages,
      CreatedDate: Date.parse(value.createTime) / 1000,
    };
  }
}

function agentError(error: unknown): AgentError {
  if (error instanceof AgentError) return error;
  if (error instanceof TesseraApiError) {
    if (error.status === 404) return new AgentError(404, 'ResourceNotFoundException', error.message);
    if (error.status === 403) return new AgentError(403, 'AccessDeniedException', error.message);
    if (error.retryable) return new AgentError(503, 'InternalServiceError', error.message);
    return new AgentError(400, 'InvalidRequestException', error.message);
  }
  if (error instanceof TesseraNetworkError) {
    return new AgentError(503, 'InternalServiceError', 'The Tessera server cannot be reached.');
  }
  if (error instanceof CliError) return new AgentError(400, 'InvalidRequestException', error.message);
  return new AgentError(500, 'InternalServiceError', 'The agent failed; see its stderr.');
}

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  response.end(body);
}
