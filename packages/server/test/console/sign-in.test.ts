/**
 * Console sign-in over HTTP against a real server: login profiles through the official RAM SDK, the
 * administrator's protection, the same answer for an unknown user and a wrong password, slowed failures,
 * TOTP MFA with one-time codes, sessions ended by a new password or a deleted user, and no inherited
 * password when a user name is reused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { base32Decode, totpCode, totpStep } from '../../src/crypto/totp.js';
import type { ApiServer } from '../protocols/alibaba/harness.js';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, startApiServer } from '../protocols/alibaba/harness.js';
import type { RamClient } from '../protocols/alibaba/ram-clients.js';
import { $Ram, popRamClient, ram, ramClient } from '../protocols/alibaba/ram-clients.js';

let server: ApiServer;
let admin: RamClient;

beforeAll(async () => {
  server = await startApiServer({ env: { TESSERA_ROOT_CONSOLE_PASSWORD: 'admin-console-pw-1' } });
  admin = ramClient(server.endpoint, { accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET });
});

afterAll(async () => {
  await (server as ApiServer | undefined)?.stop();
});

interface SignIn {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly cookie: string | undefined;
}

async function signIn(userName: string, password: string, totpCodeValue?: string): Promise<SignIn> {
  const response = await fetch(`${server.baseUrl}/console/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userName, password, ...(totpCodeValue ? { totpCode: totpCodeValue } : {}) }),
  });
  const cookie = response.headers.get('set-cookie')?.split(';')[0];
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, cookie };
}

async function sessionStatus(cookie: string): Promise<number> {
  return (await fetch(`${server.baseUrl}/console/api/session`, { headers: { cookie } })).status;
}

async function newUser(userName: string, password: string): Promise<void> {
  await ram(admin.createUser(new $Ram.CreateUserRequest({ userName })));
  await ram(admin.createLoginProfile(new $Ram.CreateLoginProfileRequest({ userName, password })));
}

describe('console sign-in', () => {
  it('keeps login profiles through the RAM SDK, never showing the password', async () => {
    await newUser('profile-user', 'first-password-1');
    const got = await ram(
      admin.getLoginProfile(new $Ram.GetLoginProfileRequest({ userName: 'profile-user' })),
    );
    expect(got.loginProfile).toMatchObject({ userName: 'profile-user', passwordResetRequired: false });
    expect(JSON.stringify(got)).not.toContain('first-password-1');
    expect((await signIn('profile-user', 'first-password-1')).status).toBe(200);
    await ram(admin.deleteLoginProfile(new $Ram.DeleteLoginProfileRequest({ userName: 'profile-user' })));
    await expect(
      ram(admin.getLoginProfile(new $Ram.GetLoginProfileRequest({ userName: 'profile-user' }))),
    ).rejects.toMatchObject({ code: 'EntityNotExist.User.LoginProfile' });
    expect((await signIn('profile-user', 'first-password-1')).status).toBe(401);
  });

  it('lets nobody but the administrator set the administrator’s password, even with ram:*', async () => {
    await ram(admin.createUser(new $Ram.CreateUserRequest({ userName: 'ram-admin' })));
    await ram(
      admin.attachPolicyToUser(
        new $Ram.AttachPolicyToUserRequest({
          userName: 'ram-admin',
          policyName: 'AliyunRAMFullAccess',
          policyType: 'System',
        }),
      ),
    );
    const key = await ram(admin.createAccessKey(new $Ram.CreateAccessKeyRequest({ userName: 'ram-admin' })));
    const ramAdmin = ramClient(server.endpoint, {
      accessKeyId: key.accessKey!.accessKeyId!,
      accessKeySecret: key.accessKey!.accessKeySecret!,
    });
    await expect(
      ram(
        ramAdmin.updateLoginProfile(
          new $Ram.UpdateLoginProfileRequest({ userName: 'administrator', password: 'taken-over-123' }),
        ),
      ),
    ).rejects.toMatchObject({ code: 'Rejected.AdministratorProtected' });
    expect((await signIn('administrator', 'taken-over-123')).status).toBe(401);
    expect((await signIn('administrator', 'admin-console-pw-1')).status).toBe(200);
  });

  it('answers an unknown user exactly as a wrong password, and slows repeated failures', async () => {
    await newUser('slow-user', 'right-password-1');
    const unknown = await signIn('nobody-at-all', 'whatever-123');
    const wrong = await signIn('slow-user', 'wrong-password-1');
    expect(unknown.status).toBe(401);
    expect({ ...unknown.body, RequestId: '' }).toEqual({ ...wrong.body, RequestId: '' });
    for (let attempt = 2; attempt <= 6; attempt++) await signIn('slow-user', 'wrong-password-1');
    // The seventh failure of one user name waits 500 ms before its answer (docs/console.md).
    const started = performance.now();
    expect((await signIn('slow-user', 'wrong-password-1')).status).toBe(401);
    expect(performance.now() - started).toBeGreaterThanOrEqual(450);
    // The right password still works: only failures wait.
    expect((await signIn('slow-user', 'right-password-1')).status).toBe(200);
  });

  it('asks for a TOTP code once MFA is on, and takes each code once', async () => {
    await newUser('mfa-user', 'mfa-password-1');
    const answer = await ramCall('EnableConsoleMFA', { UserName: 'mfa-user' });
    const mfa = answer.MFA as { Base32Secret: string; OtpauthUri: string };
    const secret = base32Decode(mfa.Base32Secret);
    expect(mfa.OtpauthUri).toMatch(/^otpauth:\/\/totp\/Tessera%3Amfa-user\?/);
    const withoutCode = await signIn('mfa-user', 'mfa-password-1');
    expect(withoutCode).toMatchObject({ status: 401, body: { Code: 'MfaCodeRequired' } });
    const code = totpCode(secret, totpStep(Date.now()));
    expect((await signIn('mfa-user', 'mfa-password-1', '000000' === code ? '111111' : '000000')).status).toBe(
      401,
    );
    const signedIn = await signIn('mfa-user', 'mfa-password-1', code);
    expect(signedIn.status).toBe(200);
    expect(await signIn('mfa-user', 'mfa-password-1', code)).toMatchObject({
      status: 401,
      body: { Code: 'InvalidMfaCode' },
    });
    await ramCall('DisableConsoleMFA', { UserName: 'mfa-user' });
    expect((await signIn('mfa-user', 'mfa-password-1')).status).toBe(200);
  });

  it('ends sessions when the password changes or the user goes, and a reused name inherits nothing', async () => {
    await newUser('leaving-user', 'leaving-password-1');
    const first = await signIn('leaving-user', 'leaving-password-1');
    expect(await sessionStatus(first.cookie!)).toBe(200);
    await ram(
      admin.updateLoginProfile(
        new $Ram.UpdateLoginProfileRequest({ userName: 'leaving-user', password: 'changed-password-2' }),
      ),
    );
    expect(await sessionStatus(first.cookie!)).toBe(401);
    const second = await signIn('leaving-user', 'changed-password-2');
    await ram(admin.deleteUser(new $Ram.DeleteUserRequest({ userName: 'leaving-user' })));
    expect(await sessionStatus(second.cookie!)).toBe(401);
    await ram(admin.createUser(new $Ram.CreateUserRequest({ userName: 'leaving-user' })));
    expect((await signIn('leaving-user', 'changed-password-2')).status).toBe(401);
  });
});

/** A RAM action by name through pop-core (Tessera's own actions have no typed SDK method). */
async function ramCall(action: string, params: Record<string, string>): Promise<Record<string, unknown>> {
  return popRamClient(
    server.baseUrl,
    { accessKeyId: ACCESS_KEY_ID, accessKeySecret: ACCESS_KEY_SECRET },
    'POST',
  ).call(action, params);
}
