/**
 * Config gray releases and scheduled changes through the built API (a real process with its private redis-server
 * and SQLite), once per store: the embedded member, and a real Apache ZooKeeper 3.8 (PADDOCK_CONNECT; skipped
 * without the Debian package unless API_REQUIRE_ZOOKEEPER is set). SDK clients in this process follow the
 * namespace over the store, unauthenticated, like applications do. Build first (`npm run build`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ZooKeeperClient } from '@paddock/client';
import { ConfigClient } from '@paddock/platform';
import { io, type Socket } from 'socket.io-client';
import { waitFor } from '../support/processes.js';
import { E2eApi, PASSWORD, STORE_TARGETS, type ApiCall, type Json } from './fixtures/e2e-support.js';

describe.each(STORE_TARGETS)('config gray releases and scheduled changes (%s store)', (target) => {
  let api: E2eApi;
  let admin: string;
  let viewer: string;
  let operator: string;
  // one data dir for both API lifetimes (store, SQLite, digest credential), so a restart keeps the state
  let dataDir: string;
  const sockets: Socket[] = [];
  const closers: Array<() => Promise<unknown>> = [];

  /** Every call here names its caller: no token means anonymous (the fixture's own default is the admin). */
  const call = (method: string, route: string, token?: string, body?: unknown): Promise<ApiCall> => api.call(method, route, body, token ?? null);

  async function audit(type: string): Promise<Json[]> {
    return (await call('GET', `/api/audit?type=${type}`, admin)).body.events as Json[];
  }

  async function sdkClient(clientId: string, extra: { labels?: Record<string, string> } = {}): Promise<ConfigClient> {
    const zkClient = await ZooKeeperClient.connect(api.ready.store, { sessionTimeout: 10_000 });
    const client = new ConfigClient(zkClient, { env: 'prod', app: 'shop', namespace: 'pricing', clientId, ...extra });
    closers.push(() => zkClient.close(), () => client.close());
    await client.start();
    return client;
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'paddock-api-schedule-'));
    api = await E2eApi.start(target, { PADDOCK_DATA_DIR: dataDir });
    admin = api.admin;
    for (const [username, role] of [['vera', 'viewer'], ['otto', 'operator']] as const) {
      expect((await call('POST', '/api/users', admin, { username, password: PASSWORD, role })).status).toBe(201);
    }
    viewer = (await call('POST', '/api/auth/login', undefined, { username: 'vera', password: PASSWORD })).body.session as string;
    operator = (await call('POST', '/api/auth/login', undefined, { username: 'otto', password: PASSWORD })).body.session as string;
  }, 90_000);

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    for (const c of closers.reverse()) await c().catch(() => undefined);
    await api?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('gray start / view / promote / abort over REST: selected SDK clients follow, audited with before/after, pushed on the config topic', async () => {
    const ns = '/api/configs/prod/shop/pricing';
    expect((await call('POST', `${ns}/publish`, operator, { content: 'discount=0', format: 'properties', reason: 'CHG-1' })).status).toBe(201);
    const canary = await sdkClient('shop-1', { labels: { ring: 'canary' } });
    const regular = await sdkClient('shop-2');
    expect(canary.current).toMatchObject({ release: 1, content: 'discount=0' });

    const socket = io(api.ready.url, { path: '/socket.io', transports: ['websocket'], auth: { token: viewer }, reconnection: false, timeout: 5_000, forceNew: true });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const ack = await socket.timeout(5_000).emitWithAck('subscribe', { topic: 'config', env: 'prod', app: 'shop', namespace: 'pricing' });
    expect(ack).toMatchObject({ ok: true, snapshot: { live: { release: 1 }, gray: null } });
    const events: Json[] = [];
    socket.on('event', (e) => events.push(e));

    const start = { content: 'discount=10', rules: { labels: { ring: 'canary' } }, comment: 'try 10%' };
    expect((await call('POST', `${ns}/gray`, viewer, { ...start, reason: 'CHG-2' })).status).toBe(403);
    const noReason = await call('POST', `${ns}/gray`, operator, start);
    expect(noReason).toMatchObject({ status: 400, body: { message: expect.stringContaining('reason is required') } });
    expect((await call('POST', `${ns}/gray`, operator, { ...start, rules: { percentage: 150 }, reason: 'CHG-2' })).status).toBe(400);
    expect((await call('POST', `${ns}/gray`, operator, { ...start, rules: {}, reason: 'CHG-2' })).status).toBe(400);
    const started = await call('POST', `${ns}/gray`, operator, { ...start, reason: 'CHG-2' });
    expect(started).toMatchObject({ status: 201, body: { baseRelease: 1, content: 'discount=10', startedBy: 'otto', rules: { labels: { ring: 'canary' } } } });
    const grayId = started.body.id as string;
    expect((await call('POST', `${ns}/gray`, operator, { ...start, reason: 'CHG-3' })).status).toBe(409);

    await waitFor('the canary on gray', () => (canary.current?.gray === grayId ? true : undefined), { timeoutMs: 5_000 });
    expect(regular.current).toMatchObject({ release: 1, content: 'discount=0' });
    const view = await waitFor(
      'receipts of gray and main',
      async () => {
        const v = (await call('GET', `${ns}/gray`, viewer)).body;
        return v.listeners?.length === 2 && v.listeners[0].holds === 'gray' ? v : undefined;
      },
      { timeoutMs: 5_000 },
    );
    expect(view).toMatchObject({ live: 1, gray: { id: grayId }, listeners: [{ clientId: 'shop-1', holds: 'gray', gray: grayId }, { clientId: 'shop-2', holds: 'main', release: 1 }] });
    await waitFor('the gray pushed to the console', () => (events.some((e) => e.data?.gray?.id === grayId) ? true : undefined), { timeoutMs: 5_000 });

    // main publishes wait for the gray unless forced
    const blocked = await call('POST', `${ns}/publish`, operator, { content: 'discount=1', reason: 'CHG-4' });
    expect(blocked).toMatchObject({ status: 409, body: { message: expect.stringContaining('is active') } });
    expect((await call('PUT', `${ns}/gray/rules`, operator, { rules: { clientIds: ['shop-1', 'shop-2'] }, grayId, reason: 'CHG-5' })).status).toBe(200);
    await waitFor('both on gray', () => (regular.current?.gray === grayId ? true : undefined), { timeoutMs: 5_000 });

    const promoted = await call('POST', `${ns}/gray/promote`, operator, { grayId, reason: 'CHG-6' });
    expect(promoted).toMatchObject({ status: 201, body: { release: 2, content: 'discount=10', promotedGray: grayId } });
    for (const c of [canary, regular]) await waitFor('release 2', () => (c.current?.release === 2 && c.current.gray === undefined ? true : undefined), { timeoutMs: 5_000 });
    expect((await call('GET', `${ns}/history`, viewer)).body.releases.map((r: Json) => r.release)).toEqual([1, 2]);
    expect((await call('POST', `${ns}/gray/promote`, operator, { reason: 'again' })).status).toBe(404);

    // abort: the canary goes back to the live release
    const second = await call('POST', `${ns}/gray`, operator, { content: 'discount=50', rules: { clientIds: ['shop-1'] }, reason: 'CHG-7' });
    expect(second.status).toBe(201);
    await waitFor('the canary on the second gray', () => (canary.current?.gray === second.body.id ? true : undefined), { timeoutMs: 5_000 });
    const aborted = await call('POST', `${ns}/gray/abort`, operator, { reason: 'too generous' });
    expect(aborted).toMatchObject({ status: 201, body: { aborted: { id: second.body.id } } });
    await waitFor('the canary back on main', () => (canary.current?.release === 2 && canary.current.gray === undefined ? true : undefined), { timeoutMs: 5_000 });
    expect(canary.current!.content).toBe('discount=10');
    await waitFor('the abort pushed to the console', () => (events.some((e) => e.data?.gray === null && e.data?.live?.release === 2) ? true : undefined), { timeoutMs: 5_000 });

    const path = '/paddock/config/prod/shop/pricing';
    expect(await audit('config.gray.start')).toEqual([
      expect.objectContaining({ actor: 'otto', reason: 'CHG-7', before: null, after: expect.objectContaining({ content: 'discount=50' }) }),
      expect.objectContaining({ actor: 'otto', reason: 'CHG-2', path: `${path}/gray`, before: null, after: expect.objectContaining({ id: grayId, content: 'discount=10' }) }),
    ]);
    expect((await audit('config.gray.rules'))[0]).toMatchObject({ reason: 'CHG-5', before: { labels: { ring: 'canary' } }, after: { clientIds: ['shop-1', 'shop-2'] } });
    expect((await audit('config.gray.promote'))[0]).toMatchObject({ actor: 'otto', reason: 'CHG-6', path, before: { live: { release: 1 }, gray: { id: grayId } }, after: { release: 2, promotedGray: grayId } });
    expect((await audit('config.gray.abort'))[0]).toMatchObject({ reason: 'too generous', before: { id: second.body.id }, after: null });
    expect((await call('GET', '/api/audit/verify', admin)).body.ok).toBe(true);
  }, 60_000);

  it('a publish scheduled 2 s ahead happens once and is audited; a cancelled one never; bad times and viewers are refused', async () => {
    const ns = '/api/configs/prod/shop/flags';
    expect((await call('POST', `${ns}/publish`, operator, { content: 'beta=false', reason: 'CHG-10' })).status).toBe(201);
    const soon = (ms: number) => new Date(Date.now() + ms).toISOString();

    expect((await call('POST', `${ns}/scheduled`, viewer, { action: 'publish', at: soon(2_000), content: 'x', reason: 'R' })).status).toBe(403);
    expect((await call('POST', `${ns}/scheduled`, operator, { action: 'publish', at: 'tomorrow', content: 'x', reason: 'R' })).status).toBe(400);
    expect((await call('POST', `${ns}/scheduled`, operator, { action: 'publish', at: '2026-02-30Tnope', content: 'x', reason: 'R' })).status).toBe(400);
    const past = await call('POST', `${ns}/scheduled`, operator, { action: 'publish', at: new Date(Date.now() - 60_000).toISOString(), content: 'x', reason: 'R' });
    expect(past).toMatchObject({ status: 400, body: { message: expect.stringContaining('not in the future') } });
    expect((await call('POST', `${ns}/scheduled`, operator, { action: 'publish', at: Date.now() + 2_000, content: 'x' })).status).toBe(400); // no reason
    expect((await call('POST', `${ns}/scheduled`, operator, { action: 'launch', at: soon(2_000), content: 'x', reason: 'R' })).status).toBe(400);

    // the cancelled one is due first, so by the time the other has run, its time has passed too
    const doomed = await call('POST', `${ns}/scheduled`, operator, { action: 'publish', at: soon(1_500), content: 'beta=never', reason: 'CHG-11' });
    expect(doomed).toMatchObject({ status: 201, body: { status: 'pending' } });
    const cancelled = await call('POST', `${ns}/scheduled/${doomed.body.id as string}/cancel`, operator, { reason: 'wrong day' });
    expect(cancelled).toMatchObject({ status: 201, body: { status: 'cancelled', cancelledBy: 'otto' } });
    expect((await call('POST', `${ns}/scheduled/${doomed.body.id as string}/cancel`, operator, { reason: 'again' })).status).toBe(409);

    expect((await call('PUT', `${ns}/draft`, operator, { content: 'beta=true', reason: 'CHG-12' })).status).toBe(200);
    const scheduledAt = Date.now();
    const entry = await call('POST', `${ns}/scheduled`, operator, { action: 'publish', at: scheduledAt + 2_000, reason: 'CHG-12' });
    expect(entry).toMatchObject({ status: 201, body: { status: 'pending', action: 'publish', createdBy: 'otto', params: { content: 'beta=true', expectedRelease: 1 } } });
    const id = entry.body.id as string;
    const listed = await call('GET', `${ns}/scheduled?status=pending`, viewer);
    expect(listed.body.scheduled.map((e: Json) => e.id)).toEqual([id]);
    expect((await call('GET', '/api/configs/scheduled', viewer)).body.scheduled.map((e: Json) => e.id)).toEqual(expect.arrayContaining([id, doomed.body.id]));

    const live = await waitFor(
      'the scheduled publish',
      async () => {
        const l = (await call('GET', ns, viewer)).body.live;
        return l?.release === 2 ? l : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    expect(Date.now() - scheduledAt).toBeGreaterThanOrEqual(1_900);
    expect(live).toMatchObject({ content: 'beta=true', publishedBy: 'system:scheduler' });
    const executed = (await call('GET', `${ns}/scheduled`, viewer)).body.scheduled as Json[];
    expect(executed.map((e) => [e.id, e.status])).toEqual([
      [doomed.body.id, 'cancelled'],
      [id, 'executed'],
    ]);
    expect((await call('GET', `${ns}/history`, viewer)).body.releases.map((r: Json) => r.content)).toEqual(['beta=false', 'beta=true']);

    const flagsPath = '/paddock/config/prod/shop/flags';
    expect((await audit('config.schedule.create')).filter((e: Json) => e.path.startsWith(flagsPath))).toEqual([
      expect.objectContaining({ actor: 'otto', reason: 'CHG-12', before: null, after: expect.objectContaining({ id, status: 'pending' }) }),
      expect.objectContaining({ actor: 'otto', reason: 'CHG-11', after: expect.objectContaining({ id: doomed.body.id }) }),
    ]);
    expect((await audit('config.schedule.cancel'))[0]).toMatchObject({ actor: 'otto', reason: 'wrong day', before: { status: 'pending' }, after: { status: 'cancelled' } });
    const executions = await audit('config.schedule.execute');
    expect(executions).toEqual([expect.objectContaining({ actor: 'system:scheduler', source: 'scheduler', details: expect.objectContaining({ onBehalfOf: 'otto', release: 2 }), before: expect.objectContaining({ status: 'pending' }), after: expect.objectContaining({ status: 'executed' }) })]);
    const publishes = (await call('GET', `/api/audit?type=config.publish&path=${flagsPath}`, admin)).body.events as Json[];
    expect(publishes[0]).toMatchObject({ actor: 'system:scheduler', reason: expect.stringContaining('scheduled by otto'), after: { release: 2 } });
    expect(publishes).toHaveLength(2);
    expect((await call('GET', '/api/audit/verify', admin)).body.ok).toBe(true);
  }, 60_000);

  it('a switch flip scheduled 2 s ahead happens and is audited; a cancelled one never; bad input is refused', async () => {
    const base = '/api/switches/prod/scheduled';
    const spec = { scope: { service: 'com.acme.Reco', method: 'suggest' }, mode: 'force', fallback: { kind: 'empty', of: 'array' } };
    expect((await call('POST', base, viewer, { ...spec, at: Date.now() + 2_000, reason: 'R' })).status).toBe(403);
    expect((await call('POST', base, operator, { ...spec, at: 'soon', reason: 'R' })).status).toBe(400);
    expect((await call('POST', base, operator, { ...spec, at: Date.now() - 1_000, reason: 'R' })).status).toBe(400);
    expect((await call('POST', base, operator, { ...spec, at: Date.now() + 2_000 })).status).toBe(400); // no reason
    expect((await call('POST', base, operator, { ...spec, mode: 'sideways', at: Date.now() + 2_000, reason: 'R' })).status).toBe(400);

    const doomed = await call('POST', base, operator, { ...spec, mode: 'fail', at: Date.now() + 1_500, reason: 'SW-1' });
    expect(doomed).toMatchObject({ status: 201, body: { status: 'pending', switchId: expect.any(String) } });
    expect((await call('POST', `${base}/${doomed.body.id as string}/cancel`, operator, { reason: 'not tonight' })).body).toMatchObject({ status: 'cancelled', cancelledBy: 'otto' });
    const scheduledAt = Date.now();
    const entry = await call('POST', base, operator, { ...spec, at: new Date(scheduledAt + 2_000).toISOString(), reason: 'SW-2' });
    expect(entry).toMatchObject({ status: 201, body: { status: 'pending', spec: { mode: 'force' } } });
    const switchId = entry.body.switchId as string;
    expect((await call('GET', `/api/switches/prod/items/${encodeURIComponent(switchId)}`, viewer)).status).toBe(404);

    const flipped = await waitFor(
      'the scheduled flip',
      async () => {
        const r = await call('GET', `/api/switches/prod/items/${encodeURIComponent(switchId)}`, viewer);
        return r.status === 200 ? r.body : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    expect(Date.now() - scheduledAt).toBeGreaterThanOrEqual(1_900);
    expect(flipped).toMatchObject({ mode: 'force', version: 1, updatedBy: 'system:scheduler' });
    const listed = (await call('GET', base, viewer)).body.scheduled as Json[];
    await waitFor('the entry marked executed', async () => ((await call('GET', `${base}?status=executed`, viewer)).body.scheduled.length === 1 ? true : undefined), { timeoutMs: 5_000 });
    expect(listed.map((e) => e.id)).toEqual([doomed.body.id, entry.body.id]);
    expect((await call('GET', `${base}?status=cancelled`, viewer)).body.scheduled.map((e: Json) => e.id)).toEqual([doomed.body.id]);
    expect((await audit('switch.set')).filter((e: Json) => e.path.endsWith(switchId))).toEqual([expect.objectContaining({ actor: 'system:scheduler', source: 'scheduler', after: expect.objectContaining({ mode: 'force' }) })]);
    expect((await audit('switch.schedule.create')).map((e: Json) => e.reason)).toEqual(['SW-2', 'SW-1']);
    expect((await audit('switch.schedule.cancel'))[0]).toMatchObject({ actor: 'otto', reason: 'not tonight', after: { status: 'cancelled' } });
    expect(await audit('switch.schedule.execute')).toEqual([expect.objectContaining({ actor: 'system:scheduler', details: expect.objectContaining({ onBehalfOf: 'otto', version: 1 }), after: expect.objectContaining({ status: 'executed' }) })]);
  }, 60_000);

  it('a pending scheduled publish survives an API restart: missed while the API was down, it runs at start-up', async () => {
    const ns = '/api/configs/prod/shop/banner';
    expect((await call('POST', `${ns}/publish`, operator, { content: 'banner=none', reason: 'CHG-20' })).status).toBe(201);
    const at = Date.now() + 1_500;
    const entry = await call('POST', `${ns}/scheduled`, operator, { action: 'publish', at, content: 'banner=sale', reason: 'CHG-21' });
    expect(entry).toMatchObject({ status: 201, body: { status: 'pending' } });
    for (const s of sockets.splice(0)) s.disconnect();
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
    // the API stops (with its private redis-server and the delayed job in it; the entry in the store stays) and is
    // started again over the same data dir once the scheduled time has passed
    await api.restart(async () => {
      await waitFor('the scheduled time to pass while the API is down', () => (Date.now() > at ? true : undefined), { timeoutMs: 10_000 });
    });
    const live = await waitFor(
      'the missed publish after the restart',
      async () => {
        const l = (await call('GET', ns, viewer)).body.live;
        return l?.release === 2 ? l : undefined;
      },
      { timeoutMs: 40_000, intervalMs: 200 },
    );
    expect(live).toMatchObject({ content: 'banner=sale', publishedBy: 'system:scheduler' });
    expect((await call('GET', `${ns}/scheduled`, viewer)).body.scheduled).toEqual([expect.objectContaining({ id: entry.body.id, status: 'executed', result: { release: 2 } })]);
    const executions = (await audit('config.schedule.execute')).filter((e: Json) => e.path.startsWith('/paddock/config/prod/shop/banner/'));
    expect(executions).toEqual([expect.objectContaining({ actor: 'system:scheduler', details: expect.objectContaining({ onBehalfOf: 'otto' }) })]);
    expect((await call('GET', '/api/audit/verify', admin)).body.ok).toBe(true);
  }, 120_000);
});
