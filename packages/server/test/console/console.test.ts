/**
 * The web console in a real browser (Debian's Chromium through playwright-core) against a real server:
 * the seed's second rotation scenario by clicking (pending label → promote), a reveal found in the
 * audit page, a read-only RAM user refused with the API's message, sign-out ending the session
 * server-side, CSRF and forged cookies refused, and an axe-core check of every page.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiServer } from '../protocols/alibaba/harness.js';
import { ACCESS_KEY_ID, ACCESS_KEY_SECRET, startApiServer } from '../protocols/alibaba/harness.js';
import { $Ram, ram, ramClient } from '../protocols/alibaba/ram-clients.js';
import { launchChromium, newContext, screenshotDir } from './browser.js';

const ADMIN_PASSWORD = 'console-admin-password-1';
const READER_PASSWORD = 'reader-password-123';
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let server: ApiServer;
let browser: Browser;
let consoleUrl: string;

beforeAll(async () => {
  server = await startApiServer({ env: { TESSERA_ROOT_CONSOLE_PASSWORD: ADMIN_PASSWORD } });
  consoleUrl = `${server.baseUrl}/console/`;
  browser = await launchChromium();
  // A read-only user with a console password: may read secrets under app/, nothing else.
  const admin = ramClient(server.endpoint, {
    accessKeyId: ACCESS_KEY_ID,
    accessKeySecret: ACCESS_KEY_SECRET,
  });
  await ram(admin.createUser(new $Ram.CreateUserRequest({ userName: 'reader' })));
  await ram(
    admin.createPolicy(
      new $Ram.CreatePolicyRequest({
        policyName: 'app-read',
        policyDocument: JSON.stringify({
          Version: '1',
          Statement: [
            {
              Effect: 'Allow',
              Action: [
                'kms:ListSecrets',
                'kms:DescribeSecret',
                'kms:ListSecretVersionIds',
                'kms:GetSecretValue',
              ],
              Resource: ['*'],
            },
          ],
        }),
      }),
    ),
  );
  await ram(
    admin.attachPolicyToUser(
      new $Ram.AttachPolicyToUserRequest({
        userName: 'reader',
        policyName: 'app-read',
        policyType: 'Custom',
      }),
    ),
  );
  await ram(
    admin.createLoginProfile(
      new $Ram.CreateLoginProfileRequest({ userName: 'reader', password: READER_PASSWORD }),
    ),
  );
});

afterAll(async () => {
  // Either may be missing when beforeAll failed half-way.
  await (browser as Browser | undefined)?.close();
  await (server as ApiServer | undefined)?.stop();
});

async function signIn(page: Page, userName: string, password: string): Promise<void> {
  await page.goto(consoleUrl);
  await page.getByLabel('User name').fill(userName);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Secrets', level: 1 }).waitFor();
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(screenshotDir(), `${name}.png`), fullPage: true });
}

describe('the console', () => {
  it('redirects a browser at / to the console and leaves API clients alone', async () => {
    const html = await fetch(`${server.baseUrl}/`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(html.status).toBe(302);
    expect(html.headers.get('location')).toBe('/console/');
    const page = await fetch(consoleUrl);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    const api = await fetch(`${server.baseUrl}/?Action=ListSecrets`);
    expect(api.headers.get('content-type')).toContain('json');
  });

  it('does the seed’s second rotation scenario by clicking: pending label, then promote', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await signIn(page, 'administrator', ADMIN_PASSWORD);
    await shoot(page, 'secrets-empty');

    await page.getByRole('link', { name: 'Create secret' }).click();
    await page.getByLabel('Name', { exact: true }).fill('app/db-password');
    await page.getByLabel('First version id').fill('v1');
    await page.getByLabel('Value').fill('first-password');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'app/db-password', level: 1 }).waitFor();

    await page.getByLabel('Version id', { exact: true }).fill('v2');
    await page.getByLabel('New value').fill('second-password');
    await page.getByLabel(/Put under labels of my choice/).check();
    await page.getByLabel('Labels (comma-separated)').fill('ACSPending');
    await page.getByRole('button', { name: 'Put version' }).click();
    const v2 = page.locator('li[data-version="v2"]');
    await expect.poll(() => v2.textContent()).toContain('ACSPending');
    expect(await page.locator('li[data-version="v1"]').textContent()).toContain('ACSCurrent');

    await page.getByLabel('Label', { exact: true }).fill('ACSCurrent');
    await page.getByLabel('To version').selectOption('v2');
    await page.getByRole('button', { name: 'Move label…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Move a label' });
    await expect.poll(() => dialog.textContent()).toContain('ACSCurrent moves from v1 to v2');
    expect(await dialog.textContent()).toContain('v1 becomes ACSPrevious');
    await shoot(page, 'secret-promote');
    await dialog.getByRole('button', { name: 'Move' }).click();
    await expect.poll(() => v2.textContent()).toContain('ACSCurrent');
    expect(await page.locator('li[data-version="v1"]').textContent()).toContain('ACSPrevious');

    // The API agrees.
    const current = await server
      .client('openapi-acs3')
      .call('GetSecretValue', { SecretName: 'app/db-password' });
    expect(current.SecretData).toBe('second-password');

    // A reveal is a read: it shows the value and is in the audit trail as the administrator's read.
    await page.getByRole('button', { name: 'Reveal version v2' }).click();
    await expect.poll(() => page.getByLabel('Value of version v2').textContent()).toBe('second-password');
    await shoot(page, 'secret-versions');
    await page.getByRole('link', { name: 'Audit trail' }).click();
    await page.getByLabel('Action').fill('GetSecretValue');
    await page.getByLabel('Secret or key').fill('app/db-password');
    await page.getByRole('button', { name: 'Filter' }).click();
    const row = page.locator('tbody tr', { hasText: 'GetSecretValue' }).first();
    await expect.poll(() => row.textContent()).toContain('administrator');
    expect(await row.textContent()).toContain('console');
    await page.getByRole('button', { name: 'Verify chain' }).click();
    await expect.poll(() => page.getByText(/Chain intact/).count()).toBe(1);
    await shoot(page, 'audit');
    await context.close();
  });

  it('refuses a read-only user’s writes with the API’s message', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await signIn(page, 'reader', READER_PASSWORD);
    await page.goto(`${consoleUrl}#/secret/app%2Fdb-password`);
    await page.getByRole('heading', { name: 'app/db-password', level: 1 }).waitFor();
    await page.getByLabel('Version id', { exact: true }).fill('v3');
    await page.getByLabel('New value').fill('not allowed');
    await page.getByRole('button', { name: 'Put version' }).click();
    await expect
      .poll(() => page.getByRole('alert').first().textContent())
      .toContain('Forbidden.NoPermission');
    const versions = await server
      .client('openapi-acs3')
      .call('ListSecretVersionIds', { SecretName: 'app/db-password' });
    expect(JSON.stringify(versions)).not.toContain('v3');
    await context.close();
  });

  it('ends the session server-side at sign-out, and refuses CSRF and forged cookies', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await signIn(page, 'administrator', ADMIN_PASSWORD);
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    const jar = `${cookie!.name}=${cookie!.value}`;
    const session = (await (
      await fetch(`${server.baseUrl}/console/api/session`, { headers: { cookie: jar } })
    ).json()) as {
      csrfToken: string;
    };
    const call = (headers: Record<string, string>) =>
      fetch(`${server.baseUrl}/console/api/call`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ version: '2016-01-20', action: 'ListSecrets', params: {} }),
      });
    expect((await call({ cookie: jar })).status).toBe(403);
    expect((await call({ cookie: jar, 'x-csrf-token': 'guess' })).status).toBe(403);
    expect(
      (await call({ cookie: jar, 'x-csrf-token': session.csrfToken, origin: 'https://evil.example' })).status,
    ).toBe(403);
    expect((await call({ cookie: jar, 'x-csrf-token': session.csrfToken })).status).toBe(200);
    const forged = `${cookie!.name}=${'A'.repeat(43)}`;
    expect((await call({ cookie: forged, 'x-csrf-token': session.csrfToken })).status).toBe(401);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Tessera' }).waitFor();
    expect((await call({ cookie: jar, 'x-csrf-token': session.csrfToken })).status).toBe(401);
    await context.close();
  });

  it('has no serious accessibility violations on any page', async () => {
    // axe is injected as a script, which the console's CSP (rightly) forbids: this context bypasses it.
    const context = await newContext(browser, { bypassCSP: true });
    const page = await context.newPage();
    await page.goto(consoleUrl);
    const pages = [
      'signin',
      'secrets',
      'secret/app%2Fdb-password',
      'keys',
      'users',
      'policies',
      'audit',
      'integrations',
    ];
    for (const route of pages) {
      if (route === 'secrets') await signIn(page, 'administrator', ADMIN_PASSWORD);
      else if (route !== 'signin') {
        await page.goto(`${consoleUrl}#/${route}`);
        await page.locator('main h1').first().waitFor();
        await page.waitForLoadState('networkidle');
      }
      await page.addScriptTag({ content: axeSource });
      const violations = await page.evaluate(async () => {
        const axe = (
          window as unknown as {
            axe: { run: () => Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> };
          }
        ).axe;
        const result = await axe.run();
        return result.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id} (${v.nodes.length})`);
      });
      expect(violations, `axe on ${route}`).toEqual([]);
      if (['keys', 'users', 'policies', 'integrations'].includes(route)) await shoot(page, route);
    }
    await context.close();
  });
});
