/**
 * Data-sync against a started Paddock and a started Apache ZooKeeper 3.8: a task dispatched to a store and its
 * progress written back; a collector killed mid-task and the task re-dispatched after the grace period (resuming
 * from the checkpoint); a failing task retried with backoff, then terminally failed; audit for each.
 */
import { describe, expect, it, jest } from '@jest/globals';
import type { Framework } from '@paddock/recipes';
import { DATA_SYNC_MASTER_ACTOR, DataSyncMaster, DataSyncService, DataSyncWorker, MemoryAuditSink, type SyncTaskHandler } from '@paddock/platform';
import { TARGETS } from '../sdk/targets.js';
import { unique, until, usePlatformTarget } from './platform-support.js';

jest.setTimeout(60_000);

const ops = { actor: 'ops', reason: 'DS-1', source: 'test' };
const GRACE = 2_000;

describe.each(TARGETS)('data-sync against %s', (_kind, start) => {
  const target = usePlatformTarget(start, { sessionTimeout: 4_000 });
  const { closers, framework } = target;

  it('dispatches, records progress, fails over a dead worker after grace, retries then fails', async () => {
    const root = `/${unique('ds')}`;
    const audit = new MemoryAuditSink();
    const service = new DataSyncService(await framework(), { root, audit });
    const master = new DataSyncMaster(await framework(), { id: 'm1', root, graceMs: GRACE, reconcileIntervalMs: 300, audit });
    master.on('error', () => undefined);
    closers.push(() => master.close());
    await master.start();
    await until('master elected', () => master.isLeader);

    const handler: SyncTaskHandler = async (ctx) => {
      const mode = (ctx.spec.payload as { mode: string }).mode;
      if (mode === 'fail') throw new Error('source unreachable');
      if (mode === 'slow' && ctx.attempt === 1) {
        await ctx.progress({ percent: 40, checkpoint: { offset: 400 } });
        await new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))));
      }
      await ctx.progress({ percent: 50, records: 5, checkpoint: ctx.previous?.checkpoint ?? { offset: 0 } });
      await ctx.progress({ percent: 100, records: 10, checkpoint: { offset: 1000 } });
    };
    const workerFrameworks = new Map<string, Framework>();
    for (const [id, kind] of [['c1', 'collector'], ['c2', 'collector'], ['st1', 'store']] as const) {
      const f = await framework();
      const w = new DataSyncWorker(f, { id, kind, capacity: 2, root, handler });
      w.on('error', () => undefined);
      closers.push(() => w.close());
      await w.start();
      workerFrameworks.set(id, f);
    }

    // a store task runs on the store and writes its progress back
    await service.publish({ id: 'load-orders', kind: 'store', source: 'kafka:orders', target: 'mysql:orders', payload: { mode: 'ok' } }, ops);
    await until('store task succeeded', async () => (await service.get('load-orders'))?.state.status === 'succeeded', 10_000);
    const done = (await service.get('load-orders'))!;
    expect(done.state).toMatchObject({ attempt: 1, failures: 0 });
    expect(done.state.history[0]).toMatchObject({ worker: 'st1', outcome: 'succeeded' });
    expect(done.progress).toMatchObject({ percent: 100, records: 10, worker: 'st1', attempt: 1 });
    await until('completion acknowledged', async () => (await service.get('load-orders'))?.state.worker === null);

    // a collector dies mid-task: re-dispatched to the other after the grace period, resuming from the checkpoint
    await service.publish({ id: 'collect-clicks', kind: 'collector', payload: { mode: 'slow' } }, ops);
    await until('slow task in progress', async () => (await service.get('collect-clicks'))?.progress?.percent === 40, 10_000);
    const first = (await service.get('collect-clicks'))!;
    const victim = first.state.worker!;
    const t0 = Date.now();
    await workerFrameworks.get(victim)!.close();
    await new Promise((r) => setTimeout(r, GRACE / 2));
    expect((await service.get('collect-clicks'))!.state).toMatchObject({ worker: victim, attempt: 1 });
    await until('re-dispatched', async () => (await service.get('collect-clicks'))?.state.attempt === 2, GRACE + 8_000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(GRACE - 300);
    await until('failed-over task succeeded', async () => (await service.get('collect-clicks'))?.state.status === 'succeeded', 10_000);
    const failedOver = (await service.get('collect-clicks'))!;
    expect(failedOver.state.worker === null || failedOver.state.worker !== victim).toBe(true);
    expect(failedOver.state.failures).toBe(0);
    expect(failedOver.state.history.map((h) => h.outcome)).toEqual(['failover', 'succeeded']);
    expect(failedOver.progress).toMatchObject({ attempt: 2, percent: 100 });

    // a failing task is retried with backoff, then marked failed
    await service.publish({ id: 'collect-bad', payload: { mode: 'fail' }, retry: { maxAttempts: 3, baseDelayMs: 200, factor: 2, maxDelayMs: 1_000 } }, ops);
    await until('terminally failed', async () => (await service.get('collect-bad'))?.state.status === 'failed', 15_000);
    const bad = (await service.get('collect-bad'))!;
    expect(bad.state).toMatchObject({ attempt: 3, failures: 3, lastError: 'source unreachable' });
    expect(bad.state.history.map((h) => h.outcome)).toEqual(['errored', 'errored', 'errored']);
    // an operator gives it another round
    await service.retry('collect-bad', ops);
    await until('retried by operator', async () => ((await service.get('collect-bad'))?.state.attempt ?? 0) >= 4, 10_000);

    expect(audit.ofType('datasync.task.publish').map((e) => e.actor)).toEqual(['ops', 'ops', 'ops']);
    const dispatches = audit.ofType('datasync.task.dispatch');
    expect(dispatches.every((e) => e.actor === DATA_SYNC_MASTER_ACTOR)).toBe(true);
    expect(dispatches.filter((e) => e.details?.reason === 'failover').map((e) => e.path)).toEqual([`${root}/data-sync-tasks/collect-clicks`]);
    expect(audit.ofType('datasync.task.fail').filter((e) => e.path.endsWith('collect-bad')).length).toBeGreaterThanOrEqual(3);
    expect(audit.ofType('datasync.task.complete').length).toBeGreaterThanOrEqual(2);
    expect(audit.ofType('datasync.task.retry')).toHaveLength(1);
  });

  it('without its periodic round (reconcileIntervalMs: 0, as the API runs it) reacts to task state written by workers and operators', async () => {
    const root = `/${unique('ds-nopoll')}`;
    const service = new DataSyncService(await framework(), { root });
    const master = new DataSyncMaster(await framework(), { id: 'm1', root, graceMs: GRACE, reconcileIntervalMs: 0 });
    master.on('error', () => undefined);
    closers.push(() => master.close());
    await master.start();
    await until('master elected', () => master.isLeader);
    const worker = new DataSyncWorker(await framework(), {
      id: 'c1',
      kind: 'collector',
      capacity: 1,
      root,
      handler: async (ctx) => {
        if ((ctx.spec.payload as { mode?: string } | undefined)?.mode === 'fail') throw new Error('source unreachable');
      },
    });
    worker.on('error', () => undefined);
    closers.push(() => worker.close());
    await worker.start();

    // completion is acknowledged (the worker's state write), which frees the one slot for the next task
    await service.publish({ id: 'first' }, ops);
    await service.publish({ id: 'second' }, ops);
    await until('both ran on the one slot', async () => (await service.list()).every((t) => t.state.status === 'succeeded' && t.state.worker === null), 10_000);
    // errored -> retry-wait -> (timer) assigned again -> failed; then an operator's retry is dispatched
    await service.publish({ id: 'bad', payload: { mode: 'fail' }, retry: { maxAttempts: 2, baseDelayMs: 300, factor: 1, maxDelayMs: 300 } }, ops);
    await until('terminally failed', async () => (await service.get('bad'))?.state.status === 'failed', 10_000);
    expect((await service.get('bad'))!.state).toMatchObject({ attempt: 2, failures: 2 });
    await service.retry('bad', ops);
    await until('retried by operator', async () => ((await service.get('bad'))?.state.attempt ?? 0) >= 3, 10_000);
  });

  it('a standby master takes over with a higher epoch; the old epoch is fenced', async () => {
    const root = `/${unique('ds-ha')}`;
    const service = new DataSyncService(await framework(), { root });
    const masters: DataSyncMaster[] = [];
    for (const id of ['m1', 'm2']) {
      const m = new DataSyncMaster(await framework(), { id, root, graceMs: GRACE, reconcileIntervalMs: 300 });
      m.on('error', () => undefined);
      closers.push(() => m.close());
      await m.start();
      masters.push(m);
    }
    await until('one leads', () => masters.some((m) => m.isLeader));
    const leader = masters.find((m) => m.isLeader)!;
    const standby = masters.find((m) => m !== leader)!;
    const oldEpoch = leader.epoch!;
    await leader.close();
    await until('standby leads', () => standby.isLeader && standby.epoch! > oldEpoch, 10_000);
    const w = new DataSyncWorker(await framework(), { id: 'c', kind: 'collector', root, handler: async () => undefined });
    closers.push(() => w.close());
    await w.start();
    await service.publish({ id: 't' }, ops);
    await until('done under the new master', async () => (await service.get('t'))?.state.status === 'succeeded', 10_000);
    expect((await service.get('t'))!.state.epoch).toBe(standby.epoch);
    await expect(leader.election.multi([], oldEpoch)).rejects.toThrow(/stale/);
  });
});
