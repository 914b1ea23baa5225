/**
 * End-to-end: the built API (real process: embedded store member, private redis-server, SQLite) and the built
 * console (`next start`, proxying /api and /socket.io to it), driven by headless Debian Chromium through
 * playwright-core. Build first: `npm run build && npm run build:console`.
 *
 * Screenshots of the znode browser and the switches page go to $PADDOCK_E2E_SHOTS (default /tmp).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { waitFor } from '../support/processes.js';
import { PASSWORD, SHOTS, UI_TIMEOUT, callApi as callAs, newPage, pageFetch, scriptLogin, startStack, type Stack } from './e2e-harness.js';

let stack: Stack;
let context: BrowserContext;
let page: Page;
/** A script's session (Authorization: Bearer), opened once the admin exists. */
let bearer: string;

const callApi = (method: string, route: string, body?: unknown) => callAs(stack.api.ready.url, method, route, bearer, body);

describe('console (Next.js) against the real API in headless Chromium', () => {
  beforeAll(async () => {
    stack = await startStack();
    ({ context, page } = await newPage(stack.browser));
  }, 90_000);

  afterAll(async () => {
    await context?.close().catch(() => {});
    await stack?.stop();
  }, 40_000);

  it('shows the first-run bootstrap screen, creates the admin and lands in the console', async () => {
    await page.goto(`${stack.web.url}/znodes`);
    await page.waitForURL('**/login');
    await page.getByRole('heading', { name: 'Create the first administrator' }).waitFor();
    await page.fill('input[name=username]', 'root');
    await page.fill('input[name=password]', PASSWORD);
    await page.fill('input[name=confirm]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL('**/znodes');
    await page.getByTestId('live-status').filter({ hasText: 'live' }).waitFor();
    bearer = await scriptLogin(stack.api.ready.url, 'root');

    // the bootstrap screen is gone: a fresh visitor gets the sign-in form, and wrong credentials show the API's error
    const other = await stack.browser.newContext();
    try {
      const p = await other.newPage();
      p.setDefaultTimeout(UI_TIMEOUT);
      await p.goto(`${stack.web.url}/login`);
      await p.getByRole('heading', { name: 'Sign in to Paddock' }).waitFor();
      await p.fill('input[name=username]', 'root');
      await p.fill('input[name=password]', 'not the password');
      await p.click('button[type=submit]');
      await p.locator('.alert.error').filter({ hasText: /^401/ }).waitFor();
      await p.fill('input[name=password]', PASSWORD);
      await p.click('button[type=submit]');
      await p.waitForURL('**/znodes');
    } finally {
      await other.close();
    }
  }, 60_000);

  it('creates a znode and shows it in the tree; a stale version is refused with the ZooKeeper error', async () => {
    await page.getByTestId('selected-path').filter({ hasText: /^\/$/ }).waitFor();
    await page.fill('input[name=child-name]', 'console-e2e');
    await page.fill('textarea[name=child-data]', '{"limit":1}');
    await page.getByRole('button', { name: 'Create under /' }).click();
    const node = page.locator('[data-testid=znode-tree] [data-path="/console-e2e"]');
    await node.waitFor();
    await node.click();
    await page.getByTestId('znode-data').filter({ hasText: '{"limit":1}' }).waitFor();
    await page.getByRole('button', { name: 'JSON' }).click();
    await page.getByTestId('znode-data').filter({ hasText: '"limit": 1' }).waitFor();
    await page.getByRole('button', { name: 'TEXT' }).click();
    await page.getByTestId('znode-data').filter({ hasText: '{"limit":1}' }).waitFor();

    // start editing at version 0; someone else writes meanwhile
    await page.getByRole('button', { name: 'Edit' }).click();
    await page.fill('textarea[aria-label="znode data"]', '{"limit":3}');
    expect((await callApi('PUT', '/api/znodes/data', { path: '/console-e2e', data: '{"limit":2}', version: 0 })).status).toBe(200);
    await page.getByText('The node changed while you were editing').waitFor();
    await page.getByRole('button', { name: 'Save (expects version 0)' }).click();
    const alert = page.locator('.alert.error');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/^409 BAD_VERSION/);
    expect((await callApi('GET', '/api/znodes/data?path=/console-e2e')).body).toMatchObject({ data: '{"limit":2}', stat: { version: 1 } });

    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByTestId('znode-data').filter({ hasText: '{"limit":2}' }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'paddock-console-znodes.png'), fullPage: true });
  }, 60_000);

  it('flips a switch with a reason; a second page sees it live (socket.io) without reloading; the audit row shows it', async () => {
    await page.goto(`${stack.web.url}/switches`);
    const second = await context.newPage();
    try {
      await second.goto(`${stack.web.url}/switches`);
      await second.getByTestId('live-status').filter({ hasText: 'live' }).waitFor();
      await second.getByText('No switches in prod.').waitFor();
      // the second page must not reload: mark its window and check the mark afterwards
      await second.evaluate(() => ((window as unknown as { __mark: number }).__mark = 42));

      await page.fill('input[name=service]', 'com.acme.Pay');
      await page.fill('input[name=method]', 'charge');
      await page.selectOption('select[name=mode]', 'force');
      await page.selectOption('select[name=fallbackKind]', 'value');
      await page.fill('input[name=fallbackValue]', '{"ok":false}');
      await page.fill('input[name=reason]', 'INC-7 payments timing out');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.getByText('com.acme.Pay#charge is now force (version 1)').waitFor();

      const row = second.locator('[data-switch="com.acme.Pay#charge"]');
      await row.getByTestId('switch-mode').filter({ hasText: 'force' }).waitFor({ timeout: 5_000 });
      expect(await row.textContent()).toContain('INC-7 payments timing out');

      // flip it back off from the first page; the second follows
      await page.locator('[data-switch="com.acme.Pay#charge"]').getByRole('button', { name: 'Turn off' }).click();
      await page.fill('input[name=reason]', 'INC-7 resolved');
      await page.getByRole('button', { name: 'Apply' }).click();
      await row.getByTestId('switch-mode').filter({ hasText: 'off' }).waitFor({ timeout: 5_000 });
      expect(await second.evaluate(() => (window as unknown as { __mark?: number }).__mark)).toBe(42);

      await page.screenshot({ path: path.join(SHOTS, 'paddock-console-switches.png'), fullPage: true });
    } finally {
      await second.close();
    }

    await page.goto(`${stack.web.url}/audit`);
    await page.fill('input[name=type]', 'switch.set');
    await page.getByRole('button', { name: 'Filter' }).click();
    const audit = page.getByTestId('audit-table');
    await audit.getByText('INC-7 payments timing out').waitFor();
    await audit.getByText('INC-7 resolved').waitFor();
    expect(await audit.locator('tbody tr[data-type="switch.set"]').count()).toBe(2);
    await page.getByRole('button', { name: 'Verify chain' }).click();
    await page.getByTestId('verify-result').filter({ hasText: 'Chain intact' }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'paddock-console-audit.png'), fullPage: true });
  }, 60_000);

  it('publishes two config releases, diffs them and rolls back', async () => {
    await page.goto(`${stack.web.url}/config`);
    await page.getByLabel('App').fill('billing');
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    const content = page.getByLabel('config content');
    await page.getByRole('button', { name: 'Publish (expects release 0)' }).waitFor();
    await content.fill('{\n  "limit": 10\n}');
    await page.getByLabel('Reason / change ticket').fill('CHG-1');
    await page.getByRole('button', { name: 'Publish (expects release 0)' }).click();
    await page.getByText('Published release 1').waitFor();
    await content.fill('{\n  "limit": 20\n}');
    await page.getByRole('button', { name: 'Publish (expects release 1)' }).click();
    await page.getByText('Published release 2').waitFor();
    await page.getByRole('button', { name: 'Diff prev' }).click();
    const diff = page.getByTestId('diff');
    await diff.locator('.remove', { hasText: '"limit": 10' }).waitFor();
    await diff.locator('.add', { hasText: '"limit": 20' }).waitFor();
    page.once('dialog', (d) => void d.accept('back to 10'));
    await page.getByRole('button', { name: 'Roll back to' }).click();
    await page.getByText('Rolled back: release 3 restores 1').waitFor();
    expect((await callApi('GET', '/api/configs/prod/billing/application')).body).toMatchObject({ live: { release: 3, rollbackOf: 1, content: '{\n  "limit": 10\n}' } });
    await page.screenshot({ path: path.join(SHOTS, 'paddock-console-config.png'), fullPage: true });
  }, 60_000);

  it('keeps the session in an HttpOnly SameSite=Lax cookie (never in localStorage); cookie changes need the CSRF header; logout ends it', async () => {
    await page.goto(`${stack.web.url}/znodes`);
    await page.getByTestId('live-status').filter({ hasText: 'live' }).waitFor(); // the socket authenticated by the cookie too
    const session = (await context.cookies(stack.web.url)).find((c) => c.name === 'paddock_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false, path: '/' });
    expect(session!.value).toMatch(/^pds_/);
    expect(session!.expires).toBeGreaterThan(Date.now() / 1000 + 3600);
    const visible = await page.evaluate(() => ({ storage: Object.values(window.localStorage).join('\n'), cookie: document.cookie }));
    expect(visible.storage).not.toContain('pds_');
    expect(visible.cookie).not.toContain('paddock_session');

    // a cookie-authenticated change without the console's CSRF header is refused; reads are not
    const change = { scope: { service: 'com.acme.Csrf' }, mode: 'force', reason: 'CSRF check' };
    const forged = await pageFetch(page, 'PUT', '/api/switches/prod/items', change);
    expect(forged.status).toBe(403);
    expect(forged.body.message).toMatch(/x-paddock-csrf/);
    expect((await pageFetch(page, 'GET', '/api/switches/prod')).status).toBe(200);
    expect((await pageFetch(page, 'PUT', '/api/switches/prod/items', change, { 'x-paddock-csrf': '1' })).body).toMatchObject({ mode: 'force', updatedBy: 'root' });
    // scripts keep using bearer secrets without any CSRF header
    expect((await callApi('GET', '/api/auth/me')).body).toMatchObject({ kind: 'session', username: 'root' });

    // the console's own sign-in gets the cookie only: no secret in the response body
    const other = await stack.browser.newContext();
    try {
      const p = await other.newPage();
      p.setDefaultTimeout(UI_TIMEOUT);
      await p.goto(`${stack.web.url}/login`);
      await p.getByRole('heading', { name: 'Sign in to Paddock' }).waitFor();
      await p.fill('input[name=username]', 'root');
      await p.fill('input[name=password]', PASSWORD);
      const [login] = await Promise.all([p.waitForResponse((r) => r.url().endsWith('/api/auth/login')), p.click('button[type=submit]')]);
      expect(login.status()).toBe(201);
      const body = (await login.json()) as { session?: string; user: { username: string } };
      expect(body.user.username).toBe('root');
      expect(body.session).toBeUndefined();
      expect(await login.headerValue('set-cookie')).toMatch(/^paddock_session=pds_[^;]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/);
      await p.waitForURL('**/znodes');
    } finally {
      await other.close();
    }

    // sign out: the API forgets the session, the cookie is cleared, the console sends visitors back to /login;
    // another tab of the same session, left alone, follows (the API ends its socket)
    const otherTab = await context.newPage();
    await otherTab.goto(`${stack.web.url}/switches`);
    await otherTab.getByTestId('live-status').filter({ hasText: 'live' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/login');
    await waitFor('the other tab back on /login', () => (new URL(otherTab.url()).pathname === '/login' ? true : undefined), { timeoutMs: 15_000, intervalMs: 200 });
    await otherTab.close();
    expect((await context.cookies(stack.web.url)).some((c) => c.name === 'paddock_session')).toBe(false);
    expect((await callAs(stack.api.ready.url, 'GET', '/api/auth/me', undefined, undefined, { cookie: `paddock_session=${session!.value}` })).status).toBe(401);
    await page.goto(`${stack.web.url}/switches`);
    await page.waitForURL('**/login');
  }, 60_000);
});
