/**
 * The console's only way to the server: its session endpoints and `POST /console/api/call`, which runs
 * one API action as the signed-in user through the same operation pipeline as the signed APIs. Answers
 * and errors have the Alibaba API's JSON shapes (the console is another way in, not another model).
 */

export const KMS = '2016-01-20';
export const RAM = '2015-05-01';
export const TRAIL = '2020-07-06';

export interface Session {
  readonly userName: string;
  readonly csrfToken: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** An answer of the API: JSON read field by field (the lint rules on `any` are relaxed for the console). */
export type Answer = Record<string, any>;

let csrfToken = '';

async function request(method: string, path: string, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (response.status === 204) return {};
  const text = await response.text();
  let answer: Answer = {};
  try {
    answer = text === '' ? {} : (JSON.parse(text) as Answer);
  } catch {
    throw new ApiError(
      response.status,
      'InvalidResponse',
      'The server sent an answer the console cannot read.',
    );
  }
  if (!response.ok) {
    const code = String(answer.Code ?? answer.code ?? 'Error');
    const message = String(answer.Message ?? answer.message ?? response.statusText);
    throw new ApiError(response.status, code, message);
  }
  return answer;
}

export async function currentSession(): Promise<Session | undefined> {
  try {
    const answer = await request('GET', '/console/api/session');
    csrfToken = String(answer.csrfToken);
    return { userName: String(answer.userName), csrfToken };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return undefined;
    throw error;
  }
}

export async function signIn(userName: string, password: string, totpCode?: string): Promise<Session> {
  const answer = await request('POST', '/console/api/session', {
    userName,
    password,
    ...(totpCode ? { totpCode } : {}),
  });
  csrfToken = String(answer.csrfToken);
  return { userName: String(answer.userName), csrfToken };
}

export async function signOut(): Promise<void> {
  await request('DELETE', '/console/api/session');
  csrfToken = '';
}

/** Runs one API action as the signed-in user; parameters as the API takes them (strings). */
export function call(
  action: string,
  params: Record<string, string | undefined> = {},
  version = KMS,
): Promise<Answer> {
  const defined: Record<string, string> = {};
  for (const [name, value] of Object.entries(params))
    if (value !== undefined && value !== '') defined[name] = value;
  return request('POST', '/console/api/call', { version, action, params: defined });
}

/** `{"VersionStages":{"VersionStage":[…]}}` → the array (the API wraps every list). */
export function listOf<T = Answer>(wrapper: unknown, item: string): T[] {
  if (wrapper === null || typeof wrapper !== 'object') return [];
  const inner = (wrapper as Record<string, unknown>)[item];
  return Array.isArray(inner) ? (inner as T[]) : [];
}

/** Checks a policy document with the server's RAM grammar; saves nothing. */
export async function validatePolicy(document: string): Promise<{ valid: boolean; message: string }> {
  const answer = await request('POST', '/console/api/validate-policy', { document });
  return { valid: answer.valid === true, message: String(answer.message ?? '') };
}
