/**
 * End-to-end, in headless Chromium against the built API and console (build first: `npm run build && npm run
 * build:console`): the admin pages (users, API tokens), role-aware controls (viewer / operator / admin, and the
 * API's 403 when a viewer forces a change), the log-center page with real slaves (LogCenterSlave over the API's
 * embedded store), the data-sync page with a real worker (DataSyncWorker), and the switch plan editor.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSyncWorker, LogCenterSlave, SwitchClient, type SyncTaskContext } from '@paddock/platform';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { waitFor } from '../support/processes.js';
import { PASSWORD, SHOTS, pageFetch, startAdminStack, type AdminStack, type Json } from './e2e-harness.js';

let stack: AdminStack;

/** Marks the window; `notReloaded` later proves an update arrived live (socket.io), not by reloading. */
async function mark(page: Page): Promise<void> {
  await page.evaluate(() => ((window as unknown as { __mark: number }).__mark = 7));
}
async function notReloaded(page: Page): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { __mark?: number }).__mark)).toBe(7);
}

function localDateTime(ms: number): string {
  const d = new Date(ms);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

describe('console operations (users, roles, log-center, data-sync, switch plans) in headless Chromium', () => {
  let adminPage: Page;

  beforeAll(async () => {
    stack = await startAdminStack({ PADDOCK_LOG_CENTER_GRACE_MS: '1500', PADDOCK_DATA_SYNC_GRACE_MS: '1500' });
    adminPage = await stack.open('root');
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it('admin creates users and changes a role; issues a scoped API token shown once that works from a script; revokes it', async () => {
    const page = adminPage;
    await page.getByRole('link', { name: 'Users & tokens' }).click();
    await page.waitForURL('**/users');
    for (const [username, role] of [['otto', 'operator'], ['vera', 'operator'], ['dora', 'viewer']] as const) {
      await page.fill('input[name=new-username]', username);
      await page.fill('input[name=new-password]', PASSWORD);
      await page.selectOption('select[name=new-role]', role);
      await page.getByRole('button', { name: 'Create user' }).click();
      await page.getByText(`User ${username} created (${role})`).waitFor();
    }
    // vera was meant to be a viewer
    await page.getByLabel('role of vera').selectOption('viewer');
    await page.getByText('vera is now viewer').waitFor();
    expect((await stack.call('GET', '/api/users')).body.users.map((u: Json) => `${u.username}:${u.role}`).sort()).toEqual(['dora:viewer', 'otto:operator', 'root:admin', 'vera:viewer']);
    // an admin cannot demote themselves: the control is disabled
    expect(await page.getByLabel('role of root').isDisabled()).toBe(true);

    // an operator token limited to switches
    await page.fill('input[name=token-name]', 'ci-switches');
    await page.selectOption('select[name=token-role]', 'operator');
    await page.uncheck('input[name=scope-all]');
    await page.check('input[name=scope-switches]');
    await page.fill('input[name=token-days]', '30');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = (await page.getByTestId('token-value').textContent())!.trim();
    expect(secret).toMatch(/^pdt_/);
    const row = page.locator('[data-token="ci-switches"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('switches');

    // curl-style: the token works for its scope and role, and only there
    const flip = await stack.call('PUT', '/api/switches/tokens/items', { scope: { service: 'com.acme.Token' }, mode: 'force', reason: 'from CI' }, secret);
    expect(flip.status).toBe(200);
    expect(flip.body).toMatchObject({ mode: 'force', updatedBy: 'root/token:ci-switches' });
    const outOfScope = await stack.call('GET', '/api/log-center/topics', undefined, secret);
    expect(outOfScope.status).toBe(403);
    expect(outOfScope.body.message).toMatch(/scope/);

    // shown once: gone after a reload, and never listed
    await page.reload();
    await row.waitFor();
    expect(await page.getByTestId('token-secret').count()).toBe(0);
    expect(JSON.stringify((await stack.call('GET', '/api/tokens')).body)).not.toContain(secret);

    await row.getByRole('button', { name: 'Revoke' }).click();
    await row.getByTestId('token-state').filter({ hasText: 'revoked' }).waitFor();
    expect((await stack.call('GET', '/api/switches/tokens', undefined, secret)).status).toBe(401);
    await page.screenshot({ path: path.join(SHOTS, 'paddock-console-users.png'), fullPage: true });
  }, 90_000);

  it('a disabled user is signed out: their open console goes back to the sign-in page by itself', async () => {
    const dora = await stack.open('dora');
    await dora.goto(`${stack.web.url}/log-center`);
    await dora.getByTestId('live-status').filter({ hasText: 'live' }).waitFor();
    await adminPage.locator('[data-user="dora"]').getByRole('button', { name: 'Disable' }).click();
    await adminPage.getByText('dora disabled').waitFor();
    // nobody touches dora's page: the API ends her socket and the console finds her session gone
    await waitFor('dora back on /login', () => (new URL(dora.url()).pathname === '/login' ? true : undefined), { timeoutMs: 15_000, intervalMs: 200 });
    await dora.getByRole('heading', { name: 'Sign in to Paddock' }).waitFor();
    // and cannot sign in again
    await dora.fill('input[name=username]', 'dora');
    await dora.fill('input[name=password]', PASSWORD);
    await dora.click('button[type=submit]');
    await dora.locator('.alert.error').filter({ hasText: /^401/ }).waitFor();
  }, 60_000);

  it('a viewer sees no write controls, and the API refuses a forced change with 403; an operator sees them but not the admin pages', async () => {
    const vera = await stack.open('vera');
    expect(await vera.getByTestId('signed-in-as').textContent()).toContain('vera (viewer)');
    expect(await vera.getByRole('link', { name: 'Users & tokens' }).count()).toBe(0);
    expect(await vera.getByRole('button', { name: /^Create under/ }).count()).toBe(0);

    await vera.goto(`${stack.web.url}/switches`);
    await vera.getByTestId('read-only').waitFor();
    await vera.getByLabel('env', { exact: true }).fill('tokens');
    await vera.getByRole('button', { name: 'Open env' }).click();
    expect(await vera.getByRole('button', { name: 'Apply' }).count()).toBe(0);
    expect(await vera.getByRole('button', { name: 'New plan' }).count()).toBe(0);
    await vera.locator('[data-switch="com.acme.Token"]').waitFor(); // reads still work
    expect(await vera.locator('[data-switch="com.acme.Token"]').getByRole('button').count()).toBe(0);

    for (const [route, button] of [
      ['/log-center', 'Create topic'],
      ['/data-sync', 'Publish task'],
    ] as const) {
      await vera.goto(`${stack.web.url}${route}`);
      await vera.getByTestId('read-only').waitFor();
      expect(await vera.getByRole('button', { name: button }).count()).toBe(0);
    }

    // forcing the request anyway (with the CSRF header, as the console would send it): the API says no
    const forced = await pageFetch(vera, 'PUT', '/api/log-center/topics/forced', { partitions: 1, reason: 'trying' }, { 'x-paddock-csrf': '1' });
    expect(forced.status).toBe(403);
    expect(forced.body.message).toBe('role viewer may not do this (needs operator)');
    expect((await pageFetch(vera, 'GET', '/api/users')).status).toBe(403);
    await vera.goto(`${stack.web.url}/users`);
    await vera.getByTestId('not-admin').waitFor();

    const otto = await stack.open('otto');
    expect(await otto.getByRole('link', { name: 'Users & tokens' }).count()).toBe(0);
    await otto.goto(`${stack.web.url}/log-center`);
    await otto.getByRole('button', { name: 'Create topic' }).waitFor();
    expect(await otto.getByTestId('read-only').count()).toBe(0);

    // a role change reaches an open console without a reload: demoted, the controls go; promoted, they return
    await otto.getByTestId('live-status').filter({ hasText: 'live' }).waitFor();
    await mark(otto);
    await adminPage.getByLabel('role of otto').selectOption('viewer');
    await adminPage.getByText('otto is now viewer').waitFor();
    await otto.getByTestId('read-only').waitFor({ timeout: 15_000 });
    expect(await otto.getByRole('button', { name: 'Create topic' }).count()).toBe(0);
    await otto.getByTestId('live-status').filter({ hasText: 'live' }).waitFor();
    await adminPage.getByLabel('role of otto').selectOption('operator');
    await adminPage.getByText('otto is now operator').waitFor();
    await otto.getByRole('button', { name: 'Create topic' }).waitFor({ timeout: 15_000 });
    expect(await otto.getByTestId('signed-in-as').textContent()).toContain('otto (operator)');
    await notReloaded(otto);
  }, 90_000);

  it('log-center: an operator creates groups and a topic, slaves pick it up, a pin moves it and every page follows live', async () => {
    const otto = await stack.open('otto');
    await otto.goto(`${stack.web.url}/log-center`);
    for (const g of ['ingest-a', 'ingest-b']) {
      await otto.fill('input[name=group-name]', g);
      await otto.fill('input[name=group-description]', `group ${g}`);
      await otto.fill('input[name=group-reason]', 'LC-1 new groups');
      await otto.getByRole('button', { name: 'Save group' }).click();
      await otto.locator(`[data-group="${g}"]`).waitFor();
    }
    await otto.fill('input[name=topic-name]', 'clicks');
    await otto.fill('input[name=topic-partitions]', '2');
    await otto.fill('input[name=topic-reason]', 'LC-2 clickstream');
    await otto.getByRole('button', { name: 'Create topic' }).click();
    const ottoRow = otto.locator('[data-topic="clicks"]');
    await ottoRow.waitFor();
    expect(await ottoRow.getByTestId('topic-actual').textContent()).toBe('not running');
    // creating it again is refused (expectedVersion -1), with the store's error
    await otto.getByRole('button', { name: 'Create topic' }).click();
    await otto.locator('.alert.error').filter({ hasText: /^409/ }).waitFor();

    // the admin watches the same page (no reload from here on)
    const watcher = adminPage;
    await watcher.goto(`${stack.web.url}/log-center`);
    await watcher.getByTestId('live-status').filter({ hasText: 'live' }).waitFor();
    await mark(watcher);
    const row = watcher.locator('[data-topic="clicks"]');
    await row.waitFor();

    // two real slaves, one per group
    for (const [group, id] of [['ingest-a', 'a1'], ['ingest-b', 'b1']] as const) {
      const slave = new LogCenterSlave(await stack.storeClient(), { group, id, capacity: 10, host: `${id}.e2e` });
      slave.on('error', () => undefined);
      stack.onStop(() => slave.close());
      await slave.start();
      await watcher.locator(`[data-slave="${group}/${id}"]`).waitFor();
    }
    await row.locator('td', { hasText: 'in sync' }).waitFor({ timeout: 15_000 });
    const first = (await row.getByTestId('topic-desired').textContent())!;
    expect(first).toMatch(/^ingest-(a\/a1|b\/b1)$/);
    expect(await row.getByTestId('topic-actual').textContent()).toBe(first);
    expect(Number(await watcher.getByTestId('lc-epoch').textContent())).toBeGreaterThanOrEqual(1);
    const [otherGroup, otherSlave] = first.startsWith('ingest-a') ? ['ingest-b', 'b1'] : ['ingest-a', 'a1'];

    // the operator pins the topic to the other group; a reason is required
    await ottoRow.getByRole('button', { name: 'clicks' }).click();
    const actions = otto.getByTestId('topic-actions');
    await actions.locator('select[name=pin-group]').selectOption(otherGroup);
    await actions.getByRole('button', { name: 'Pin', exact: true }).click();
    await actions.getByText('A reason is required for every log-center change.').waitFor();
    await actions.locator('input[name=reason]').fill('LC-3 move clicks');
    await actions.getByRole('button', { name: 'Pin', exact: true }).click();
    await otto.getByText(`Pinned clicks to ${otherGroup}`).waitFor();

    // the watcher sees the pin, then the master's new placement, then the slave running it
    await row.getByTestId('topic-pin').filter({ hasText: otherGroup }).waitFor({ timeout: 15_000 });
    await row.getByTestId('topic-desired').filter({ hasText: `${otherGroup}/${otherSlave}` }).waitFor({ timeout: 15_000 });
    await row.getByTestId('topic-actual').filter({ hasText: `${otherGroup}/${otherSlave}` }).waitFor({ timeout: 15_000 });
    await watcher.locator(`[data-group="${otherGroup}"]`).filter({ hasText: 'clicks' }).waitFor();
    await notReloaded(watcher);
    await watcher.screenshot({ path: path.join(SHOTS, 'paddock-console-log-center.png'), fullPage: true });

    // partitions, unpin and delete, each with the reason
    await actions.locator('input[name=partitions]').fill('6');
    await actions.getByRole('button', { name: 'Save partitions' }).click();
    await row.getByTestId('topic-partitions').filter({ hasText: '6' }).waitFor();
    await actions.getByRole('button', { name: 'Unpin' }).click();
    await row.getByTestId('topic-pin').filter({ hasText: '—' }).waitFor();
    await actions.getByRole('button', { name: 'Delete topic' }).click();
    await row.waitFor({ state: 'detached' });
    await notReloaded(watcher);

    const audit = async (type: string) => (await stack.call('GET', `/api/audit?type=${type}&pathPrefix=/log-center`)).body.events as Json[];
    expect(await audit('logcenter.pin.set')).toEqual([expect.objectContaining({ actor: 'otto', reason: 'LC-3 move clicks', path: '/log-center/pins/clicks' })]);
    expect(await audit('logcenter.pin.remove')).toEqual([expect.objectContaining({ actor: 'otto', reason: 'LC-3 move clicks' })]);
    expect(await audit('logcenter.topic.delete')).toEqual([expect.objectContaining({ actor: 'otto', reason: 'LC-3 move clicks' })]);
    expect((await audit('logcenter.topic.set')).map((e) => e.reason)).toEqual(['LC-3 move clicks', 'LC-2 clickstream']);
  }, 120_000);

  it('data-sync: publish from the console, a worker runs it with progress, a failed task is retried, a running one cancelled and deleted', async () => {
    const otto = await stack.open('otto');
    await otto.goto(`${stack.web.url}/data-sync`);
    await mark(otto);
    const publish = async (id: string, payload: string, maxAttempts = '3') => {
      await otto.fill('input[name=task-id]', id);
      await otto.fill('input[name=task-source]', `mysql://${id}`);
      await otto.fill('input[name=task-target]', `es://${id}`);
      await otto.fill('textarea[name=task-payload]', payload);
      await otto.fill('input[name=task-max-attempts]', maxAttempts);
      await otto.fill('input[name=publish-reason]', `DS-1 ${id}`);
      await otto.getByRole('button', { name: 'Publish task' }).click();
      await otto.getByText(`Published task ${id}`).waitFor();
    };
    const status = (id: string, text: string) => otto.locator(`[data-task="${id}"]`).getByTestId('task-status').filter({ hasText: new RegExp(`^${text}$`) }).waitFor({ timeout: 20_000 });

    // no worker yet: the task waits
    await publish('copy-orders', '{"mode":"gated"}');
    await status('copy-orders', 'pending');

    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const failuresLeft = new Map([['flaky', 1]]);
    const handler = async (ctx: SyncTaskContext) => {
      const mode = (ctx.spec.payload as { mode?: string } | undefined)?.mode;
      if (mode === 'gated') {
        await ctx.progress({ percent: 50, records: 500 });
        await released;
        await ctx.progress({ percent: 100, records: 1000 });
        return;
      }
      if (mode === 'fail-first' && (failuresLeft.get(ctx.spec.id) ?? 0) > 0) {
        failuresLeft.set(ctx.spec.id, failuresLeft.get(ctx.spec.id)! - 1);
        throw new Error('source unreachable');
      }
      if (mode === 'hang') {
        await ctx.progress({ percent: 10 });
        await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))));
      }
    };
    const worker = new DataSyncWorker(await stack.storeClient(), { id: 'collector-1', kind: 'collector', capacity: 4, handler });
    worker.on('error', () => undefined);
    stack.onStop(() => worker.close());
    await worker.start();
    await otto.locator('[data-worker="collector-1"]').waitFor();

    await status('copy-orders', 'running');
    await otto.locator('[data-task="copy-orders"]').getByTestId('task-progress').filter({ hasText: '50% · 500 records' }).waitFor();
    expect(await otto.locator('[data-task="copy-orders"]').textContent()).toContain('collector-1');
    release();
    await status('copy-orders', 'succeeded');
    await otto.locator('[data-task="copy-orders"]').getByRole('button', { name: 'copy-orders' }).click();
    await otto.getByTestId('task-history').getByText('succeeded').waitFor();

    // one attempt allowed: it fails; a retry (with a reason) runs it again
    await publish('flaky', '{"mode":"fail-first"}', '1');
    await status('flaky', 'failed');
    expect(await otto.locator('[data-task="flaky"]').textContent()).toContain('source unreachable');
    await otto.locator('[data-task="flaky"]').getByRole('button', { name: 'flaky' }).click();
    const detail = otto.getByTestId('task-detail');
    await detail.getByRole('button', { name: 'Retry' }).click();
    await detail.getByText('A reason is required for every data-sync change.').waitFor();
    await detail.locator('input[name=task-reason]').fill('DS-2 source is back');
    await detail.getByRole('button', { name: 'Retry' }).click();
    await status('flaky', 'succeeded');
    await detail.getByTestId('task-history').locator('tr', { hasText: 'errored' }).waitFor();

    // a running task is cancelled, then deleted
    await publish('long-job', '{"mode":"hang"}');
    await status('long-job', 'running');
    await otto.locator('[data-task="long-job"]').getByRole('button', { name: 'long-job' }).click();
    expect(await detail.getByRole('button', { name: 'Delete' }).isDisabled()).toBe(true);
    await detail.locator('input[name=task-reason]').fill('DS-3 not needed');
    await detail.getByRole('button', { name: 'Cancel task' }).click();
    await status('long-job', 'cancelled');
    await waitFor('the worker to drop long-job', () => (worker.running.includes('long-job') ? undefined : true), { timeoutMs: 10_000 });
    await detail.locator('input[name=task-reason]').fill('DS-3 not needed');
    await detail.getByRole('button', { name: 'Delete' }).click();
    await otto.locator('[data-task="long-job"]').waitFor({ state: 'detached' });
    await notReloaded(otto);
    await otto.screenshot({ path: path.join(SHOTS, 'paddock-console-data-sync.png'), fullPage: true });

    const events = (await stack.call('GET', '/api/audit?pathPrefix=/data-sync-system&actor=otto')).body.events as Json[];
    expect(events.map((e) => `${e.type}:${e.reason}`).reverse()).toEqual([
      'datasync.task.publish:DS-1 copy-orders',
      'datasync.task.publish:DS-1 flaky',
      'datasync.task.retry:DS-2 source is back',
      'datasync.task.publish:DS-1 long-job',
      'datasync.task.cancel:DS-3 not needed',
      'datasync.task.delete:DS-3 not needed',
    ]);
  }, 120_000);

  it('switch plans: an operator composes a plan of several switches, previews, executes, reverts, edits and deletes it', async () => {
    const otto = await stack.open('otto');
    await otto.goto(`${stack.web.url}/switches`);
    await otto.getByRole('button', { name: 'New plan' }).click();
    const editor = otto.getByTestId('plan-editor');
    await editor.locator('input[name=plan-name]').fill('shed-checkout');
    await editor.locator('input[name=plan-description]').fill('shed recommendations and ads');
    await editor.getByLabel('service 1').fill('com.acme.Reco');
    await editor.getByLabel('fallback 1', { exact: true }).selectOption('empty');
    await editor.getByLabel('fallback value 1').fill('array');
    await editor.getByRole('button', { name: 'Add switch' }).click();
    await editor.getByLabel('service 2').fill('com.acme.Ads');
    await editor.getByLabel('method 2').fill('list');
    await editor.getByLabel('mode 2').selectOption('fail');
    await editor.getByLabel('fallback 2', { exact: true }).selectOption('value');
    await editor.getByLabel('fallback value 2').fill('{"ads":[]}');
    const expiry = Date.now() + 2 * 3600_000;
    await editor.getByLabel('expires 2').fill(localDateTime(expiry));
    await editor.locator('input[name=plan-save-reason]').fill('CHG-9 prepare shedding');
    await editor.getByRole('button', { name: 'Save plan' }).click();
    await otto.getByText('Plan shed-checkout saved (2 switch(es))').waitFor();
    const plan = otto.locator('[data-plan="shed-checkout"]');
    await plan.getByTestId('plan-status').filter({ hasText: 'idle' }).waitFor();

    await plan.getByRole('button', { name: 'Preview' }).click();
    const preview = otto.getByTestId('plan-preview');
    await preview.locator('[data-preview="com.acme.Reco"]').filter({ hasText: 'not set' }).waitFor();
    expect(await preview.locator('[data-preview="com.acme.Ads#list"]').textContent()).toContain('{"ads":[]}');

    // an SDK client of prod leaves a receipt for every revision it applies
    const sdk = new SwitchClient(await stack.storeClient(), { env: 'prod', application: 'checkout', clientId: 'checkout-1' });
    stack.onStop(() => sdk.close());
    await sdk.start();
    await otto.getByTestId('switch-receipts').getByText('No SDK client of prod has reported a receipt yet.').waitFor();

    await plan.getByRole('button', { name: 'Execute' }).click();
    await otto.getByText('A reason is required to execute plan shed-checkout').waitFor();
    await otto.fill('input[name=plan-reason]', 'INC-9 checkout slow');
    await plan.getByRole('button', { name: 'Execute' }).click();
    await otto.locator('[data-switch="com.acme.Reco"]').getByTestId('switch-mode').filter({ hasText: 'force' }).waitFor();
    await otto.locator('[data-switch="com.acme.Ads#list"]').getByTestId('switch-mode').filter({ hasText: 'fail' }).waitFor();
    await plan.getByTestId('plan-status').filter({ hasText: 'active' }).waitFor();
    const ads = ((await stack.call('GET', '/api/switches/prod')).body.switches as Json[]).find((s) => s.scope.service === 'com.acme.Ads');
    expect(ads).toMatchObject({ mode: 'fail', plan: 'shed-checkout', fallback: { kind: 'value', value: { ads: [] } } });
    expect(Math.abs(ads.expiresAt - expiry)).toBeLessThan(60_000);
    // the client applied the plan: the SDK evaluates it, and its receipt reaches the page
    await waitFor('the SDK to apply the plan', () => (sdk.evaluate('com.acme.Reco', 'recommend')?.mode === 'force' ? true : undefined), { timeoutMs: 5_000 });
    const revision = (await stack.call('GET', '/api/switches/prod')).body.revision as number;
    await otto.getByTestId('receipts-summary').filter({ hasText: `1/1 client(s) applied revision ${revision}` }).waitFor({ timeout: 15_000 });
    expect(await otto.locator('[data-receipt="checkout-1"]').textContent()).toContain('checkout');
    await otto.screenshot({ path: path.join(SHOTS, 'paddock-console-plans.png'), fullPage: true });

    await otto.fill('input[name=plan-reason]', 'INC-9 resolved');
    await plan.getByRole('button', { name: 'Revert' }).click();
    await otto.locator('[data-switch="com.acme.Reco"]').getByTestId('switch-mode').filter({ hasText: 'off' }).waitFor();
    await plan.getByTestId('plan-status').filter({ hasText: 'idle' }).waitFor();

    // edit: the saved switches come back in the editor; add a third
    await plan.getByRole('button', { name: 'Edit' }).click();
    expect(await editor.getByLabel('service 2').inputValue()).toBe('com.acme.Ads');
    expect(await editor.getByLabel('fallback value 1').inputValue()).toBe('array');
    await editor.getByRole('button', { name: 'Add switch' }).click();
    await editor.getByLabel('service 3').fill('com.acme.Reviews');
    await editor.locator('input[name=plan-save-reason]').fill('CHG-10 reviews too');
    await editor.getByRole('button', { name: 'Save plan' }).click();
    await otto.getByText('Plan shed-checkout saved (3 switch(es))').waitFor();

    await otto.fill('input[name=plan-reason]', 'CHG-11 retire the plan');
    await plan.getByRole('button', { name: 'Delete' }).click();
    await plan.waitFor({ state: 'detached' });
    const types = ((await stack.call('GET', '/api/audit?pathPrefix=/paddock/switches/prod/plans&actor=otto')).body.events as Json[]).map((e) => `${e.type}:${e.reason}`).reverse();
    expect(types).toEqual(['switch.plan.save:CHG-9 prepare shedding', 'switch.plan.execute:INC-9 checkout slow', 'switch.plan.revert:INC-9 resolved', 'switch.plan.save:CHG-10 reviews too', 'switch.plan.delete:CHG-11 retire the plan']);
  }, 120_000);
});
