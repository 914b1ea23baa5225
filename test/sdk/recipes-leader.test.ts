/**
 * Leader election recipes against a started Paddock and a started Apache ZooKeeper 3.8: LeaderLatch stays unique
 * across many transitions (graceful and through a dead connection), LeaderSelector cancels takeLeadership on a
 * connection loss and requeues.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { ZooKeeperClient } from '@paddock/client';
import { CancelLeadershipError, LeaderLatch, LeaderSelector } from '@paddock/recipes';
import type { ServerHandle } from '../support/paddock.js';
import { sleep } from '../support/processes.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { CriticalSection, until } from './recipes-support.js';
import { SERVER_OPTIONS, TARGETS, clientTracker, freshPath } from './targets.js';

jest.setTimeout(45_000);

describe.each(TARGETS)('leader recipes against %s', (_kind, start) => {
  let server: ServerHandle;
  const clients = clientTracker();
  const proxies: TcpProxy[] = [];
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    server = await start(SERVER_OPTIONS);
  }, 60_000);
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((c) => c().catch(() => undefined)));
    await Promise.all(proxies.splice(0).map((p) => p.stop()));
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function proxy(): Promise<TcpProxy> {
    const p = await new TcpProxy(server.host, server.port).start();
    proxies.push(p);
    return p;
  }

  it('a leader latch leader is always unique across many transitions, including a dead connection', async () => {
    const path = freshPath('latch');
    const cs = new CriticalSection();
    const p = await proxy();
    const conns: ZooKeeperClient[] = [await clients.open(p.connectString, { sessionTimeout: 2_000 })];
    for (let i = 1; i < 5; i++) conns.push(await clients.open(server.connectString));
    const latches: LeaderLatch[] = [];
    const join = async (i: number) => {
      const latch = new LeaderLatch(conns[i]!, path, `p${i}`, { closeMode: 'notifyLeader' });
      latch.on('isLeader', () => cs.enter(`p${i}`));
      latch.on('notLeader', () => cs.exit());
      latches[i] = latch;
      closers.push(() => latch.close());
      await latch.start();
    };
    // the participant behind the proxy joins first, so it leads first
    await join(0);
    expect(await latches[0]!.await({ timeoutMs: 5_000 })).toBe(true);
    for (let i = 1; i < 5; i++) await join(i);
    const sampler = setInterval(() => {
      const leaders = latches.filter((l) => l.hasLeadership()).length;
      if (leaders > 1) cs.violations.push(`${leaders} latches report leadership`);
    }, 2);
    try {
      expect((await latches[1]!.getLeader())?.id).toBe('p0');
      // fault: the leader's connection dies; its session expires; someone else must lead, never two at once
      await p.stop();
      await until('a new leader', () => latches.slice(1).some((l) => l.hasLeadership()), 15_000);
      expect(latches[0]!.hasLeadership()).toBe(false);
      // graceful transitions: the leader leaves and joins again, 12 times
      const seen = new Set<string>();
      for (let t = 0; t < 12; t++) {
        await until('a leader', () => latches.slice(1).some((l) => l.hasLeadership()), 10_000);
        const i = latches.findIndex((l, k) => k > 0 && l.hasLeadership());
        seen.add(`p${i}`);
        const participants = await latches[i]!.getParticipants();
        expect(participants.filter((x) => x.isLeader).map((x) => x.id)).toEqual([`p${i}`]);
        await latches[i]!.close();
        await join(i);
      }
      expect(seen.size).toBe(4); // leadership went around
    } finally {
      clearInterval(sampler);
    }
    expect(cs.violations).toEqual([]);
    expect(cs.max).toBe(1);
  });

  it('a latch gives up leadership while disconnected and leads again after the reconnect', async () => {
    const path = freshPath('latch-reconnect');
    const p = await proxy();
    const client = await clients.open(p.connectString, { sessionTimeout: 6_000 });
    const latch = new LeaderLatch(client, path, 'solo');
    closers.push(() => latch.close());
    const events: string[] = [];
    latch.on('isLeader', () => events.push('isLeader'));
    latch.on('notLeader', () => events.push('notLeader'));
    await latch.start();
    expect(await latch.await({ timeoutMs: 5_000 })).toBe(true);
    p.cutAll(); // the client reconnects through the proxy with the same session
    await until('leading again', () => events.length >= 3 && latch.hasLeadership(), 15_000);
    expect(events.slice(0, 3)).toEqual(['isLeader', 'notLeader', 'isLeader']);
    expect(await client.getChildren(path)).toHaveLength(1); // the old node was replaced, not duplicated
  });

  it('leader selector: one leader at a time, requeues, and cancels takeLeadership on connection loss', async () => {
    const path = freshPath('selector');
    const cs = new CriticalSection();
    const conns = await Promise.all([0, 1, 2].map(() => clients.open(server.connectString)));
    const p = await proxy();
    const faulty = await clients.open(p.connectString, { sessionTimeout: 6_000 });
    let leaderships = 0;
    const cancelled: unknown[] = [];
    const make = (c: ZooKeeperClient, id: string, holdMs: () => number) => {
      const s = new LeaderSelector(
        c,
        path,
        async (signal) => {
          cs.enter(id);
          leaderships++;
          try {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, holdMs());
              signal.addEventListener('abort', () => {
                clearTimeout(timer);
                cancelled.push(signal.reason);
                resolve();
              });
            });
          } finally {
            cs.exit();
          }
        },
        { id, autoRequeue: true },
      );
      closers.push(() => s.close());
      return s;
    };
    // the faulty participant starts first and would hold leadership for a long time
    let victimTurns = 0;
    const victim = make(faulty, 'faulty', () => (victimTurns++ === 0 ? 60_000 : 30));
    victim.start();
    await until('faulty leads', () => victim.hasLeadership());
    const others = conns.map((c, i) => make(c, `s${i}`, () => 30));
    others.forEach((s) => s.start());
    expect((await others[0]!.getLeader())?.id).toBe('faulty');
    p.cutAll(); // connection loss: takeLeadership must be cancelled, the lock released
    await until('cancelled', () => cancelled.length === 1, 10_000);
    expect(cancelled[0]).toBeInstanceOf(CancelLeadershipError);
    await until('others led a few times', () => leaderships >= 10, 20_000);
    expect(cs.violations).toEqual([]);
    expect(cs.max).toBe(1);
    await victim.close();
    await Promise.all(others.map((s) => s.close()));
    await sleep(50);
    expect(await conns[0]!.getChildren(path)).toEqual([]);
  });
});
