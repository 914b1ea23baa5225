/**
 * Barriers, queues, counters, group membership and service discovery against a started Paddock and a started
 * Apache ZooKeeper 3.8.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { ZooKeeperClient } from '@paddock/client';
import {
  DistributedAtomicLong,
  DistributedBarrier,
  DistributedDoubleBarrier,
  DistributedPriorityQueue,
  DistributedQueue,
  Framework,
  GroupMember,
  ServiceDiscovery,
  SharedCount,
  newServiceInstance,
} from '@paddock/recipes';
import type { ServerHandle } from '../support/paddock.js';
import { sleep } from '../support/processes.js';
import { killSession, until } from './recipes-support.js';
import { SERVER_OPTIONS, TARGETS, clientTracker, freshPath } from './targets.js';

jest.setTimeout(45_000);

describe.each(TARGETS)('coordination recipes against %s', (_kind, start) => {
  let server: ServerHandle;
  const clients = clientTracker();
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    server = await start(SERVER_OPTIONS);
  }, 60_000);
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((c) => c().catch(() => undefined)));
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function openMany(n: number): Promise<ZooKeeperClient[]> {
    return Promise.all(Array.from({ length: n }, () => clients.open(server.connectString)));
  }

  it('a barrier holds every waiter until it is removed', async () => {
    const path = freshPath('barrier');
    const conns = await openMany(4);
    const barrier = new DistributedBarrier(conns[0]!, path);
    await barrier.setBarrier();
    let released = 0;
    const waiters = conns.slice(1).map((c) => new DistributedBarrier(c, path).waitOnBarrier({ timeoutMs: 10_000 }).then((ok) => (released++, ok)));
    expect(await new DistributedBarrier(conns[1]!, path).waitOnBarrier({ timeoutMs: 200 })).toBe(false);
    await sleep(100);
    expect(released).toBe(0);
    await barrier.removeBarrier();
    expect(await Promise.all(waiters)).toEqual([true, true, true]);
  });

  it('a double barrier lets members in only together and out only together', async () => {
    const path = freshPath('double-barrier');
    const conns = await openMany(4);
    const log: string[] = [];
    await Promise.all(
      conns.map(async (c, i) => {
        await sleep(i * 60); // staggered arrivals
        const b = new DistributedDoubleBarrier(c, path, 4, `m${i}`);
        log.push(`pre-enter ${i}`);
        expect(await b.enter({ timeoutMs: 10_000 })).toBe(true);
        log.push(`entered ${i}`);
        await sleep((3 - i) * 60); // staggered work
        log.push(`pre-leave ${i}`);
        expect(await b.leave({ timeoutMs: 10_000 })).toBe(true);
        log.push(`left ${i}`);
      }),
    );
    const firstEntered = log.findIndex((l) => l.startsWith('entered'));
    expect(log.slice(0, firstEntered).filter((l) => l.startsWith('pre-enter'))).toHaveLength(4);
    const firstLeft = log.findIndex((l) => l.startsWith('left'));
    expect(log.slice(0, firstLeft).filter((l) => l.startsWith('pre-leave'))).toHaveLength(4);
    expect(await conns[0]!.getChildren(path)).toEqual([]);
  });

  it('a distributed queue is FIFO and hands every item to exactly one consumer', async () => {
    const path = freshPath('queue');
    const conns = await openMany(4);
    const producer = new DistributedQueue<number>(conns[0]!, path);
    for (let i = 0; i < 10; i++) await producer.put(i);
    expect(await producer.peek()).toBe(0);
    const single: number[] = [];
    for (let i = 0; i < 10; i++) single.push((await producer.poll())!);
    expect(single).toEqual([...Array(10).keys()]);
    expect(await producer.poll()).toBeUndefined();

    // 3 competing consumers blocked in take(), 60 items from 2 producers
    const consumed: Array<{ who: number; item: number }> = [];
    const controller = new AbortController();
    const consumers = conns.slice(1).map((c, who) =>
      new DistributedQueue<number>(c, path).consume((item) => void consumed.push({ who, item }), controller.signal),
    );
    await Promise.all([0, 1].map(async (p) => {
      for (let i = 0; i < 30; i++) await new DistributedQueue<number>(conns[p]!, path).put(p * 1000 + i);
    }));
    await until('all consumed', () => consumed.length >= 60, 20_000);
    controller.abort();
    await Promise.all(consumers);
    const items = consumed.map((c) => c.item);
    expect(new Set(items).size).toBe(60); // exactly once
    expect(items.sort((a, b) => a - b)).toEqual([...[...Array(30).keys()], ...[...Array(30).keys()].map((i) => 1000 + i)]);
    expect(await producer.take({ timeoutMs: 200 })).toBeUndefined();
  });

  it('a priority queue takes lower priority numbers first, FIFO within a priority', async () => {
    const path = freshPath('pqueue');
    const [c] = await openMany(1);
    const q = new DistributedPriorityQueue<string>(c!, path);
    await q.putWithPriority('p5-a', 5);
    await q.putWithPriority('p1-a', 1);
    await q.putWithPriority('p-3', -3);
    await q.putWithPriority('p5-b', 5);
    await q.put('p0');
    await q.putWithPriority('p1-b', 1);
    const out: string[] = [];
    for (let i = 0; i < 6; i++) out.push((await q.take({ timeoutMs: 2_000 }))!);
    expect(out).toEqual(['p-3', 'p0', 'p1-a', 'p1-b', 'p5-a', 'p5-b']);
  });

  it('counter CAS under contention ends at the exact total', async () => {
    const path = freshPath('counter');
    const conns = await openMany(8);
    const counters = conns.map((c) => new DistributedAtomicLong(c, path));
    const perClient = 25;
    const results = await Promise.all(
      counters.map(async (counter) => {
        let attempts = 0;
        for (let i = 0; i < perClient; i++) {
          const r = await counter.increment();
          expect(r.succeeded).toBe(true);
          expect(r.postValue).toBe(r.preValue + 1n);
          attempts += r.attempts;
        }
        return attempts;
      }),
    );
    expect(await counters[0]!.get()).toBe(BigInt(8 * perClient));
    expect(results.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(8 * perClient); // attempts include the CAS retries
    const cas = await counters[1]!.compareAndSet(0, 5);
    expect(cas.succeeded).toBe(false);
    expect((await counters[1]!.compareAndSet(8 * perClient, 7)).succeeded).toBe(true);
    expect(await counters[2]!.get()).toBe(7n);

    // SharedCount: versioned CAS and change notification
    const sc = conns.slice(0, 4).map((c) => new SharedCount(c, `${path}-shared`, 0));
    for (const s of sc) {
      await s.start();
      closers.push(() => s.close());
    }
    await Promise.all(
      sc.map(async (s) => {
        for (let i = 0; i < 10; i++) {
          for (;;) {
            const v = s.getVersionedValue();
            if (await s.trySetCount(v, v.value + 1)) break;
          }
        }
      }),
    );
    await until('everyone sees 40', () => sc.every((s) => s.getCount() === 40));
  });

  it('group membership follows members joining, leaving and dying', async () => {
    const path = freshPath('group');
    const conns = await openMany(3);
    const members = conns.map((c, i) => new GroupMember(c, path, `m${i}`, `payload-${i}`));
    for (const m of members) {
      await m.start();
      closers.push(() => m.close());
    }
    await until('all see 3', () => members.every((m) => m.getCurrentMembers().size === 3));
    expect(members[0]!.getCurrentMembers().get('m2')?.toString()).toBe('payload-2');
    await members[1]!.close();
    await until('m1 left', () => !members[0]!.getCurrentMembers().has('m1'));
    await killSession(server, conns[2]!);
    await until('m2 died', () => !members[0]!.getCurrentMembers().has('m2'), 10_000);
    await members[0]!.setThisData('changed');
    await until('data visible', async () => (await conns[1]!.getData(`${path}/m0`)).data.toString() === 'changed');
  });

  it('service discovery: ephemeral JSON instances, providers with strategies, re-registration after session loss', async () => {
    const basePath = freshPath('services');
    const framework = await Framework.connect(server.connectString, { sessionTimeout: 4_000, reconnectJitterMs: 50 });
    closers.push(() => framework.close());
    const [observer] = await openMany(1);
    const discovery = new ServiceDiscovery<{ zone: string }>(framework, { basePath });
    closers.push(() => discovery.close());
    const instances = ['a', 'b', 'c'].map((id, i) => newServiceInstance({ name: 'api', id, address: '10.0.0.1', port: 8000 + i, payload: { zone: `z${i}` } }));
    for (const instance of instances) await discovery.registerService(instance);
    await discovery.registerService(newServiceInstance({ name: 'db', id: 'd1', port: 5432 }));

    const node = await observer!.getData(`${basePath}/api/a`);
    expect(node.stat.ephemeralOwner).toBe(framework.client.sessionId);
    expect(JSON.parse(node.data.toString())).toMatchObject({ name: 'api', id: 'a', address: '10.0.0.1', port: 8000, payload: { zone: 'z0' }, serviceType: 'DYNAMIC' });
    expect(await discovery.queryForNames()).toEqual(['api', 'db']);
    expect((await discovery.queryForInstances('api')).map((i) => i.id)).toEqual(['a', 'b', 'c']);

    const reader = new ServiceDiscovery<{ zone: string }>(observer!, { basePath });
    closers.push(() => reader.close());
    const rr = reader.serviceProvider('api', { strategy: 'roundRobin' });
    const sticky = reader.serviceProvider('api', { strategy: 'sticky' });
    const random = reader.serviceProvider('api', { strategy: 'random' });
    for (const p of [rr, sticky, random]) await p.start();
    await until('providers loaded', () => [rr, sticky, random].every((p) => p.getAllInstances().length === 3));
    expect([1, 2, 3, 4, 5, 6].map(() => rr.getInstance()!.id)).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
    const stuck = sticky.getInstance()!.id;
    expect([1, 2, 3].map(() => sticky.getInstance()!.id)).toEqual([stuck, stuck, stuck]);
    const picks = new Set(Array.from({ length: 60 }, () => random.getInstance()!.id));
    expect(picks.size).toBeGreaterThan(1);
    // down-instance policy: two errors take an instance out
    rr.noteError(instances[0]!);
    rr.noteError(instances[0]!);
    expect(new Set([1, 2, 3, 4].map(() => rr.getInstance()!.id))).toEqual(new Set(['b', 'c']));

    await discovery.unregisterService(instances[2]!);
    await until('c gone', () => rr.getAllInstances().length === 2);
    expect(sticky.getInstance()!.id).not.toBe('c');

    // session loss: the instances disappear, then come back on the new session
    const old = framework.client;
    await killSession(server, old);
    await until('new session', () => framework.client !== old && framework.isConnected, 15_000);
    await until('re-registered', async () => (await observer!.getChildren(`${basePath}/api`)).sort().join() === 'a,b', 15_000);
    expect((await observer!.exists(`${basePath}/api/a`))?.ephemeralOwner).toBe(framework.client.sessionId);
    expect((await observer!.exists(`${basePath}/db/d1`))?.ephemeralOwner).toBe(framework.client.sessionId);
    await until('providers see them again', () => rr.getAllInstances().length === 2);
  });
});
