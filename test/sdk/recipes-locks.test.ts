/**
 * Lock recipes against a started Paddock and a started Apache ZooKeeper 3.8: InterProcessMutex under contention
 * (no overlap, one wakeup per release), re-entrancy, timeout/abort, release on session expiry; semaphore leases;
 * the read/write lock (readers share, writers exclude, each reader watches only the nearest writer).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { ZooKeeperClient } from '@paddock/client';
import { InterProcessMutex, InterProcessReadWriteLock, InterProcessSemaphoreV2, stripProtectedPrefix } from '@paddock/recipes';
import type { ServerHandle } from '../support/paddock.js';
import { sleep } from '../support/processes.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { CriticalSection, killSession, until } from './recipes-support.js';
import { SERVER_OPTIONS, TARGETS, clientTracker, freshPath } from './targets.js';

jest.setTimeout(45_000);

describe.each(TARGETS)('lock recipes against %s', (_kind, start) => {
  let server: ServerHandle;
  const clients = clientTracker();
  const proxies: TcpProxy[] = [];

  beforeAll(async () => {
    server = await start(SERVER_OPTIONS);
  }, 60_000);
  afterEach(async () => {
    await Promise.all(proxies.splice(0).map((p) => p.stop()));
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function openMany(n: number): Promise<ZooKeeperClient[]> {
    return Promise.all(Array.from({ length: n }, () => clients.open(server.connectString)));
  }

  it('8 clients racing for a mutex never overlap, and every release wakes exactly one waiter', async () => {
    const path = freshPath('mutex-race');
    const cs = new CriticalSection();
    const conns = await openMany(8);
    const mutexes = conns.map((c) => new InterProcessMutex(c, path));
    const rounds = 5;
    await Promise.all(
      mutexes.map(async (m, i) => {
        for (let r = 0; r < rounds; r++) {
          expect(await m.acquire({ timeoutMs: 30_000 })).toBe(true);
          cs.enter(`client ${i}`);
          await sleep(Math.floor(Math.random() * 5));
          cs.exit();
          await m.release();
        }
      }),
    );
    expect(cs.violations).toEqual([]);
    expect(cs.max).toBe(1);
    expect(cs.entries).toBe(8 * rounds);
    const acquisitions = mutexes.reduce((s, m) => s + m.stats.acquisitions, 0);
    const wakeups = mutexes.reduce((s, m) => s + m.stats.wakeups, 0);
    expect(acquisitions).toBe(8 * rounds);
    // each release deletes one node, watched by at most its one successor
    expect(wakeups).toBeLessThanOrEqual(acquisitions);
    expect(await conns[0]!.getChildren(path)).toEqual([]);
  });

  it('no herd: with 8 waiters queued, each release wakes exactly one watch', async () => {
    const path = freshPath('mutex-herd');
    const conns = await openMany(9);
    const [holder, ...waiters] = conns.map((c) => new InterProcessMutex(c, path));
    expect(await holder!.acquire()).toBe(true);
    const acquired: number[] = [];
    const pending = waiters.map((m, i) => m.acquire({ timeoutMs: 30_000 }).then((ok) => ok && acquired.push(i)));
    await until('8 waiters queued', async () => (await holder!.getParticipantNodes()).length === 9);
    await until('8 watches set', () => waiters.reduce((s, m) => s + m.stats.watchesSet, 0) === 8);
    // each waiter watches its own predecessor: 8 distinct watched nodes
    const watched = waiters.map((m) => m.stats.watched[0]!);
    expect(new Set(watched).size).toBe(8);
    const wakeups = () => waiters.reduce((s, m) => s + m.stats.wakeups, 0);
    let current: InterProcessMutex = holder!;
    for (let k = 1; k <= 8; k++) {
      await current.release();
      await until(`holder ${k}`, () => acquired.length === k);
      await sleep(100); // a herd would show up here
      expect(wakeups()).toBe(k);
      current = waiters[acquired[k - 1]!]!;
    }
    await current.release();
    await Promise.all(pending);
  });

  it('is re-entrant per holder and releases after the last release', async () => {
    const path = freshPath('mutex-reentrant');
    const [a, b] = await openMany(2);
    const m = new InterProcessMutex(a!, path);
    const other = new InterProcessMutex(b!, path);
    expect(await m.acquire()).toBe(true);
    expect(await m.acquire()).toBe(true);
    expect(m.holdCount()).toBe(2);
    expect(await m.getParticipantNodes()).toHaveLength(1);
    // a second owner key on the same instance is a different holder
    expect(await m.acquire({ owner: 'task-2', timeoutMs: 300 })).toBe(false);
    await m.release();
    expect(await other.acquire({ timeoutMs: 300 })).toBe(false);
    await m.release();
    expect(m.isAcquiredInThisProcess()).toBe(false);
    expect(await other.acquire({ timeoutMs: 5_000 })).toBe(true);
    await expect(m.release()).rejects.toThrow(/do not own/);
    await other.release();
  });

  it('acquire times out or aborts and leaves no lock node behind', async () => {
    const path = freshPath('mutex-timeout');
    const [a, b] = await openMany(2);
    const holder = new InterProcessMutex(a!, path);
    const waiter = new InterProcessMutex(b!, path);
    await holder.acquire();
    const started = Date.now();
    expect(await waiter.acquire({ timeoutMs: 400 })).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    const controller = new AbortController();
    const aborted = waiter.acquire({ signal: controller.signal });
    await until('waiter queued', async () => (await a!.getChildren(path)).length === 2);
    controller.abort();
    await expect(aborted).rejects.toThrow(/abort/i);
    await until('only the holder node left', async () => (await a!.getChildren(path)).length === 1);
    await holder.release();
    expect(await a!.getChildren(path)).toEqual([]);
  });

  it("releases the lock when its holder's connection dies and the session expires", async () => {
    const path = freshPath('mutex-expiry');
    const proxy = await new TcpProxy(server.host, server.port).start();
    proxies.push(proxy);
    const holderClient = await clients.open(proxy.connectString, { sessionTimeout: 2_000 });
    const [waiterClient] = await openMany(1);
    const holder = new InterProcessMutex(holderClient, path);
    const waiter = new InterProcessMutex(waiterClient!, path);
    expect(await holder.acquire()).toBe(true);
    const waiting = waiter.acquire({ timeoutMs: 20_000 });
    await until('waiter queued', async () => (await waiterClient!.getChildren(path)).length === 2);
    const cutAt = Date.now();
    await proxy.stop(); // the holder is cut off; its session expires on the server after ~2 s
    expect(await waiting).toBe(true);
    expect(Date.now() - cutAt).toBeGreaterThanOrEqual(1_000);
    expect(waiter.stats.wakeups).toBe(1);
    await waiter.release();
  });

  it('a semaphore hands out at most maxLeases leases; a dead session returns its lease', async () => {
    const path = freshPath('semaphore');
    const conns = await openMany(5);
    const sems = conns.map((c) => new InterProcessSemaphoreV2(c, path, 2));
    const cs = { inside: 0, max: 0 };
    await Promise.all(
      sems.map(async (s) => {
        for (let r = 0; r < 3; r++) {
          const lease = await s.acquire({ timeoutMs: 20_000 });
          expect(lease).toBeDefined();
          cs.inside++;
          cs.max = Math.max(cs.max, cs.inside);
          await sleep(10);
          cs.inside--;
          await lease!.close();
        }
      }),
    );
    expect(cs.max).toBe(2);

    const [l1, l2] = [await sems[0]!.acquire(), await sems[1]!.acquire()];
    expect(l1 && l2).toBeTruthy();
    expect(await sems[2]!.acquire({ timeoutMs: 300 })).toBeUndefined();
    const waiting = sems[2]!.acquire({ timeoutMs: 15_000 });
    await killSession(server, conns[0]!); // lease holder's session dies
    const lease = await waiting;
    expect(lease).toBeDefined();
    expect((await sems[2]!.getParticipantNodes()).length).toBe(2);
    await lease!.close();
    await l2!.close();
    expect(await sems[1]!.acquireMany(2, { timeoutMs: 5_000 })).toHaveLength(2);
  });

  it('read/write lock: readers share, writers exclude, each reader waits only on the nearest writer', async () => {
    const path = freshPath('rwlock');
    const conns = await openMany(6);
    const locks = conns.map((c) => new InterProcessReadWriteLock(c, path));
    const [r1, w2, r3, r4, w5, r6] = locks as [InterProcessReadWriteLock, InterProcessReadWriteLock, InterProcessReadWriteLock, InterProcessReadWriteLock, InterProcessReadWriteLock, InterProcessReadWriteLock];
    const names = async () => (await conns[0]!.getChildren(path)).map(stripProtectedPrefix).sort();
    const order: string[] = [];
    const track = <T>(name: string, p: Promise<T>) => p.then((v) => (order.push(name), v));

    expect(await r1.readLock.acquire()).toBe(true);
    const readersShare = new InterProcessReadWriteLock(conns[5]!, path);
    expect(await readersShare.readLock.acquire({ timeoutMs: 2_000 })).toBe(true); // two readers at once
    await readersShare.readLock.release();

    // queue: R1(held) W2 R3 R4 W5 R6, created in this order
    const pW2 = track('W2', w2.writeLock.acquire({ timeoutMs: 20_000 }));
    await until('W2 queued', async () => (await names()).length === 2);
    const pR3 = track('R3', r3.readLock.acquire({ timeoutMs: 20_000 }));
    await until('R3 queued', async () => (await names()).length === 3);
    const pR4 = track('R4', r4.readLock.acquire({ timeoutMs: 20_000 }));
    await until('R4 queued', async () => (await names()).length === 4);
    const pW5 = track('W5', w5.writeLock.acquire({ timeoutMs: 20_000 }));
    await until('W5 queued', async () => (await names()).length === 5);
    const pR6 = track('R6', r6.readLock.acquire({ timeoutMs: 20_000 }));
    await until('R6 queued', async () => (await names()).length === 6);
    await until('all waiters watching', () => [w2.writeLock, r3.readLock, r4.readLock, w5.writeLock, r6.readLock].every((m) => m.stats.watchesSet >= 1));

    const all = (await conns[0]!.getChildren(path)).sort((a, b) => a.slice(-10).localeCompare(b.slice(-10)));
    const nodeW2 = all[1]!;
    const nodeR4 = all[3]!;
    const nodeW5 = all[4]!;
    expect(r3.readLock.stats.watched).toEqual([nodeW2]); // nearest writer before R3
    expect(r4.readLock.stats.watched).toEqual([nodeW2]);
    expect(w5.writeLock.stats.watched).toEqual([nodeR4]); // a writer: its immediate predecessor
    expect(r6.readLock.stats.watched).toEqual([nodeW5]); // NOT the first writer (Curator would watch W2)

    await r1.readLock.release();
    expect(await pW2).toBe(true);
    await sleep(150);
    expect(order).toEqual(['W2']); // readers stay out while the writer holds
    expect(r6.readLock.stats.wakeups).toBe(0);
    await w2.writeLock.release();
    expect(await pR3).toBe(true);
    expect(await pR4).toBe(true); // R3 and R4 share
    await sleep(150);
    expect(order.slice(0, 3).sort()).toEqual(['R3', 'R4', 'W2']);
    expect(r6.readLock.stats.wakeups).toBe(0); // W2's release did not wake R6
    await r3.readLock.release();
    await sleep(100);
    expect(order).not.toContain('W5');
    await r4.readLock.release();
    expect(await pW5).toBe(true);
    await sleep(100);
    expect(order).not.toContain('R6');
    // the writer may downgrade: take the read lock while holding the write lock
    expect(await w5.readLock.acquire({ timeoutMs: 2_000 })).toBe(true);
    await w5.readLock.release();
    await w5.writeLock.release();
    expect(await pR6).toBe(true);
    expect(r6.readLock.stats.wakeups).toBe(1);
    expect(order).toEqual(['W2', expect.any(String), expect.any(String), 'W5', 'R6']);
    await r6.readLock.release();
  });
});
