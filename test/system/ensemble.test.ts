/**
 * A replicated ensemble of real `paddock server` processes on loopback (ZAB over TCP on the quorum and
 * election ports from zoo.cfg): leader election and srvr/mntr roles, writes through every member read back
 * from the others after sync, kill -9 of the leader under a write load with zero acknowledged writes
 * lost and a new leader serving within a few ticks, a minority that refuses work, and an observer.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ErrorCode, OpCode } from '@paddock/protocol';
import { startPaddockEnsemble, type EnsembleHandle, type EnsembleMember } from '../support/paddock.js';
import { RawClient } from '../support/raw-client.js';
import { fourLetterWord, sleep } from '../support/processes.js';

const OPEN = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
const TICK = 200;

async function create(c: RawClient, path: string, data: string): Promise<number | undefined> {
  const r = await c.request({ type: OpCode.create, request: { path, data: Buffer.from(data), acl: OPEN, flags: 0 } }).catch(() => undefined);
  return r?.err;
}

/** sync, then getData: the value every acknowledged write must have left. */
async function readAfterSync(c: RawClient, path: string): Promise<string | null | undefined> {
  const s = await c.request({ type: OpCode.sync, request: { path } });
  expect(s?.err).toBe(ErrorCode.OK);
  const r = await c.request({ type: OpCode.getData, request: { path, watch: false } });
  if (r?.err === ErrorCode.NO_NODE) return null;
  if (r?.err !== ErrorCode.OK || r.body?.type !== OpCode.getData) return undefined;
  return r.body.data?.toString() ?? '';
}

function mntrValue(mntr: string, key: string): string | undefined {
  return new RegExp(`^zk_${key}\\t(.*)$`, 'm').exec(mntr)?.[1];
}

/** Connects to the first running member (in rotation) that accepts a session. */
async function connectAny(ens: EnsembleHandle, start: number): Promise<RawClient | undefined> {
  const ms = ens.members;
  for (let i = 0; i < ms.length; i++) {
    const m = ms[(start + i) % ms.length]!;
    if (!m.running || m.observer) continue;
    try {
      return await RawClient.connect({ port: m.port, connectTimeoutMs: 1_000, timeOut: 10_000 });
    } catch {
      // not serving (no quorum yet) or down: try the next one
    }
  }
  return undefined;
}

describe('3-member ensemble', () => {
  let ens: EnsembleHandle;
  beforeAll(async () => {
    ens = await startPaddockEnsemble({ participants: 3, tickTime: TICK, extraConfig: { snapCount: 200 } });
  }, 60_000);
  afterAll(async () => {
    await ens?.stop();
  }, 30_000);

  it('elects one leader; srvr/mntr report the roles and the synced followers', async () => {
    const leader = await ens.waitForLeader();
    const modes = await Promise.all(ens.members.map((m) => m.mode()));
    expect(modes.filter((m) => m === 'leader')).toHaveLength(1);
    expect(modes.filter((m) => m === 'follower')).toHaveLength(2);
    const mntr = await leader.fourLetterWord('mntr');
    expect(mntrValue(mntr, 'server_state')).toBe('leader');
    expect(mntrValue(mntr, 'quorum_size')).toBe('3');
    expect(mntrValue(mntr, 'synced_followers')).toBe('2');
    expect(mntrValue(mntr, 'peer_state')).toBe('leading - broadcast');
    const follower = ens.members.find((m) => m !== leader)!;
    const fm = await follower.fourLetterWord('mntr');
    expect(mntrValue(fm, 'server_state')).toBe('follower');
    expect(mntrValue(fm, 'synced_followers')).toBeUndefined();
    expect(await follower.fourLetterWord('srvr')).toMatch(/^Mode: follower$/m);
  });

  it('a write through any member is read back from every other member after sync', async () => {
    const clients = await Promise.all(ens.members.map((m) => RawClient.connect({ port: m.port })));
    try {
      for (const [i, c] of clients.entries()) {
        expect(await create(c, `/via${ens.members[i]!.sid}`, `written via ${ens.members[i]!.sid}`)).toBe(ErrorCode.OK);
        for (const other of clients) expect(await readAfterSync(other, `/via${ens.members[i]!.sid}`)).toBe(`written via ${ens.members[i]!.sid}`);
      }
      // a session created on one member is known to all: ephemerals and session close replicate
      const eph = await clients[1]!.request({ type: OpCode.create, request: { path: '/eph', data: null, acl: OPEN, flags: 1 } });
      expect(eph?.err).toBe(ErrorCode.OK);
      const ephOwner = await clients[2]!.request({ type: OpCode.sync, request: { path: '/' } }).then(() =>
        clients[2]!.request({ type: OpCode.exists, request: { path: '/eph', watch: false } }),
      );
      expect(ephOwner?.body?.type === OpCode.exists && ephOwner.body.stat.ephemeralOwner).toBe(clients[1]!.sessionId);
      await clients[1]!.close();
      expect(await readAfterSync(clients[0]!, '/eph')).toBeNull();
      // the leader reports the sizes of the txns it proposed (mntr zk_*_proposal_size, stat)
      const leader = await ens.waitForLeader();
      const mntr = await leader.fourLetterWord('mntr');
      const [last, min, max] = ['last', 'min', 'max'].map((k) => Number(mntrValue(mntr, `${k}_proposal_size`)));
      expect(min).toBeGreaterThan(0);
      expect(max).toBeGreaterThanOrEqual(Math.max(min!, last!));
      expect(await leader.fourLetterWord('stat')).toMatch(new RegExp(`^Proposal sizes last/min/max: ${last}/${min}/${max}$`, 'm'));
    } finally {
      for (const c of clients) c.destroy();
    }
  });

  it('kill -9 of the leader under a write load: no acknowledged write lost, a new leader within a few ticks', async () => {
    const acked = new Map<string, string>();
    for (let round = 0; round < 2; round++) {
      const leader = await ens.waitForLeader();
      let stop = false;
      let seq = 0;
      const lane = async (n: number) => {
        while (!stop) {
          const c = await connectAny(ens, n);
          if (!c) {
            await sleep(50);
            continue;
          }
          while (!stop) {
            const i = seq++;
            const path = `/load-r${round}-${i}`;
            const data = `round ${round} #${i} lane ${n}`;
            const err = await create(c, path, data);
            if (err === undefined) break; // connection lost: outcome unknown, not acknowledged
            expect(err).toBe(ErrorCode.OK);
            acked.set(path, data);
          }
          c.destroy();
        }
      };
      const lanes = Array.from({ length: 12 }, (_, n) => lane(n));
      await sleep(1_500);
      const before = acked.size;
      await leader.kill9();
      const killedAt = Date.now();
      const next = await ens.waitForLeader(20_000);
      const electedMs = Date.now() - killedAt;
      expect(next.sid).not.toBe(leader.sid);
      // the new leader serves writes
      const probe = await RawClient.connect({ port: next.port });
      expect(await create(probe, `/after-kill-${round}`, 'x')).toBe(ErrorCode.OK);
      const servedMs = Date.now() - killedAt;
      probe.destroy();
      await sleep(1_000);
      stop = true;
      await Promise.all(lanes);
      console.log(`round ${round}: killed leader ${leader.sid}, new leader ${next.sid} after ${electedMs} ms (serving writes after ${servedMs} ms, ${Math.ceil(servedMs / TICK)} ticks); ${before} acked before the kill, ${acked.size} in all`);
      expect(before).toBeGreaterThan(50);
      // syncLimit (5 ticks) to notice the silent leader, then election + sync: a few ticks more
      expect(servedMs).toBeLessThan(25 * TICK);

      // every acknowledged write is on every running member
      for (const m of ens.members.filter((x) => x.running)) {
        const c = await RawClient.connect({ port: m.port });
        await c.request({ type: OpCode.sync, request: { path: '/' } });
        const missing: string[] = [];
        await Promise.all(
          [...acked].map(async ([path, data]) => {
            const r = await c.request({ type: OpCode.getData, request: { path, watch: false } });
            if (r?.err !== ErrorCode.OK || r.body?.type !== OpCode.getData || r.body.data?.toString() !== data) missing.push(path);
          }),
        );
        c.destroy();
        expect({ member: m.sid, missing }).toEqual({ member: m.sid, missing: [] });
      }
      // the killed leader restarts on its dataDir and rejoins as a follower with everything
      await leader.start();
      await ens.waitForLeader(20_000);
      const c = await RawClient.connect({ port: leader.port });
      const sample = [...acked].filter((_, i) => i % 17 === 0);
      for (const [path, data] of sample) expect(await readAfterSync(c, path)).toBe(data);
      c.destroy();
      expect(await leader.mode()).toBe('follower');
    }
  }, 120_000);

  it('a single survivor of three refuses work', async () => {
    const leader = await ens.waitForLeader();
    const others = ens.members.filter((m) => m !== leader);
    const survivor: EnsembleMember = others[0]!;
    await leader.stop();
    await others[1]!.stop();
    // within syncLimit the survivor notices it has no quorum and stops serving
    let answer = '';
    for (let i = 0; i < 100; i++) {
      answer = await fourLetterWord(survivor.host, survivor.port, 'srvr');
      if (/not currently serving/.test(answer)) break;
      await sleep(100);
    }
    expect(answer).toBe('This ZooKeeper instance is not currently serving requests\n');
    expect(await survivor.fourLetterWord('ruok')).toBe('imok');
    await expect(RawClient.connect({ port: survivor.port, connectTimeoutMs: 2_000 })).rejects.toThrow();
    // bring them back: the ensemble serves again with everything acknowledged before
    await Promise.all([leader.start(), others[1]!.start()]);
    await ens.waitForLeader(30_000);
    const c = await RawClient.connect({ port: survivor.port });
    expect(await readAfterSync(c, '/via1')).toBe('written via 1');
    c.destroy();
  }, 90_000);
});

describe('3 participants + 1 observer', () => {
  let ens: EnsembleHandle;
  beforeAll(async () => {
    ens = await startPaddockEnsemble({ participants: 3, observers: 1, tickTime: TICK });
  }, 60_000);
  afterAll(async () => {
    await ens?.stop();
  }, 30_000);

  it('the observer serves reads and forwards writes; it does not count as a synced follower', async () => {
    const leader = await ens.waitForLeader();
    const observer = ens.members.find((m) => m.observer)!;
    expect(await observer.mode()).toBe('observer');
    const mntr = await leader.fourLetterWord('mntr');
    expect(mntrValue(mntr, 'synced_followers')).toBe('2');
    expect(mntrValue(mntr, 'synced_observers')).toBe('1');
    expect(mntrValue(mntr, 'learners')).toBe('3');
    const oc = await RawClient.connect({ port: observer.port });
    const lc = await RawClient.connect({ port: leader.port });
    expect(await create(oc, '/from-observer', 'o')).toBe(ErrorCode.OK);
    expect(await readAfterSync(lc, '/from-observer')).toBe('o');
    expect(await create(lc, '/from-leader', 'l')).toBe(ErrorCode.OK);
    expect(await readAfterSync(oc, '/from-leader')).toBe('l');
    oc.destroy();
    lc.destroy();
  }, 30_000);
});
