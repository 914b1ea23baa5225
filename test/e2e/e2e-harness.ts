/**
 * Shared pieces of the console e2e suites: the built API and console as real processes, headless Debian Chromium
 * through playwright-core, and script-style API calls (Authorization: Bearer, as curl would send them). Suites that
 * do not drive the first-run screen start from startAdminStack(): the admin already bootstrapped, and what the
 * suite opens (browser contexts, store clients, SDK objects) closed by its stop().
 */
import { ZooKeeperClient } from '@paddock/client';
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

/** A stack whose first admin `root` was bootstrapped through the API; stop() also closes what the suite opened. */
export interface AdminStack extends Stack {
  /** The session secret of `root`. */
  readonly admin: string;
  /** A script-style REST call, as `root` unless another bearer secret is given. */
  call(method: string, route: string, body?: unknown, bearer?: string): Promise<{ status: number; body: Json }>;
  /** A new browser context signed in as `username` through the console's form, then on `route` when given. */
  open(username: string, route?: string): Promise<Page>;
  /** A ZooKeeper client of the API's store, as applications and SDK objects use it. */
  storeClient(): Promise<ZooKeeperClient>;
  /** Something to close at stop(), newest first and before the store clients (SDK objects, a receiver). */
  onStop(close: () => Promise<unknown>): void;
}

export async function startAdminStack(env: Record<string, string | undefined> = {}): Promise<AdminStack> {
  const stack = await startStack(env);
  const apiUrl = stack.api.ready.url;
  let admin: string;
  try {
    const boot = await callApi(apiUrl, 'POST', '/api/auth/bootstrap', undefined, { username: 'root', password: PASSWORD });
    if (boot.status !== 201 || typeof boot.body?.session !== 'string') throw new Error(`bootstrap of root failed: ${boot.status} ${JSON.stringify(boot.body)}`);
    admin = boot.body.session as string;
  } catch (e) {
    await stack.stop();
    throw e;
  }
  const closers: (() => Promise<unknown>)[] = [];
  const storeClients: ZooKeeperClient[] = [];
  const contexts: BrowserContext[] = [];
  return {
    ...stack,
    admin,
    call: (method, route, body, bearer = admin) => callApi(apiUrl, method, route, bearer, body),
    async open(username, route) {
      const { context, page } = await newPage(stack.browser);
      contexts.push(context);
      await signIn(page, stack.web.url, username);
      if (route !== undefined) await page.goto(`${stack.web.url}${route}`);
      return page;
    },
    async storeClient() {
      const client = await ZooKeeperClient.connect(stack.api.ready.store, { sessionTimeout: 10_000 });
      storeClients.push(client);
      return client;
    },
    onStop(close) {
      closers.push(close);
    },
    async stop() {
      for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
      for (const client of storeClients.splice(0)) await client.close().catch(() => undefined);
      for (const context of contexts.splice(0)) await context.close().catch(() => undefined);
      await stack.stop();
    },
  };
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
