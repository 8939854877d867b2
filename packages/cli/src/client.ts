/**
 * The SDK client a command uses, built from the resolved settings, and the translation of the SDK's
 * errors into what the CLI prints and the status it exits with.
 */
import {
  TesseraApiError,
  TesseraClient,
  TesseraConfigError,
  TesseraNetworkError,
  TesseraResponseError,
  TesseraTimeoutError,
} from '@tessera/sdk';
import type { ConnectionFlags } from './args.js';
import { CliError, ConfigError } from './errors.js';
import { EXIT } from './exit-codes.js';
import { nodeFetch } from './http.js';
import type { Io } from './io.js';
import type { Resolved } from './settings.js';
import { ENV, isExposed, resolveSettings } from './settings.js';

export interface Connection {
  readonly client: TesseraClient;
  readonly settings: Resolved;
}

/** A client for the resolved settings, or a configuration error saying what is missing and where to set it. */
export function connect(flags: ConnectionFlags, io: Io): Connection {
  const settings = resolveSettings(flags, io.env);
  const missing: string[] = [];
  if (settings.accessKeyId === undefined) missing.push('access key id');
  if (settings.accessKeySecret === undefined) missing.push('access key secret');
  if (settings.accessKeyId === undefined || settings.accessKeySecret === undefined) {
    throw new ConfigError(`no ${missing.join(' and no ')}: Tessera needs credentials to sign requests`, [
      `set ${ENV.accessKeyId} and ${ENV.accessKeySecret},`,
      `or save them in a profile with: tessera configure${settings.profile === 'default' ? '' : ` --profile ${settings.profile}`}`,
      `  (looked for profile "${settings.profile}" in ${settings.configFile}),`,
      'or pass --access-key-id and --access-key-secret.',
      'A new server writes its administrator key to bootstrap-credentials.json in its data folder.',
    ]);
  }
  if (settings.accessKeySecretSource?.startsWith('profile ') === true && isExposed(settings.configFile)) {
    io.stderr.write(
      `tessera: warning: ${settings.configFile} holds an access key secret and others can read it; run: chmod 600 ${settings.configFile}\n`,
    );
  }
  try {
    const client = new TesseraClient({
      endpoint: settings.endpoint,
      accessKeyId: settings.accessKeyId,
      accessKeySecret: settings.accessKeySecret,
      fetch: nodeFetch,
    });
    return { client, settings };
  } catch (error) {
    if (error instanceof TesseraConfigError) {
      throw new ConfigError(`invalid endpoint "${settings.endpoint}" (from ${settings.endpointSource})`, [
        'use the server origin, e.g. http://127.0.0.1:8080',
      ]);
    }
    throw error;
  }
}

/**
 * The CLI's report of a failed call. `what` names the operation for the first line (the action, or
 * e.g. `get "db/password"`). API errors keep the server's code, message and request id.
 */
export function describeFailure(error: unknown, what: string, settings: Resolved): unknown {
  if (error instanceof TesseraApiError) {
    const details = [
      `Code:      ${error.code} (HTTP ${error.status})`,
      `RequestId: ${error.requestId ?? '(none)'}`,
      ...apiHints(error, settings),
    ];
    return new CliError(EXIT.api, `${what} failed: ${error.message}`, details);
  }
  if (error instanceof TesseraTimeoutError) {
    return new CliError(
      EXIT.connection,
      `${what} failed: the server at ${settings.endpoint} did not answer within ${error.timeoutMs / 1000} s`,
    );
  }
  if (error instanceof TesseraNetworkError) {
    return new CliError(EXIT.connection, `${what} failed: cannot reach the server at ${settings.endpoint}`, [
      `(${networkReason(error)}; endpoint from ${settings.endpointSource})`,
      'Is it running? Start one with `tessera server`, or point elsewhere with --endpoint,',
      `${ENV.endpoint} or \`tessera configure\`.`,
    ]);
  }
  if (error instanceof TesseraResponseError) {
    return new CliError(
      EXIT.connection,
      `${what} failed: ${settings.endpoint} answered HTTP ${error.status}, but not as a Tessera server`,
      [`(endpoint from ${settings.endpointSource})`],
    );
  }
  return error;
}

function apiHints(error: TesseraApiError, settings: Resolved): string[] {
  switch (error.code) {
    case 'SignatureDoesNotMatch':
      return [
        `Hint:      the access key secret (from ${settings.accessKeySecretSource ?? '?'}) does not belong to`,
        `           access key id ${settings.accessKeyId ?? '?'} (from ${settings.accessKeyIdSource ?? '?'}).`,
      ];
    case 'InvalidAccessKeyId.NotFound':
      return [
        `Hint:      the server does not know access key id ${settings.accessKeyId ?? '?'} (from ${settings.accessKeyIdSource ?? '?'}).`,
      ];
    case 'InvalidTimeStamp.Expired':
      return ["Hint:      this machine's clock differs from the server's by more than 15 minutes."];
    default:
      return [];
  }
}

/** `connect ECONNREFUSED …`, `getaddrinfo ENOTFOUND …`: the innermost cause's first line. */
function networkReason(error: TesseraNetworkError): string {
  let reason = error.message;
  let cause: unknown = error.cause;
  while (cause instanceof Error) {
    reason = cause.message;
    cause = cause.cause;
  }
  return (reason.split('\n')[0] ?? reason).trim();
}
