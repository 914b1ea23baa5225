/**
 * Config gray (canary) releases and scheduled changes against a started Paddock and a started Apache ZooKeeper
 * 3.8: rules (ids / IPs / labels / stable percentage) select the clients that take the gray version, the
 * listener query tells gray from main holders, promote and abort reach the clients by watch, a main publish
 * during a gray is refused unless forced; a scheduled change (config or switch) executes once however often it is
 * fired, and a switch change whose executor died is finished, not repeated.
 */
import { describe, expect, it, jest } from '@jest/globals';
import {
  ConfigClient,
  ConfigConflictError,
  ConfigScheduler,
  ConfigService,
  MemoryAuditSink,
  MissingReasonError,
  ScheduleTimeError,
  SwitchService,
  matchesGrayRules,
  type AppliedConfig,
  type ConfigRef,
  type GrayIdentity,
} from '@paddock/platform';
// the API's switch scheduler is framework-free over the client API: exercised here against both stores
import { SwitchScheduler, type ScheduledSwitchChange } from '../../apps/api/src/switches/switch-schedule.js';
import { TARGETS } from '../sdk/targets.js';
import { unique, until, usePlatformTarget } from './platform-support.js';

jest.setTimeout(60_000);

const alice = { actor: 'alice', reason: 'CHG-7', source: 'test' };

describe.each(TARGETS)('config gray releases and schedules against %s', (_kind, start) => {
  const target = usePlatformTarget(start);
  const { closers, framework } = target;

  /** A ConfigClient on its own session (like a separate application instance), recording what it applied. */
  async function client(root: string, ref: ConfigRef, who: GrayIdentity): Promise<{ client: ConfigClient; applied: AppliedConfig[] }> {
    const c = new ConfigClient(await framework(), { ...ref, root, ...who });
    closers.push(() => c.close());
    const applied: AppliedConfig[] = [];
    c.on('change', (r) => applied.push(r));
    await c.start();
    return { client: c, applied };
  }

  it('rules select the right clients; listeners tell gray from main; promote reaches everyone by watch without a flip back', async () => {
    const root = `/${unique('gray')}`;
    const ref = { env: 'prod', app: 'checkout', namespace: 'application' };
    const audit = new MemoryAuditSink();
    const config = new ConfigService(await framework(), { root, audit });
    await config.publish(ref, alice, { content: 'timeout=100\n', format: 'properties' });

    const byId = await client(root, ref, { clientId: 'checkout-a' });
    const byLabel = await client(root, ref, { clientId: 'checkout-b', labels: { zone: 'canary', rack: 'r1' } });
    const byIp = await client(root, ref, { clientId: 'checkout-c', ip: '10.1.1.3' });
    const others = [await client(root, ref, { clientId: 'checkout-d', ip: '10.1.1.4', labels: { zone: 'main' } }), await client(root, ref, { clientId: 'checkout-e' })];
    const everyone = [byId, byLabel, byIp, ...others];
    for (const c of everyone) expect(c.client.current).toMatchObject({ release: 1, content: 'timeout=100\n' });

    await expect(config.startGray(ref, { actor: 'alice' }, { content: 'x', rules: { percentage: 10 } })).rejects.toThrow(MissingReasonError);
    await expect(config.startGray(ref, alice, { content: 'x', rules: {} })).rejects.toThrow(/select clients/);
    const t0 = Date.now();
    const gray = await config.startGray(ref, alice, { content: 'timeout=250\n', rules: { clientIds: ['checkout-a'], labels: { zone: 'canary' }, ips: ['10.1.1.3'] }, comment: 'try 250' });
    expect(gray).toMatchObject({ baseRelease: 1, startedBy: 'alice', content: 'timeout=250\n' });
    for (const c of [byId, byLabel, byIp]) await until(`${c.client.current?.content} -> gray`, () => c.client.current?.gray === gray.id, 2_000);
    expect(Date.now() - t0).toBeLessThan(2_000);
    for (const c of [byId, byLabel, byIp]) expect(c.client.current).toMatchObject({ release: 1, content: 'timeout=250\n', gray: gray.id });
    for (const c of others) expect(c.client.current).toMatchObject({ release: 1, content: 'timeout=100\n' });
    for (const c of others) expect(c.client.current!.gray).toBeUndefined();

    await until('every receipt', async () => {
      const view = await config.grayView(ref);
      return view.listeners.filter((l) => l.holds === 'gray').length === 3 && view.listeners.filter((l) => l.holds === 'main').length === 2;
    }, 5_000);
    const view = await config.grayView(ref);
    expect(view.gray).toMatchObject({ id: gray.id, rules: { clientIds: ['checkout-a'] } });
    expect(view.listeners.map((l) => [l.clientId, l.holds])).toEqual([
      ['checkout-a', 'gray'],
      ['checkout-b', 'gray'],
      ['checkout-c', 'gray'],
      ['checkout-d', 'main'],
      ['checkout-e', 'main'],
    ]);

    // one gray at a time; a main publish during the gray is a conflict unless forced
    await expect(config.startGray(ref, alice, { content: 'other', rules: { percentage: 50 } })).rejects.toThrow(ConfigConflictError);
    await expect(config.publish(ref, alice, { content: 'timeout=100\nretries=1\n' })).rejects.toThrow(/gray release .* is active/);
    expect((await config.get(ref))!.release).toBe(1);

    // promote: the gray content becomes release 2 for everyone; gray clients never go back to release 1
    const promoted = await config.promoteGray(ref, alice, { grayId: gray.id });
    expect(promoted).toMatchObject({ release: 2, content: 'timeout=250\n', promotedGray: gray.id, comment: 'try 250' });
    for (const c of everyone) await until('release 2 everywhere', () => c.client.current?.release === 2 && c.client.current.gray === undefined, 2_000);
    for (const c of [byId, byLabel, byIp]) expect(c.applied.map((r) => r.content)).toEqual(['timeout=100\n', 'timeout=250\n', 'timeout=250\n']);
    for (const c of others) expect(c.applied.map((r) => r.content)).toEqual(['timeout=100\n', 'timeout=250\n']);
    expect(await config.getGray(ref)).toBeNull();
    expect((await config.history(ref)).map((r) => [r.release, r.promotedGray ?? null])).toEqual([
      [1, null],
      [2, gray.id],
    ]);
    expect(audit.ofType('config.gray.start')[0]).toMatchObject({ actor: 'alice', reason: 'CHG-7', before: null, after: { id: gray.id } });
    expect(audit.ofType('config.gray.promote')[0]).toMatchObject({ before: { live: { release: 1 }, gray: { id: gray.id } }, after: { release: 2 }, details: { release: 2, grayId: gray.id } });
    await until('receipts at release 2', async () => (await config.grayView(ref)).listeners.every((l) => l.holds === 'main'), 5_000);
  });

  it('abort: gray clients revert to main within a watch round-trip; a percentage gray follows the stable hash; forced publish', async () => {
    const root = `/${unique('gray')}`;
    const ref = { env: 'prod', app: 'search', namespace: 'ranking' };
    const audit = new MemoryAuditSink();
    const config = new ConfigService(await framework(), { root, audit });
    await config.publish(ref, alice, { content: '{"boost":1}', format: 'json' });
    const ids = Array.from({ length: 8 }, (_, i) => `search-${i}`);
    const clients = await Promise.all(ids.map((clientId) => client(root, ref, { clientId })));
    const rules = { percentage: 50 };
    const expectGray = ids.map((clientId) => matchesGrayRules(rules, ref, { clientId }));

    await config.saveDraft(ref, '{"boost":2}', alice);
    const gray = await config.startGray(ref, alice, { rules });
    expect(gray.content).toBe('{"boost":2}');
    expect(await config.getDraft(ref)).toBeNull(); // the gray consumed the draft
    await until('the selected clients on gray', () => clients.every((c, i) => (c.client.current?.gray === gray.id) === expectGray[i]), 2_000);
    expect(clients.filter((c) => c.client.current!.content === '{"boost":2}')).toHaveLength(expectGray.filter(Boolean).length);

    // widen to everyone: the rules change reaches the clients by watch
    await config.updateGrayRules(ref, { percentage: 100 }, alice, { grayId: gray.id });
    await until('everyone on gray', () => clients.every((c) => c.client.current?.gray === gray.id), 2_000);

    // a forced main publish keeps the gray: gray clients keep the gray content, the live release moves on
    await config.publish(ref, alice, { content: '{"boost":1,"hotfix":true}', force: true });
    expect((await config.get(ref))!.release).toBe(2);
    expect((await config.getGray(ref))!.id).toBe(gray.id);

    const t0 = Date.now();
    const aborted = await config.abortGray(ref, alice);
    expect(aborted.id).toBe(gray.id);
    await until('everyone back on main', () => clients.every((c) => c.client.current?.release === 2 && c.client.current.gray === undefined), 2_000);
    expect(Date.now() - t0).toBeLessThan(2_000);
    for (const c of clients) expect(c.client.current!.content).toBe('{"boost":1,"hotfix":true}');
    await expect(config.abortGray(ref, alice)).rejects.toThrow(/gray release not found/);
    expect(audit.ofType('config.gray.abort')[0]).toMatchObject({ before: { id: gray.id }, after: null });
    expect(audit.ofType('config.gray.rules')[0]).toMatchObject({ before: { percentage: 50 }, after: { percentage: 100 } });
    await until('all receipts main', async () => (await config.grayView(ref)).listeners.filter((l) => l.holds === 'main').length === ids.length, 5_000);
  });

  it('a scheduled publish executes once however often it is fired; cancelled ones never; bad times are refused', async () => {
    const root = `/${unique('sched')}`;
    const ref = { env: 'prod', app: 'pay', namespace: 'limits' };
    const audit = new MemoryAuditSink();
    const config = new ConfigService(await framework(), { root, audit });
    const scheduler = new ConfigScheduler(await framework(), config, { audit });
    const other = new ConfigScheduler(await framework(), new ConfigService(await framework(), { root, audit }), { audit });
    await config.publish(ref, alice, { content: 'limit=1' });
    await expect(scheduler.create(ref, { action: 'publish', at: Date.now() - 1_000, content: 'x' }, alice)).rejects.toThrow(ScheduleTimeError);
    await expect(scheduler.create(ref, { action: 'publish', at: Number.NaN, content: 'x' }, alice)).rejects.toThrow(/not a valid time/);
    await expect(scheduler.create(ref, { action: 'publish', at: Date.now() + 1_000 }, alice)).rejects.toThrow(/draft/);

    await config.saveDraft(ref, 'limit=2', alice);
    const entry = await scheduler.create(ref, { action: 'publish', at: Date.now() + 1_500 }, { ...alice, actor: 'carol' });
    expect(entry).toMatchObject({ status: 'pending', createdBy: 'carol', params: { content: 'limit=2', expectedRelease: 1 } });
    const doomed = await scheduler.create(ref, { action: 'publish', at: Date.now() + 800, content: 'limit=99' }, alice);
    await scheduler.cancel(ref, doomed.id, alice);
    await expect(scheduler.cancel(ref, doomed.id, alice)).rejects.toThrow(/cancelled, not pending/);

    expect(await scheduler.execute(ref, entry.id)).toMatchObject({ status: 'not-due' });
    await until('due', () => Date.parse(entry.at) <= Date.now(), 5_000);
    // fired three times, two of them racing from another process' scheduler
    const outcomes = await Promise.all([scheduler.execute(ref, entry.id), other.execute(ref, entry.id), other.execute(ref, entry.id)]);
    expect(outcomes.filter((o) => o.status === 'executed')).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'skipped')).toHaveLength(2);
    expect(await scheduler.execute(ref, doomed.id)).toMatchObject({ status: 'skipped', reason: 'already cancelled' });
    expect((await config.history(ref)).map((r) => [r.release, r.content, r.publishedBy])).toEqual([
      [1, 'limit=1', 'alice'],
      [2, 'limit=2', 'system:scheduler'],
    ]);
    expect(await scheduler.get(ref, entry.id)).toMatchObject({ status: 'executed', result: { release: 2 } });
    expect(audit.ofType('config.schedule.execute')).toEqual([expect.objectContaining({ actor: 'system:scheduler', source: 'scheduler', details: expect.objectContaining({ onBehalfOf: 'carol', release: 2 }) })]);
    expect(audit.ofType('config.publish')[1]).toMatchObject({ actor: 'system:scheduler', reason: expect.stringContaining('scheduled by carol') });

    // scheduled against release 1, but release 2 is live now: it fails with the reason instead of overwriting
    const stale = await scheduler.create(ref, { action: 'publish', at: Date.now() + 50, content: 'limit=3', expectedRelease: 1 }, alice);
    await until('due', () => Date.parse(stale.at) <= Date.now(), 5_000);
    expect(await scheduler.execute(ref, stale.id)).toMatchObject({ status: 'failed', error: expect.stringContaining('expected release 1, live is 2') });
    expect((await config.get(ref))!.release).toBe(2);

    // a scheduled gray start then a scheduled promote
    const start = await scheduler.create(ref, { action: 'gray.start', at: Date.now() + 50, content: 'limit=5', rules: { clientIds: ['pay-1'] } }, alice);
    await until('due', () => Date.parse(start.at) <= Date.now(), 5_000);
    expect(await scheduler.execute(ref, start.id)).toMatchObject({ status: 'executed' });
    const gray = await config.getGray(ref);
    expect(gray).toMatchObject({ content: 'limit=5', startedBy: 'system:scheduler' });
    const promote = await scheduler.create(ref, { action: 'gray.promote', at: Date.now() + 50 }, alice);
    expect(promote.params.grayId).toBe(gray!.id);
    await until('due', () => Date.parse(promote.at) <= Date.now(), 5_000);
    expect(await scheduler.execute(ref, promote.id)).toMatchObject({ status: 'executed', entry: { result: { release: 3, grayId: gray!.id } } });
    expect(await config.get(ref)).toMatchObject({ release: 3, content: 'limit=5', promotedGray: gray!.id });
    expect((await scheduler.listAll()).map((e) => [e.id, e.status])).toEqual(
      expect.arrayContaining([
        [entry.id, 'executed'],
        [doomed.id, 'cancelled'],
        [stale.id, 'failed'],
        [start.id, 'executed'],
        [promote.id, 'executed'],
      ]),
    );
  });

  it('a scheduled switch flip executes once when fired concurrently; an executor that died mid-way is finished, not repeated', async () => {
    const root = `/${unique('sw')}`;
    const audit = new MemoryAuditSink();
    const switches = new SwitchService(await framework(), { root, audit });
    const schedulerA = new SwitchScheduler(await framework(), switches, { audit, staleClaimMs: 5_000 });
    const schedulerB = new SwitchScheduler(await framework(), new SwitchService(await framework(), { root, audit }), { audit, staleClaimMs: 5_000 });
    const spec = { scope: { service: 'com.acme.Pay', method: 'charge' }, mode: 'fail' as const, fallback: { kind: 'value' as const, value: { ok: false } } };
    await expect(schedulerA.create('prod', spec, Date.now() - 1, alice)).rejects.toThrow(ScheduleTimeError);

    // Far enough ahead that the early execute() is not-due even on a loaded machine.
    const entry = await schedulerA.create('prod', spec, Date.now() + 3_000, alice);
    expect(await schedulerA.execute('prod', entry.id)).toMatchObject({ status: 'not-due' });
    await until('due', () => Date.parse(entry.at) <= Date.now(), 10_000);
    const outcomes = await Promise.all([schedulerA.execute('prod', entry.id), schedulerB.execute('prod', entry.id), schedulerB.execute('prod', entry.id)]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['executed', 'skipped', 'skipped']);
    expect(await switches.get('prod', spec.scope)).toMatchObject({ mode: 'fail', version: 1, updatedBy: 'system:scheduler' });
    expect(audit.ofType('switch.set')).toHaveLength(1);
    expect(audit.ofType('switch.schedule.execute')).toEqual([expect.objectContaining({ actor: 'system:scheduler', details: expect.objectContaining({ onBehalfOf: 'alice', version: 1 }) })]);

    // an executor claimed the entry, wrote the switch and died before marking it: the next one only marks it
    const f = await framework();
    const died = async (flipFirst: boolean): Promise<ScheduledSwitchChange> => {
      const e = await schedulerA.create('prod', { ...spec, mode: flipFirst ? 'force' : 'off' }, Date.now() + 50, alice);
      await until('due', () => Date.parse(e.at) <= Date.now(), 5_000);
      const base = (await switches.get('prod', spec.scope))!.version;
      const claimed: ScheduledSwitchChange = { ...e, status: 'executing', baseVersion: base, claimedAt: new Date(Date.now() - 10_000).toISOString() };
      await f.client.setData(schedulerA.entryPath('prod', e.id), JSON.stringify(claimed));
      if (flipFirst) await switches.set('prod', e.spec, { actor: 'system:scheduler', source: 'scheduler', reason: `scheduled by alice (${e.id}): CHG-7` }, { expectedVersion: base });
      return e;
    };
    const written = await died(true);
    expect(await schedulerB.execute('prod', written.id)).toMatchObject({ status: 'executed', entry: { result: { version: 2 } } });
    expect((await switches.get('prod', spec.scope))!.version).toBe(2);
    // ... or died before writing it: the next one writes it
    const unwritten = await died(false);
    expect(await schedulerB.execute('prod', unwritten.id)).toMatchObject({ status: 'executed', entry: { result: { version: 3 } } });
    expect(await switches.get('prod', spec.scope)).toMatchObject({ mode: 'off', version: 3 });
    // ... and someone else changed the switch meanwhile: failed, nothing overwritten
    const raced = await died(false);
    await switches.set('prod', { ...spec, mode: 'force' }, alice);
    expect(await schedulerB.execute('prod', raced.id)).toMatchObject({ status: 'failed', error: expect.stringContaining('changed meanwhile') });
    expect(await switches.get('prod', spec.scope)).toMatchObject({ mode: 'force', version: 4, updatedBy: 'alice' });
    const cancelled = await schedulerA.create('prod', spec, Date.now() + 60_000, alice);
    await schedulerA.cancel('prod', cancelled.id, alice);
    expect((await schedulerB.listAll(['pending', 'executing'])).map((e) => e.id)).toEqual([]);
    expect((await schedulerB.list('prod')).map((e) => e.status)).toEqual(['executed', 'executed', 'executed', 'failed', 'cancelled']);
  });
});
