/**
 * End-to-end: console sessions expire. The API runs with a 20 s session lifetime (PADDOCK_SESSION_TTL_S); a console
 * left open on a page is sent back to /login when its session ends (the API closes the socket at expiry and the
 * console checks its session), and a script's session secret stops working too. Build first (`npm run build &&
 * npm run build:console`).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { BrowserContext, Page } from 'playwright-core';
import { waitFor } from '../support/processes.js';
import { PASSWORD, callApi, newPage, pageFetch, scriptLogin, signIn, startStack, type Stack } from './e2e-harness.js';

const TTL_S = 20;

let stack: Stack;
let context: BrowserContext;
let page: Page;

describe('console session expiry', () => {
  beforeAll(async () => {
    stack = await startStack({ PADDOCK_SESSION_TTL_S: String(TTL_S) });
    expect((await callApi(stack.api.ready.url, 'POST', '/api/auth/bootstrap', undefined, { username: 'root', password: PASSWORD })).status).toBe(201);
    ({ context, page } = await newPage(stack.browser));
  }, 90_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await stack?.stop();
  }, 40_000);

  it('an idle console returns to /login when its session expires; the expired secret is refused', async () => {
    // a script's session opened first, so it has expired by the time the console's has
    const script = await scriptLogin(stack.api.ready.url, 'root');
    const before = Date.now();
    await signIn(page, stack.web.url, 'root');
    const me = (await pageFetch(page, 'GET', '/api/auth/me')).body as { kind: string; expiresAt: string };
    expect(me.kind).toBe('session');
    const expiresAt = Date.parse(me.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + TTL_S * 1000 - 2_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + TTL_S * 1000 + 2_000);
    const cookie = (await context.cookies(stack.web.url)).find((c) => c.name === 'paddock_session');
    expect(cookie!.expires * 1000).toBeGreaterThan(before);
    expect(cookie!.expires * 1000).toBeLessThanOrEqual(expiresAt + 2_000);

    // nobody touches the page: at expiry the API closes the socket and the console goes to /login by itself
    await waitFor('the console back on /login', () => (new URL(page.url()).pathname === '/login' ? true : undefined), { timeoutMs: TTL_S * 1000 + 40_000, intervalMs: 250 });
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt - 1_000);
    await page.getByRole('heading', { name: 'Sign in to Paddock' }).waitFor();

    const expired = await callApi(stack.api.ready.url, 'GET', '/api/auth/me', script);
    expect(expired.status).toBe(401);
    expect(expired.body.message).toBe('session expired or unknown');
    // signing in again works
    await signIn(page, stack.web.url, 'root');
  }, 90_000);
});
