/**
 * `tessera agent`: a local caching HTTP endpoint for applications in any language, shaped like AWS's
 * Secrets Manager Agent (`GET /secretsmanager/get?secretId=…` with the `X-Aws-Parameters-Secrets-Token`
 * header, answering GetSecretValue's JSON), so code written for that agent works unchanged. It holds
 * one set of credentials, listens on 127.0.0.1 only, requires a token made at each start (against
 * server-side request forgery: a request a web application is tricked into sending carries no token),
 * and follows rotation through the SDK's `SecretCache`. The HTTP handling is `agent-http.ts`.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { SecretCache } from '@tessera/sdk';
import {
  CONNECTION_OPTIONS,
  HELP_OPTION,
  connectionFlags,
  parse,
  positionals,
  stringValue,
} from '../args.js';
import { connect } from '../client.js';
import type { Command } from '../command.js';
import { CONNECTION_HELP } from '../command.js';
import { ConfigError, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { parseDuration, writePrivateFile } from '../secret-refs.js';
import { AgentHandler } from './agent-http.js';

const USAGE =
  'tessera agent [--port 2773] [--token-file PATH] [--refresh-interval 60s] [--max-stale 15m] [connection options]';

const OPTIONS = {
  ...HELP_OPTION,
  ...CONNECTION_OPTIONS,
  port: { type: 'string' },
  'token-file': { type: 'string' },
  'refresh-interval': { type: 'string' },
  'max-stale': { type: 'string' },
} as const;

/** The port AWS's agent listens on by default. */
const DEFAULT_PORT = 2773;

export const agent: Command = {
  name: 'agent',
  summary: 'serve secrets to local applications over HTTP, cached, as the AWS Secrets Manager Agent does',
  usage: USAGE,
  help: `Usage: ${USAGE}

Serves secrets to applications on this machine, in any language, from one set of credentials:

  TOKEN=$(cat "$XDG_RUNTIME_DIR/tessera-agent.token")
  curl -H "X-Aws-Parameters-Secrets-Token: $TOKEN" \\
    "http://localhost:2773/secretsmanager/get?secretId=app/db"
  # {"ARN":"acs:kms:…:secret/app/db","Name":"app/db","VersionId":"v2","SecretString":"…",
  #  "VersionStages":["ACSCurrent"],"CreatedDate":1735689600}
  curl -H "X-Aws-Parameters-Secrets-Token: $TOKEN" \\
    "http://localhost:2773/v1/value?secretId=app/db&key=password"     # just one field, as text

GET /secretsmanager/get   secretId (name or ARN), versionStage (ACSCurrent by default; AWSCURRENT,
                          AWSPREVIOUS and AWSPENDING mean the ACS labels), versionId, refreshNow=true
                          (re-read the labels now: after a login with the cached value failed).
                          The answer is GetSecretValue's JSON, as AWS's agent gives it (SecretBinary
                          instead of SecretString for a binary secret).
GET /v1/value             the same parameters, plus key=KEY for one field of a JSON value; the value as
                          text/plain.
GET /ping, /healthz       the agent's own health (no token needed): "healthy"; JSON with the secrets
                          held and the last refresh failure.

Every other request needs the header X-Aws-Parameters-Secrets-Token (or X-Tessera-Agent-Token) with the
token this start wrote to --token-file (mode 0600; default $XDG_RUNTIME_DIR/tessera-agent.token, else
~/.tessera/agent.token); requests with X-Forwarded-For are refused, like AWS's agent. It listens on
127.0.0.1 only.

Values are cached: a version is read once, and which version each stage points to is checked every
--refresh-interval (default 60s) with ListSecretVersionIds, so answers follow a rotation within that
interval. When the server cannot be reached the last value is served for --max-stale (default 15m).
The credentials need kms:GetSecretValue, kms:ListSecretVersionIds and kms:DescribeSecret (for ARN):
the built-in AliyunKMSSecretUserAccess.

Options:
  --port N                TCP port on 127.0.0.1 (default 2773; 0 picks a free one, printed on stderr)
  --token-file PATH       where to write this start's token
  --refresh-interval 60s  how long a stage's version is trusted (ms, s, m or h)
  --max-stale 15m         how long the last value is served while the server cannot be reached

${CONNECTION_HELP}

Runs until SIGTERM or SIGINT (exit 0), which remove the token file.`,
  detaches: true,
  async run(argv: readonly string[], io: Io): Promise<void> {
    const parsed = parse(argv, OPTIONS, USAGE);
    if (parsed.values.help === true) {
      io.stdout.write(`${agent.help}\n`);
      return;
    }
    positionals(parsed, [], USAGE);
    const portText = stringValue(parsed, 'port') ?? String(DEFAULT_PORT);
    const port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
    if (!(port >= 0 && port <= 65_535))
      throw new UsageError('--port is a whole number from 0 to 65535', USAGE);
    const refreshIntervalMs = parseDuration(
      stringValue(parsed, 'refresh-interval') ?? '60s',
      '--refresh-interval',
      USAGE,
    );
    const maxStaleMs = parseDuration(stringValue(parsed, 'max-stale') ?? '15m', '--max-stale', USAGE);
    const tokenFile = stringValue(parsed, 'token-file') ?? defaultTokenFile(io.env);
    const { client } = connect(connectionFlags(parsed), io);

    const token = randomBytes(32).toString('base64url');
    try {
      mkdirSync(dirname(tokenFile), { recursive: true, mode: 0o700 });
      writePrivateFile(tokenFile, token);
    } catch (error) {
      throw new ConfigError(`cannot write the token file ${tokenFile}`, [
        `(${(error as NodeJS.ErrnoException).code ?? String(error)}); choose another with --token-file`,
      ]);
    }
    const handler = new AgentHandler({ client, token });
    const cache = new SecretCache({
      client,
      refreshIntervalMs,
      maxStaleMs,
      onRefresh: (event) => {
        handler.noteRefresh(event);
      },
      onWarning: (message) => io.stderr.write(`tessera agent: warning: ${message}\n`),
    });
    handler.attach(cache);
    const server = createServer((request, response) => {
      handler.handle(request, response).catch(() => {
        if (!response.headersSent) response.writeHead(500);
        response.end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    }).catch((error: unknown) => {
      rmSync(tokenFile, { force: true });
      const reason = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new ConfigError(`cannot listen on 127.0.0.1:${port} (${reason})`);
    });
    const address = server.address();
    const bound = typeof address === 'object' && address !== null ? address.port : port;
    io.stderr.write(`tessera agent: listening on http://127.0.0.1:${bound} (token in ${tokenFile})\n`);
    const stop = () => {
      cache.close();
      rmSync(tokenFile, { force: true });
      server.close();
      server.closeAllConnections();
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  },
};

function defaultTokenFile(env: Io['env']): string {
  const runtime = env.XDG_RUNTIME_DIR;
  if (runtime !== undefined && runtime !== '') return join(runtime, 'tessera-agent.token');
  return join(env.HOME ?? homedir(), '.tessera', 'agent.token');
}
