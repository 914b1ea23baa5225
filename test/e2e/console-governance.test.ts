/**
 * End-to-end, in headless Chromium against the built API and console (build first: `npm run build && npm run
 * build:console`): the governance pages added for gray releases, scheduled changes and webhooks.
 *
 * - an operator starts a config gray release in the UI: a real ConfigClient the rule selects applies the gray
 *   content while another keeps the live release; rules edited, promote converges both; a second gray is aborted;
 * - a publish scheduled a few seconds ahead in the UI executes (the API's delayed job) and shows as executed;
 *   another is cancelled; a switch flip is scheduled, executes, and another is cancelled;
 * - an admin creates a webhook in the UI (secret shown once), flips a switch, and a real node:http receiver gets a
 *   signed delivery (the first attempt answered 500, the retry 200) that then shows as delivered with its attempts;
 *   ping, redeliver, rotate, disable, delete;
 * - a viewer sees no webhook nav and no gray / schedule write controls, and is refused (403) when forcing them.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConfigClient } from '@paddock/platform';
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { waitFor } from '../support/processes.js';
import { PASSWORD, SHOTS, pageFetch, startAdminStack, type AdminStack, type Json } from './e2e-harness.js';

let stack: AdminStack;
const NS = '/api/configs/prod/shop/application';

async function configClient(clientId: string, labels?: Record<string, string>): Promise<ConfigClient> {
  const c = new ConfigClient(await stack.storeClient(), { env: 'prod', app: 'shop', namespace: 'application', clientId, ...(labels ? { labels } : {}) });
  stack.onStop(() => c.close());
  await c.start();
  return c;
}

/** Waits until the client's applied content is `content` (and its gray id matches `gray`: undefined = live). */
function applied(c: ConfigClient, content: string, gray: 'gray' | 'live') {
  return waitFor(`${content} (${gray}) applied`, () => (c.current?.content === content && (gray === 'gray') === !!c.current.gray ? c.current : undefined), { timeoutMs: 15_000 });
}

async function openNamespace(page: Page): Promise<void> {
  await page.getByLabel('Env', { exact: true }).fill('prod');
  await page.getByLabel('App', { exact: true }).fill('shop');
  await page.getByLabel('Namespace', { exact: true }).fill('application');
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await page.getByRole('heading', { name: 'prod / shop / application' }).waitFor();
}

/** A datetime-local value `seconds` from now, in the browser's own time zone. */
function inBrowserLocal(page: Page, seconds: number): Promise<string> {
  return page.evaluate((s) => {
    const d = new Date(Date.now() + s * 1000);
    return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
  }, seconds);
}

interface Received {
  headers: http.IncomingHttpHeaders;
  raw: Buffer;
  answered: number;
}

describe('console governance (gray releases, scheduled changes, webhooks) in headless Chromium', () => {
  const received: Received[] = [];
  let receiverUrl: string;
  const failedOnce = new Set<string>();

  beforeAll(async () => {
    stack = await startAdminStack({ PADDOCK_WEBHOOK_ALLOW_HOSTS: '127.0.0.1', PADDOCK_WEBHOOK_BACKOFF_MS: '300' });
    // a real receiver: the first attempt of every switch delivery is answered 500 (to see a retry), the rest 200
    const receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const delivery = String(req.headers['x-paddock-delivery']);
        const fail = String(req.headers['x-paddock-event']).startsWith('switch.') && !failedOnce.has(delivery);
        if (fail) failedOnce.add(delivery);
        const answered = fail ? 500 : 200;
        received.push({ headers: req.headers, raw: Buffer.concat(chunks), answered });
        res.writeHead(answered, { 'content-type': 'text/plain' }).end(fail ? 'try again' : 'thanks');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    stack.onStop(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/paddock-hook`;

    for (const [username, role] of [['otto', 'operator'], ['dora', 'viewer']] as const) {
      expect((await stack.call('POST', '/api/users', { username, password: PASSWORD, role })).status).toBe(201);
    }
    const first = await stack.call('POST', `${NS}/publish`, { content: '{"color":"blue"}', format: 'json', expectedRelease: 0, reason: 'CHG-0 first release' });
    expect(first.status).toBe(201);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it('gray release: started in the UI from the draft, the selected ConfigClient takes it, rules edited, promoted; another aborted', async () => {
    const canary = await configClient('canary-1', { zone: 'eu' });
    const steady = await configClient('steady-1', { zone: 'us' });
    await applied(canary, '{"color":"blue"}', 'live');
    await applied(steady, '{"color":"blue"}', 'live');

    const otto = await stack.open('otto', '/config');
    await openNamespace(otto);
    const gray = otto.getByTestId('gray-panel');
    await gray.getByTestId('gray-status').filter({ hasText: 'no gray release' }).waitFor();
    await gray.locator('[data-listener="canary-1"]').getByTestId('listener-holds').filter({ hasText: 'main' }).waitFor();
    // starting needs a saved draft
    expect(await gray.getByRole('button', { name: 'Start gray release' }).isDisabled()).toBe(true);
    await otto.getByLabel('config content').fill('{"color":"green"}');
    await otto.getByRole('button', { name: 'Save draft' }).click();
    await otto.getByText('Draft saved (not live yet)').waitFor();

    await gray.locator('input[name=gray-client-ids]').fill('canary-1');
    await gray.getByRole('button', { name: 'Start gray release' }).click();
    await gray.getByText('A reason is required to start a gray release').waitFor();
    await gray.locator('input[name=gray-reason]').fill('CHG-1 canary green');
    await gray.getByRole('button', { name: 'Start gray release' }).click();
    await gray.getByTestId('gray-status').filter({ hasText: 'active' }).waitFor();
    expect(await gray.getByTestId('gray-rules').textContent()).toContain('clients canary-1');

    // the rule selects canary-1 only
    const grayApplied = await applied(canary, '{"color":"green"}', 'gray');
    expect(grayApplied.release).toBe(1);
    expect(steady.current?.content).toBe('{"color":"blue"}');
    await gray.locator('[data-listener="canary-1"]').getByTestId('listener-holds').filter({ hasText: 'gray' }).waitFor({ timeout: 15_000 });
    await gray.locator('[data-listener="steady-1"]').getByTestId('listener-holds').filter({ hasText: 'main' }).waitFor();
    await gray.getByText('1 gray · 1 main · 0 stale').waitFor();
    expect(await gray.getByTestId('gray-content').textContent()).toBe('{"color":"green"}');
    // publishing over an active gray is refused with the API's message
    await otto.locator('input[placeholder="CHG-123"]').fill('CHG-1b sneaky');
    await otto.getByRole('button', { name: /^Publish/ }).click();
    await otto.getByRole('alert').filter({ hasText: '409' }).waitFor();

    // edit the rules: by label instead of client id (canary-1 keeps it, zone=eu)
    await gray.getByRole('button', { name: 'Edit rules' }).click();
    expect(await gray.locator('input[name=gray-client-ids]').inputValue()).toBe('canary-1');
    await gray.locator('input[name=gray-client-ids]').fill('');
    await gray.locator('input[name=gray-labels]').fill('zone=eu');
    await gray.locator('input[name=gray-reason]').fill('CHG-2 by zone');
    await gray.getByRole('button', { name: 'Save rules' }).click();
    await gray.getByText('Gray rules updated').waitFor();
    await gray.getByTestId('gray-rules').filter({ hasText: 'labels zone=eu' }).waitFor();
    expect(canary.current?.gray).toBeTruthy();
    await otto.screenshot({ path: path.join(SHOTS, 'paddock-console-gray.png'), fullPage: true });

    // promote without a reason is refused in the page; with one, both clients converge on release 2
    await gray.getByRole('button', { name: 'Promote' }).click();
    await gray.getByText('A reason is required to promote the gray release').waitFor();
    await gray.locator('input[name=gray-reason]').fill('CHG-3 canary healthy');
    await gray.getByRole('button', { name: 'Promote' }).click();
    await gray.getByText('Gray promoted: release 2 is live for every client').waitFor();
    await gray.getByTestId('gray-status').filter({ hasText: 'no gray release' }).waitFor();
    expect((await applied(canary, '{"color":"green"}', 'live')).release).toBe(2);
    expect((await applied(steady, '{"color":"green"}', 'live')).release).toBe(2);
    await gray.getByText('0 gray · 2 main · 0 stale').waitFor({ timeout: 15_000 });
    await otto.getByText('live: release 2').waitFor();

    // a second gray (50%..100% of clients) is aborted: its clients fall back to the live release
    await otto.getByLabel('config content').fill('{"color":"purple"}');
    await otto.getByRole('button', { name: 'Save draft' }).click();
    await otto.getByText('Draft saved (not live yet)').waitFor();
    await gray.locator('input[name=gray-percentage]').fill('100');
    await gray.locator('input[name=gray-reason]').fill('CHG-4 everyone tries purple');
    await gray.getByRole('button', { name: 'Start gray release' }).click();
    await gray.getByTestId('gray-status').filter({ hasText: 'active' }).waitFor();
    await applied(steady, '{"color":"purple"}', 'gray');
    await gray.getByRole('button', { name: 'Abort' }).click();
    await gray.getByText('A reason is required to abort the gray release').waitFor();
    await gray.locator('input[name=gray-reason]').fill('CHG-5 purple is ugly');
    await gray.getByRole('button', { name: 'Abort' }).click();
    await gray.getByTestId('gray-status').filter({ hasText: 'no gray release' }).waitFor();
    await applied(steady, '{"color":"green"}', 'live');
    await applied(canary, '{"color":"green"}', 'live');

    const events = (await stack.call('GET', '/api/audit?pathPrefix=/paddock/config/prod/shop/application&actor=otto')).body.events as Json[];
    expect(events.filter((e) => e.type.startsWith('config.gray.')).map((e) => `${e.type}:${e.reason}`).reverse()).toEqual([
      'config.gray.start:CHG-1 canary green',
      'config.gray.rules:CHG-2 by zone',
      'config.gray.promote:CHG-3 canary healthy',
      'config.gray.start:CHG-4 everyone tries purple',
      'config.gray.abort:CHG-5 purple is ugly',
    ]);
  }, 180_000);

  it('scheduled changes: a config publish scheduled seconds ahead executes, another is cancelled; a switch flip likewise', async () => {
    const otto = await stack.open('otto', '/config');
    await openNamespace(otto);
    const panel = otto.getByTestId('config-schedule');
    await otto.getByLabel('config content').fill('{"color":"red"}');
    await otto.getByRole('button', { name: 'Save draft' }).click();
    await otto.getByText('Draft saved (not live yet)').waitFor();

    await panel.locator('input[name=schedule-reason]').fill('CHG-6 tonight');
    await panel.locator('input[name=schedule-at]').fill(await inBrowserLocal(otto, 4));
    await panel.getByRole('button', { name: 'Schedule' }).click();
    await panel.getByText(/^Scheduled publish s/).waitFor();
    const [soon] = (await stack.call('GET', `${NS}/scheduled?status=pending`)).body.scheduled as Json[];
    expect(soon).toMatchObject({ action: 'publish', createdBy: 'otto', reason: 'CHG-6 tonight', params: { content: '{"color":"red"}' } });
    const row = panel.locator(`[data-scheduled="${soon.id}"]`);
    // local time shown, the UTC value in the tooltip
    expect(await row.getByTestId('scheduled-at').locator('span').getAttribute('title')).toBe(new Date(soon.at).toISOString());
    // executed by the API's delayed job (the 30 s sweep is the fallback): the page polls and shows it
    await row.getByTestId('scheduled-status').filter({ hasText: 'executed' }).waitFor({ timeout: 45_000 });
    await row.getByText('release 3').waitFor();
    await otto.getByText('live: release 3').waitFor();
    const live = await stack.call('GET', NS);
    expect(live.body.live).toMatchObject({ release: 3, content: '{"color":"red"}' });

    // one an hour ahead (of a new draft): cancelled with a reason
    await otto.getByLabel('config content').fill('{"color":"yellow"}');
    await otto.getByRole('button', { name: 'Save draft' }).click();
    await otto.getByText('Draft saved (not live yet)').waitFor();
    await panel.locator('input[name=schedule-reason]').fill('CHG-7 later');
    await panel.locator('input[name=schedule-at]').fill(await inBrowserLocal(otto, 3600));
    await panel.getByRole('button', { name: 'Schedule' }).click();
    await panel.getByText(/^Scheduled publish s/).waitFor();
    const [later] = (await stack.call('GET', `${NS}/scheduled?status=pending`)).body.scheduled as Json[];
    const laterRow = panel.locator(`[data-scheduled="${later.id}"]`);
    await laterRow.getByTestId('scheduled-status').filter({ hasText: 'pending' }).waitFor();
    await laterRow.getByRole('button', { name: 'Cancel' }).click();
    await panel.getByText('A reason is required to cancel a scheduled change').waitFor();
    await panel.locator('input[name=schedule-cancel-reason]').fill('CHG-7 postponed');
    await laterRow.getByRole('button', { name: 'Cancel' }).click();
    await laterRow.getByTestId('scheduled-status').filter({ hasText: 'cancelled' }).waitFor();
    await laterRow.getByText('cancelled by otto').waitFor();
    // the filter narrows the list
    await panel.locator('select[name=schedule-filter]').selectOption('executed');
    await laterRow.waitFor({ state: 'detached' });
    await row.waitFor();
    await otto.screenshot({ path: path.join(SHOTS, 'paddock-console-config-schedule.png'), fullPage: true });

    // switches: a flip scheduled seconds ahead executes and shows live in the table; one an hour ahead is cancelled
    await otto.goto(`${stack.web.url}/switches`);
    const sched = otto.getByTestId('switch-schedule');
    await sched.locator('input[name=sched-service]').fill('com.acme.Search');
    await sched.locator('select[name=sched-fallback]').selectOption('empty');
    await sched.locator('input[name=sched-fallback-value]').fill('array');
    await sched.locator('input[name=sched-reason]').fill('CHG-8 search maintenance');
    await sched.locator('input[name=sched-at]').fill(await inBrowserLocal(otto, 4));
    await sched.getByRole('button', { name: 'Schedule' }).click();
    await sched.getByText(/^Scheduled com\.acme\.Search → force/).waitFor();
    const [flip] = (await stack.call('GET', '/api/switches/prod/scheduled?status=pending')).body.scheduled as Json[];
    const flipRow = sched.locator(`[data-scheduled="${flip.id}"]`);
    await flipRow.getByTestId('scheduled-status').filter({ hasText: 'executed' }).waitFor({ timeout: 45_000 });
    await otto.locator('[data-switch="com.acme.Search"]').getByTestId('switch-mode').filter({ hasText: 'force' }).waitFor();
    const search = ((await stack.call('GET', '/api/switches/prod')).body.switches as Json[]).find((s) => s.scope.service === 'com.acme.Search');
    expect(search).toMatchObject({ mode: 'force', fallback: { kind: 'empty', of: 'array' }, updatedBy: 'system:scheduler' });

    await sched.locator('input[name=sched-service]').fill('com.acme.Search');
    await sched.locator('select[name=sched-mode]').selectOption('off');
    await sched.locator('input[name=sched-reason]').fill('CHG-9 end maintenance');
    await sched.locator('input[name=sched-at]').fill(await inBrowserLocal(otto, 3600));
    await sched.getByRole('button', { name: 'Schedule' }).click();
    await sched.getByText(/^Scheduled com\.acme\.Search → off/).waitFor();
    const [off] = (await stack.call('GET', '/api/switches/prod/scheduled?status=pending')).body.scheduled as Json[];
    const offRow = sched.locator(`[data-scheduled="${off.id}"]`);
    await sched.locator('input[name=schedule-cancel-reason]').fill('CHG-9 keep it on');
    await offRow.getByRole('button', { name: 'Cancel' }).click();
    await offRow.getByTestId('scheduled-status').filter({ hasText: 'cancelled' }).waitFor();
    await otto.screenshot({ path: path.join(SHOTS, 'paddock-console-switch-schedule.png'), fullPage: true });

    const types = ((await stack.call('GET', '/api/audit?actor=otto&limit=1000')).body.events as Json[]).map((e) => `${e.type}:${e.reason}`);
    expect(types).toEqual(expect.arrayContaining(['config.schedule.create:CHG-6 tonight', 'config.schedule.cancel:CHG-7 postponed', 'switch.schedule.create:CHG-8 search maintenance', 'switch.schedule.cancel:CHG-9 keep it on']));
  }, 180_000);

  it('webhooks: an admin creates one in the UI (secret shown once); a switch flip reaches a real receiver signed and shows as delivered', async () => {
    const root = await stack.open('root', '/znodes');
    await root.getByRole('link', { name: 'Webhooks' }).click();
    await root.waitForURL('**/webhooks');
    const create = root.getByTestId('webhook-create');
    // a private target outside the allow-list is refused with the API's reason
    await create.locator('input[name=new-webhook-name]').fill('internal');
    await create.locator('input[name=new-webhook-url]').fill('http://10.1.2.3/hook');
    await create.getByRole('button', { name: 'Create webhook' }).click();
    await root.getByRole('alert').filter({ hasText: '400' }).waitFor();

    await create.locator('input[name=new-webhook-name]').fill('switch-watch');
    await create.locator('input[name=new-webhook-url]').fill(receiverUrl);
    await create.locator('input[name=new-webhook-events]').fill('switch.*');
    await create.locator('input[name=new-webhook-prefixes]').fill('/paddock/switches/prod');
    await create.getByRole('button', { name: 'Create webhook' }).click();
    await root.getByText('Webhook switch-watch created').waitFor();
    const secret = (await root.getByTestId('webhook-secret-value').textContent())!.trim();
    expect(secret.length).toBeGreaterThanOrEqual(16);
    await root.getByRole('button', { name: 'I have stored it' }).click();
    await root.getByTestId('webhook-secret').waitFor({ state: 'detached' });
    // never readable again
    const listed = (await stack.call('GET', '/api/webhooks')).body.webhooks as Json[];
    expect(JSON.stringify(listed)).not.toContain(secret);
    const hook = listed.find((w) => w.name === 'switch-watch');
    expect(hook).toMatchObject({ events: ['switch.*'], pathPrefixes: ['/paddock/switches/prod'], enabled: true, createdBy: 'root' });

    // the admin flips a switch in the UI
    const flipPage = await stack.open('root', '/switches');
    await flipPage.fill('input[name=service]', 'com.acme.Pay');
    await flipPage.fill('input[name=reason]', 'INC-77 provider down');
    await flipPage.getByRole('button', { name: 'Apply' }).click();
    await flipPage.locator('[data-switch="com.acme.Pay"]').getByTestId('switch-mode').filter({ hasText: 'force' }).waitFor();

    // the receiver: attempt 1 answered 500, the retry gets through; both signed with the secret
    const delivered = await waitFor('a 200-answered switch delivery', () => received.find((r) => r.headers['x-paddock-event'] === 'switch.set' && r.answered === 200), { timeoutMs: 30_000 });
    const attempts = received.filter((r) => r.headers['x-paddock-delivery'] === delivered.headers['x-paddock-delivery']);
    expect(attempts.map((r) => r.answered)).toEqual([500, 200]);
    for (const r of attempts) {
      const expected = `sha256=${createHmac('sha256', secret).update(r.raw).digest('hex')}`;
      const signature = String(r.headers['x-paddock-signature']);
      expect(signature.length === expected.length && timingSafeEqual(Buffer.from(signature), Buffer.from(expected))).toBe(true);
    }
    const payload = JSON.parse(delivered.raw.toString('utf8')) as Json;
    expect(payload).toMatchObject({ id: delivered.headers['x-paddock-delivery'], type: 'switch.set', event: { actor: 'root', reason: 'INC-77 provider down' } });

    // the page: delivered, 2 attempts with their status codes
    const deliveryId = String(delivered.headers['x-paddock-delivery']);
    const row = root.locator(`[data-delivery="${deliveryId}"]`);
    await row.getByTestId('delivery-status').filter({ hasText: 'delivered' }).waitFor({ timeout: 15_000 });
    expect(await row.getByTestId('delivery-attempts').textContent()).toMatch(/^2\//);
    await row.getByRole('button', { name: 'switch.set' }).click();
    const attemptList = root.getByTestId('delivery-attempt-list');
    expect(await attemptList.locator('[data-attempt="1"]').textContent()).toContain('500');
    expect(await attemptList.locator('[data-attempt="2"]').textContent()).toContain('200');
    await root.screenshot({ path: path.join(SHOTS, 'paddock-console-webhooks.png'), fullPage: true });

    // redeliver: the same delivery id again
    const before = received.length;
    await row.getByRole('button', { name: 'Redeliver' }).click();
    await waitFor('the redelivery', () => received.slice(before).find((r) => r.headers['x-paddock-delivery'] === deliveryId), { timeoutMs: 20_000 });
    await row.getByText('redelivered ×1').waitFor({ timeout: 15_000 });

    // rotate: a new secret shown once signs the ping
    const detail = root.getByTestId('webhook-detail');
    await detail.getByRole('button', { name: 'Rotate secret' }).click();
    await detail.getByText('Secret rotated').waitFor();
    const rotated = (await root.getByTestId('webhook-secret-value').textContent())!.trim();
    expect(rotated).not.toBe(secret);
    await detail.getByRole('button', { name: 'Ping' }).click();
    await detail.getByText(/^Ping queued/).waitFor();
    const ping = await waitFor('the ping', () => received.find((r) => r.headers['x-paddock-event'] === 'webhook.ping'), { timeoutMs: 20_000 });
    expect(String(ping.headers['x-paddock-signature'])).toBe(`sha256=${createHmac('sha256', rotated).update(ping.raw).digest('hex')}`);
    await root.locator('[data-event="webhook.ping"]').getByTestId('delivery-status').filter({ hasText: 'delivered' }).waitFor({ timeout: 15_000 });

    // edit the filters, disable, enable
    await detail.locator('input[name=edit-webhook-events]').fill('switch.*, config.publish');
    await detail.getByRole('button', { name: 'Save', exact: true }).click();
    await detail.getByText('Webhook saved').waitFor();
    await detail.getByRole('button', { name: 'Disable' }).click();
    await root.locator('[data-webhook="switch-watch"]').getByTestId('webhook-enabled').filter({ hasText: 'disabled' }).waitFor();
    await detail.getByRole('button', { name: 'Enable' }).click();
    await root.locator('[data-webhook="switch-watch"]').getByTestId('webhook-enabled').filter({ hasText: 'enabled' }).waitFor();
    expect((await stack.call('GET', `/api/webhooks/${hook.id}`)).body).toMatchObject({ events: ['switch.*', 'config.publish'], enabled: true });

    await detail.getByRole('button', { name: 'Delete' }).click();
    await detail.getByRole('button', { name: 'Confirm delete' }).click();
    await root.getByText('Webhook switch-watch deleted').waitFor();
    await root.locator('[data-webhook="switch-watch"]').waitFor({ state: 'detached' });
    expect((await stack.call('GET', `/api/webhooks/${hook.id}`)).status).toBe(404);

    const types = ((await stack.call('GET', '/api/audit?actor=root&limit=1000')).body.events as Json[]).map((e) => e.type as string);
    expect(types).toEqual(expect.arrayContaining(['webhook.create', 'webhook.secret.rotate', 'webhook.update', 'webhook.delete']));
  }, 180_000);

  it('a viewer sees no webhook nav and no gray / schedule write controls, and is refused when forcing them', async () => {
    const dora = await stack.open('dora', '/config');
    expect(await dora.getByRole('link', { name: 'Webhooks' }).count()).toBe(0);
    await openNamespace(dora);
    const gray = dora.getByTestId('gray-panel');
    await gray.getByTestId('gray-read-only').waitFor();
    await gray.locator('[data-listener="canary-1"]').waitFor();
    expect(await gray.getByRole('button').count()).toBe(0);
    const schedule = dora.getByTestId('config-schedule');
    await schedule.getByTestId('schedule-read-only').waitFor();
    await schedule.locator('[data-testid=scheduled-status]').first().waitFor();
    expect(await schedule.getByRole('button').count()).toBe(0);
    expect(await schedule.locator('input[name=schedule-at]').count()).toBe(0);

    await dora.goto(`${stack.web.url}/switches`);
    const sched = dora.getByTestId('switch-schedule');
    await sched.getByTestId('schedule-read-only').waitFor();
    await sched.locator('[data-testid=scheduled-status]').first().waitFor();
    expect(await sched.getByRole('button').count()).toBe(0);

    await dora.goto(`${stack.web.url}/webhooks`);
    await dora.getByTestId('not-admin').waitFor();
    expect(await dora.getByTestId('webhook-create').count()).toBe(0);

    const csrf = { 'x-paddock-csrf': '1' };
    expect((await pageFetch(dora, 'POST', `${NS}/gray`, { rules: { percentage: 100 }, reason: 'sneaky' }, csrf)).status).toBe(403);
    expect((await pageFetch(dora, 'POST', `${NS}/scheduled`, { action: 'publish', at: Date.now() + 3600_000, reason: 'sneaky' }, csrf)).status).toBe(403);
    expect((await pageFetch(dora, 'POST', '/api/webhooks', { name: 'x', url: receiverUrl }, csrf)).status).toBe(403);
    expect((await pageFetch(dora, 'GET', '/api/webhooks')).status).toBe(403);
  }, 120_000);
});
