/**
 * Shared pieces of the console e2e suites: the built API and console as real processes, headless Debian Chromium
 * through playwright-core, and script-style API calls (Authorization: Bearer, as curl would send them).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startApi, type ApiServer } from '../support/api-server.js';
import { startConsole, type ConsoleServer } from '../support/console-server.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SHOTS = process.env.PADDOCK_E2E_SHOTS ?? '/tmp';
export const PASSWORD = 'correct horse battery staple';
export const UI_TIMEOUT = 10_000;

// response bodies are checked with toMatchObject
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Stack {
  api: ApiServer;
  web: ConsoleServer;
  browser: Browser;
  stop(): Promise<void>;
}

export async function startStack(env: Record<string, string | undefined> = {}): Promise<Stack> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: apt-get install -y chromium (scripts/install-system-deps.sh)`);
  const api = await startApi({ env });
  let web: ConsoleServer | undefined;
  try {
    web = await startConsole(api.ready.url);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      timeout: 20_000,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    const started = web;
    return {
      api,
      web: started,
      browser,
      async stop() {
        await browser.close().catch(() => undefined);
        await started.stop();
        await api.stop();
      },
    };
  } catch (e) {
    await web?.stop();
    await api.stop();
    throw e;
  }
}

export async function newPage(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  context.setDefaultTimeout(UI_TIMEOUT);
  return { context, page: await context.newPage() };
}

/** A REST call the way a script makes it (no cookie, optional bearer secret). */
export async function callApi(baseUrl: string, method: string, route: string, bearer?: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Json }> {
  const res = await fetch(baseUrl + route, {
    method,
    headers: { ...headers, ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** A session secret for scripts: POST /api/auth/login without the console's CSRF header answers with it. */
export async function scriptLogin(baseUrl: string, username: string, password = PASSWORD): Promise<string> {
  const res = await callApi(baseUrl, 'POST', '/api/auth/login', undefined, { username, password });
  if (res.status !== 201 || typeof res.body?.session !== 'string') throw new Error(`login of ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.session as string;
}

/** Signs in through the console's form and waits for the live badge. */
export async function signIn(page: Page, webUrl: string, username: string, password = PASSWORD): Promise<void> {
  await page.goto(`${webUrl}/login`);
  await page.getByRole('heading', { name: 'Sign in to Paddock' }).waitFor();
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForURL('**/znodes');
  await page.getByTestId('live-status').filter({ hasText: 'live' }).waitFor();
}

/** fetch() run inside the page (same origin, so the session cookie rides along): what a forced request gets. */
export async function pageFetch(page: Page, method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Json }> {
  return page.evaluate(
    async ({ method, route, body, headers }) => {
      const res = await fetch(route, { method, headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
    },
    { method, route, body, headers },
  );
}
