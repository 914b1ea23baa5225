/**
 * End-to-end: the built API (real process: embedded store member, private redis-server, SQLite) and the built
 * console (`next start`, proxying /api and /socket.io to it), driven by headless Debian Chromium through
 * playwright-core. Build first: `npm run build && npm run build:console`.
 *
 * Screenshots of the znode browser and the switches page go to $PADDOCK_E2E_SHOTS (default /tmp).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startApi, type ApiServer } from '../support/api-server.js';
import { startConsole, type ConsoleServer } from '../support/console-server.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = process.env.PADDOCK_E2E_SHOTS ?? '/tmp';
const PASSWORD = 'correct horse battery staple';
const UI_TIMEOUT = 10_000;

let api: ApiServer;
let web: ConsoleServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;

async function callApi(method: string, route: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const token = await page.evaluate(() => window.localStorage.getItem('paddock.session'));
  const res = await fetch(api.ready.url + route, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

describe('console (Next.js) against the real API in headless Chromium', () => {
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium (scripts/install-system-deps.sh)`);
    api = await startApi();
    web = await startConsole(api.ready.url);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      timeout: 20_000,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    context.setDefaultTimeout(UI_TIMEOUT);
    page = await context.newPage();
  }, 90_000);

  afterAll(async () => {
    await context?.close().catch(() => {});
    await browser?.close().catch(() => {});
    await web?.stop();
    await api?.stop();
  }, 40_000);

  it('shows the first-run bootstrap screen, creates the admin and lands in the console', async () => {
    await page.goto(`${web.url}/znodes`);
    await page.waitForURL('**/login');
    await page.getByRole('heading', { name: 'Create the first administrator' }).waitFor();
    await page.fill('input[name=username]', 'root');
    await page.fill('input[name=password]', PASSWORD);
    await page.fill('input[name=confirm]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL('**/znodes');
    await page.getByTestId('live-status').filter({ hasText: 'live' }).waitFor();

    // the bootstrap screen is gone: a fresh visitor gets the sign-in form, and wrong credentials show the API's error
    const other = await browser.newContext();
    try {
      const p = await other.newPage();
      p.setDefaultTimeout(UI_TIMEOUT);
      await p.goto(`${web.url}/login`);
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
    await page.goto(`${web.url}/switches`);
    const second = await context.newPage();
    try {
      await second.goto(`${web.url}/switches`);
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

    await page.goto(`${web.url}/audit`);
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
    await page.goto(`${web.url}/config`);
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
});
