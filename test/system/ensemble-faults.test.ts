/**
 * Faults against a 3-member ensemble of real `paddock server` processes under a write load of
 * @paddock/client sessions (multi-host connect strings, so clients fail over like the Java client):
 *
 * - a follower partitioned from its peers (every quorum and election link through a TcpProxy, blocked
 *   in both directions): its clients fail over, no acknowledged write is lost, and after healing it
 *   rejoins and holds every acknowledged znode;
 * - the leader killed with -9 again and again (restarting each killed member) while snapshots roll: no
 *   acknowledged write lost, every member holds every acknowledged znode at the end, and writes succeed
 *   again within a bound of a few ticks + an election after each kill.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConnectionLossError, SessionExpiredError, ZooKeeperClient, ZooKeeperError } from '@paddock/client';
import { startPaddockEnsemble, type EnsembleHandle, type EnsembleMember } from '../support/paddock.js';
import { sleep } from '../support/processes.js';

const TICK = 200;
const SYNC_LIMIT = 5;

interface Load {
  /** path -> data of every acknowledged create */
  acked: Map<string, string>;
  /** ack times (ms since epoch) with the time each request was sent */
  acks: Array<{ sentAt: number; at: number; lane: number }>;
  /** errors other than ConnectionLoss / SessionExpired (must stay empty) */
  unexpected: string[];
  clients: Array<ZooKeeperClient | null>;
  stop(): Promise<void>;
}

async function connect(connectString: string): Promise<ZooKeeperClient> {
  return ZooKeeperClient.connect(connectString, {
    sessionTimeout: 20 * TICK,
    randomizeHosts: false,
    reconnectDelayMs: 100,
    reconnectJitterMs: 50,
    connectTimeoutMs: 30_000,
  });
}

/**
 * `lanes` sessions each creating `/prefix/l<lane>-<n>` in a loop. A create that fails with ConnectionLoss
 * has an unknown outcome and is not counted; SessionExpired starts a new session.
 */
function startLoad(prefix: string, lanes: number, connectStringOf: (lane: number) => string): Load {
  const load: Load = { acked: new Map(), acks: [], unexpected: [], clients: Array.from({ length: lanes }, () => null), stop: async () => {} };
  let stopped = false;
  const lane = async (n: number) => {
    let seq = 0;
    while (!stopped) {
      let c: ZooKeeperClient;
      try {
        c = await connect(connectStringOf(n));
      } catch {
        await sleep(50);
        continue;
      }
      load.clients[n] = c;
      while (!stopped) {
        const path = `${prefix}/l${n}-${seq++}`;
        const data = `lane ${n} ${path}`;
        const sentAt = Date.now();
        try {
          await c.create(path, data);
          load.acked.set(path, data);
          load.acks.push({ sentAt, at: Date.now(), lane: n });
        } catch (e) {
          if (e instanceof SessionExpiredError) break;
          if (e instanceof ConnectionLossError) continue;
          load.unexpected.push(`${path}: ${(e as Error).message}`);
          await sleep(20);
        }
      }
      load.clients[n] = null;
      await c.close().catch(() => {});
    }
  };
  const running = Array.from({ length: lanes }, (_, n) => lane(n));
  load.stop = async () => {
    stopped = true;
    await Promise.all(running);
  };
  return load;
}

/** Every acknowledged znode, read from every running member after a sync; plus the parent's child list. */
async function expectEveryMemberHolds(ens: EnsembleHandle, parent: string, acked: Map<string, string>): Promise<void> {
  let reference: string[] | undefined;
  for (const m of ens.members.filter((x) => x.running)) {
    const c = await ZooKeeperClient.connect(m.connectString, { sessionTimeout: 20 * TICK, connectTimeoutMs: 10_000 });
    try {
      await c.sync('/');
      const missing: string[] = [];
      const paths = [...acked];
      for (let i = 0; i < paths.length; i += 200) {
        await Promise.all(
          paths.slice(i, i + 200).map(async ([path, data]) => {
            const r = await c.getData(path).catch(() => undefined);
            if (r?.data?.toString() !== data) missing.push(path);
          }),
        );
      }
      expect({ member: m.sid, missing }).toEqual({ member: m.sid, missing: [] });
      // the whole subtree (acknowledged + writes of unknown outcome) is identical on every member
      const children = (await c.getChildren(parent)).sort();
      if (reference === undefined) reference = children;
      else expect({ member: m.sid, children: children.length, same: children.join() === reference.join() }).toEqual({ member: m.sid, children: reference.length, same: true });
    } finally {
      await c.close();
    }
  }
}

async function ensurePath(ens: EnsembleHandle, path: string): Promise<void> {
  const c = await connect(ens.connectString);
  try {
    await c.create(path, null).catch((e: unknown) => {
      if (!(e instanceof ZooKeeperError && e.codeName === 'NODE_EXISTS')) throw e;
    });
  } finally {
    await c.close();
  }
}

describe('a partitioned follower (peer links blocked both ways) under a write load', () => {
  let ens: EnsembleHandle;
  beforeAll(async () => {
    ens = await startPaddockEnsemble({ participants: 3, tickTime: TICK, syncLimit: SYNC_LIMIT, proxied: true, extraConfig: { snapCount: 500 } });
  }, 60_000);
  afterAll(async () => {
    await ens?.stop();
  }, 30_000);

  it('its clients fail over, no acknowledged write is lost, and it catches up after healing', async () => {
    const leader = await ens.waitForLeader();
    const follower = ens.members.find((m) => m !== leader)!;
    const others = ens.members.filter((m) => m !== follower);
    await ensurePath(ens, '/part');
    // half the lanes start on the follower (listed first, no shuffling), the others on the rest
    const viaFollower = [follower, ...others].map((m) => m.connectString).join(',');
    const viaOthers = [...others, follower].map((m) => m.connectString).join(',');
    const load = startLoad('/part', 8, (n) => (n % 2 === 0 ? viaFollower : viaOthers));
    try {
      await sleep(1_500);
      const onFollower = load.clients.filter((c) => c?.currentHost?.port === follower.port).length;
      expect(onFollower).toBeGreaterThan(0);

      ens.partition(follower.sid);
      const cutAt = Date.now();
      const beforeCut = load.acked.size;
      // the follower gives up on its leader after syncLimit ticks and stops serving; its clients move
      let movedMs = -1;
      for (let i = 0; i < 200 && movedMs < 0; i++) {
        const stillThere = load.clients.filter((c) => c?.currentHost?.port === follower.port).length;
        const laneAcks = load.acks.filter((a) => a.sentAt > cutAt && a.lane % 2 === 0).length;
        if (stillThere === 0 && laneAcks > 0) movedMs = Date.now() - cutAt;
        else await sleep(50);
      }
      expect(await follower.mode()).toBeNull();
      const firstAck = load.acks.find((a) => a.sentAt > cutAt && a.lane % 2 === 0);
      console.log(
        `partition of follower ${follower.sid} (${onFollower} of 8 sessions on it): its sessions write again after ${firstAck ? firstAck.at - cutAt : -1} ms, all moved after ${movedMs} ms; ${beforeCut} acked before the cut`,
      );
      expect(movedMs).toBeGreaterThan(0);
      expect(movedMs).toBeLessThan((SYNC_LIMIT + 20) * TICK);
      // the majority keeps serving through the partition
      await sleep(1_500);
      const duringCut = load.acked.size;
      expect(duringCut).toBeGreaterThan(beforeCut + 50);
      expect(await leader.mode()).toBe('leader');

      ens.heal(follower.sid);
      const healedAt = Date.now();
      await ens.waitForLeader(20_000);
      console.log(`healed: follower ${follower.sid} serves again as ${await follower.mode()} after ${Date.now() - healedAt} ms`);
      await sleep(1_000);
    } finally {
      await load.stop();
    }
    expect(load.unexpected).toEqual([]);
    expect(await follower.mode()).toBe('follower');
    await expectEveryMemberHolds(ens, '/part', load.acked);
  }, 120_000);
});

describe('the leader killed with -9 again and again under a write load, snapshots rolling', () => {
  let ens: EnsembleHandle;
  beforeAll(async () => {
    ens = await startPaddockEnsemble({ participants: 3, tickTime: TICK, syncLimit: SYNC_LIMIT, extraConfig: { snapCount: 100 } });
  }, 60_000);
  afterAll(async () => {
    await ens?.stop();
  }, 30_000);

  it('zero acknowledged writes lost; every member holds every acknowledged znode; bounded failover', async () => {
    const ROUNDS = 5;
    await ensurePath(ens, '/kill');
    const load = startLoad('/kill', 10, (n) => {
      const ms = ens.members;
      return [...ms.slice(n % ms.length), ...ms.slice(0, n % ms.length)].map((m) => m.connectString).join(',');
    });
    const failovers: number[] = [];
    const killed: number[] = [];
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const leader: EnsembleMember = await ens.waitForLeader(30_000);
        await sleep(1_000);
        const before = load.acked.size;
        await leader.kill9();
        const killedAt = Date.now();
        killed.push(leader.sid);
        // writes succeed again: the first ack of a create sent after the kill
        let firstAck: number | undefined;
        for (let i = 0; i < 400 && firstAck === undefined; i++) {
          const a = load.acks.find((x) => x.sentAt > killedAt);
          if (a) firstAck = a.at - killedAt;
          else await sleep(25);
        }
        failovers.push(firstAck ?? -1);
        console.log(`round ${round}: killed leader ${leader.sid} (${before} acked so far); writes succeed again after ${firstAck ?? 'never'} ms (${firstAck === undefined ? '-' : (firstAck / TICK).toFixed(1)} ticks)`);
        await leader.start();
      }
      await ens.waitForLeader(30_000);
      await sleep(1_000);
    } finally {
      await load.stop();
    }
    console.log(`failover after kill -9 of the leader (ms): ${failovers.join(', ')}; killed ${killed.join(', ')}; ${load.acked.size} acknowledged writes`);
    expect(load.unexpected).toEqual([]);
    // syncLimit ticks to notice the silent leader, an election (finalizeWait, a vote round), discovery + sync
    for (const f of failovers) {
      expect(f).toBeGreaterThan(0);
      expect(f).toBeLessThan((SYNC_LIMIT + 15) * TICK);
    }
    await expectEveryMemberHolds(ens, '/kill', load.acked);
    // snapshots rolled on every member (snapCount 100)
    for (const m of ens.members) {
      const snaps = readdirSync(path.join(m.dataDir, 'version-2')).filter((f) => f.startsWith('snapshot.'));
      expect({ member: m.sid, manySnapshots: snaps.length > 2 }).toEqual({ member: m.sid, manySnapshots: true });
    }
  }, 180_000);
});
