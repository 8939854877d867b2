/**
 * The web console as a Fastify plugin: its built files at `/console/`, and a small JSON API for the page
 * at `/console/api/` — sign-in and sign-out, and `call`, which runs one API action as the signed-in user
 * through the same operation pipeline as the signed APIs (`dispatch`, wired in app.ts), so policies
 * decide and the audit trail records the user and that the request came from the console.
 *
 * Sessions: an HttpOnly, SameSite=Strict cookie (Secure over HTTPS) holding a random token; every
 * state-changing call must carry the session's CSRF token in `x-csrf-token` and, when the browser sends
 * one, an `Origin` of this server. The page never sees an access key.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { setTimeout as sleep } from 'node:timers/promises';
import { FailureCounter, failureDelayMs } from '../../http/abuse-limits.js';
import type { Clock } from '../../services/clock.js';
import type { ConsoleSession } from '../../domain/console-login.js';
import type { SignInResult } from '../../services/console-login-service.js';
import { parsePolicyDocument } from '../../domain/identity.js';
import { PROTOCOL_CONSTRAINT } from '../../http/front-door.js';
import { CONSOLE_SECURITY_HEADERS } from './security-headers.js';
import type { StaticFile } from './static-files.js';

export const SESSION_COOKIE = 'tessera_console';
const MAX_FIELD = 4096;
/** Failed sign-ins: five answered at once per user and per address, then 250 ms doubling up to 4 s. */
const SIGN_IN_FAILURES = { free: 5, baseMs: 250, maxMs: 4_000, decayMs: 60_000 } as const;

/** What the console API needs of sign-in (ConsoleLoginService). */
export interface ConsoleSessions {
  signIn(userName: string, password: string, totpCode: string | undefined): Promise<SignInResult>;
  resolve(token: string): Promise<ConsoleSession | undefined>;
  signOut(token: string): Promise<void>;
}

/** One API action the page asks for, as the signed-in user. */
export interface ConsoleCall {
  readonly userName: string;
  readonly version: string;
  readonly action: string;
  readonly params: ReadonlyMap<string, string>;
  readonly request: FastifyRequest;
}

/** Runs a call through the operation pipeline; answers with the API's status and JSON body. */
export type ConsoleDispatch = (call: ConsoleCall) => Promise<{ status: number; body: unknown }>;

export interface ConsolePluginOptions {
  readonly files: ReadonlyMap<string, StaticFile>;
  readonly sessions: ConsoleSessions;
  readonly dispatch: ConsoleDispatch;
  readonly clock: Clock;
  readonly secure: boolean;
  /** Waits before a failure answer (tests record the delays instead of sleeping). */
  readonly wait?: (ms: number) => Promise<unknown>;
}

interface ApiFailure {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

class ConsoleApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(failure: ApiFailure) {
    super(failure.message);
    this.status = failure.status;
    this.code = failure.code;
  }
}

const NOT_SIGNED_IN: ApiFailure = {
  status: 401,
  code: 'NotSignedIn',
  message: 'Sign in to use the console.',
};
const CSRF_REFUSED: ApiFailure = {
  status: 403,
  code: 'InvalidCsrfToken',
  message: 'The request did not carry this session’s CSRF token; reload the console and try again.',
};

function cookieValue(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

function stringField(body: unknown, name: string, required: boolean): string | undefined {
  const value =
    body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  if (value === undefined || value === null) {
    if (required)
      throw new ConsoleApiError({ status: 400, code: 'MissingParameter', message: `Give "${name}".` });
    return undefined;
  }
  if (typeof value !== 'string' || value.length > MAX_FIELD) {
    throw new ConsoleApiError({
      status: 400,
      code: 'InvalidParameter',
      message: `"${name}" must be a string.`,
    });
  }
  return value;
}

/** A browser's cross-site request carries another Origin; refuse it even before the CSRF token. */
function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

export function consolePlugin(options: ConsolePluginOptions) {
  const failures = new FailureCounter({ clock: options.clock, decayMs: SIGN_IN_FAILURES.decayMs });
  const wait = options.wait ?? ((ms: number) => sleep(ms));
  const cookie = (token: string, maxAgeSeconds?: number): string =>
    [
      `${SESSION_COOKIE}=${token}`,
      'Path=/console',
      'HttpOnly',
      'SameSite=Strict',
      ...(options.secure ? ['Secure'] : []),
      ...(maxAgeSeconds === undefined ? [] : [`Max-Age=${maxAgeSeconds}`]),
    ].join('; ');

  /** The request's live session, or a 401. */
  const sessionOf = async (request: FastifyRequest): Promise<{ token: string; session: ConsoleSession }> => {
    const token = cookieValue(request, SESSION_COOKIE);
    const session = token === undefined ? undefined : await options.sessions.resolve(token);
    if (token === undefined || session === undefined) throw new ConsoleApiError(NOT_SIGNED_IN);
    return { token, session };
  };

  /** State-changing calls: same origin, and the session's CSRF token in the header. */
  const checkCsrf = (request: FastifyRequest, session: ConsoleSession): void => {
    const sent = request.headers['x-csrf-token'];
    if (!sameOrigin(request) || typeof sent !== 'string' || sent !== session.csrfToken) {
      throw new ConsoleApiError(CSRF_REFUSED);
    }
  };

  const sendFile = (reply: FastifyReply, file: StaticFile): FastifyReply =>
    reply.header('content-type', file.contentType).header('cache-control', file.cacheControl).send(file.body);

  return function register(app: FastifyInstance, _options: unknown, done: (error?: Error) => void): void {
    app.addHook('onSend', async (_request, reply) => {
      for (const [name, value] of Object.entries(CONSOLE_SECURITY_HEADERS)) void reply.header(name, value);
    });

    app.route({
      method: 'GET',
      url: '/',
      constraints: { [PROTOCOL_CONSTRAINT]: 'browser' },
      handler: (_request, reply) => reply.redirect('/console/', 302),
    });
    app.get('/console', (_request, reply) => reply.redirect('/console/', 302));
    app.get('/console/', (_request, reply) => {
      const page = options.files.get('index.html');
      if (!page) {
        return reply
          .code(503)
          .type('text/plain; charset=utf-8')
          .send('The console is not built: run `npm run build`, then restart the server.');
      }
      return sendFile(reply, page);
    });
    app.get('/console/*', (request, reply) => {
      const path = (request.params as { '*': string })['*'];
      const file = path.startsWith('api/') ? undefined : options.files.get(path);
      if (!file) return reply.code(404).type('text/plain; charset=utf-8').send('Not found.');
      return sendFile(reply, file);
    });

    app.get('/console/api/session', async (request) => {
      const { session } = await sessionOf(request);
      return { userName: session.userName, csrfToken: session.csrfToken };
    });

    app.post('/console/api/session', async (request, reply) => {
      if (!sameOrigin(request)) throw new ConsoleApiError(CSRF_REFUSED);
      const userName = stringField(request.body, 'userName', true) ?? '';
      const password = stringField(request.body, 'password', true) ?? '';
      const totpCode = stringField(request.body, 'totpCode', false);
      const subjects = [`user:${userName}`, `ip:${request.ip}`];
      const result = await options.sessions.signIn(userName, password, totpCode);
      if (!result.ok) {
        const counts = subjects.map((subject) => failures.record(subject));
        const delay = failureDelayMs(Math.max(...counts), SIGN_IN_FAILURES);
        if (delay > 0) await wait(delay);
        if (result.reason === 'mfa_code_required') {
          throw new ConsoleApiError({
            status: 401,
            code: 'MfaCodeRequired',
            message: 'Enter the code from your authenticator app.',
          });
        }
        throw new ConsoleApiError({
          status: 401,
          code: result.reason === 'mfa_code_invalid' ? 'InvalidMfaCode' : 'InvalidCredentials',
          message:
            result.reason === 'mfa_code_invalid'
              ? 'The authenticator code is not valid; wait for the next one.'
              : 'The user name or password is not correct.',
        });
      }
      void reply.header('set-cookie', cookie(result.token));
      return { userName: result.session.userName, csrfToken: result.session.csrfToken };
    });

    app.delete('/console/api/session', async (request, reply) => {
      const { token, session } = await sessionOf(request);
      checkCsrf(request, session);
      await options.sessions.signOut(token);
      return reply.header('set-cookie', cookie('', 0)).code(204).send();
    });

    app.post('/console/api/validate-policy', async (request) => {
      const { session } = await sessionOf(request);
      checkCsrf(request, session);
      const document = stringField(request.body, 'document', true) ?? '';
      try {
        parsePolicyDocument(document);
        return { valid: true };
      } catch (error) {
        return {
          valid: false,
          message: error instanceof Error ? error.message : 'The document is not valid.',
        };
      }
    });

    app.post('/console/api/call', async (request, reply) => {
      const { session } = await sessionOf(request);
      checkCsrf(request, session);
      const version = stringField(request.body, 'version', true) ?? '';
      const action = stringField(request.body, 'action', true) ?? '';
      const raw: unknown = (request.body as Record<string, unknown> | null)?.params ?? {};
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
        throw new ConsoleApiError({
          status: 400,
          code: 'InvalidParameter',
          message: '"params" must be an object.',
        });
      }
      const params = new Map<string, string>();
      for (const [name, value] of Object.entries(raw)) {
        if (typeof value !== 'string') {
          throw new ConsoleApiError({
            status: 400,
            code: 'InvalidParameter',
            message: `Parameter "${name}" must be a string.`,
          });
        }
        params.set(name, value);
      }
      const answer = await options.dispatch({ userName: session.userName, version, action, params, request });
      return reply.code(answer.status).send(answer.body);
    });

    app.setErrorHandler(async (error: unknown, request, reply) => {
      const failure: ApiFailure =
        error instanceof ConsoleApiError
          ? error
          : typeof (error as { statusCode?: unknown }).statusCode === 'number' &&
              (error as { statusCode: number }).statusCode < 500
            ? { status: 400, code: 'InvalidRequest', message: 'The request could not be read.' }
            : { status: 500, code: 'InternalFailure', message: 'Internal failure.' };
      if (failure.status >= 500) request.log.error({ err: error }, 'console request failed');
      return reply
        .code(failure.status)
        .send({ Code: failure.code, Message: failure.message, RequestId: request.id });
    });
    done();
  };
}
