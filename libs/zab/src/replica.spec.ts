/**
 * Unit specs for the pure ZAB replica. Tests named "paper:" pin a sentence of the Zab papers
 * (Junqueira, Reed, Serafini, "Zab: High-performance broadcast for primary-backup systems", DSN 2011;
 * Medeiros, "ZooKeeper's atomic broadcast protocol: Theory and practice", 2012) or a ZooKeeper JIRA.
 */
import { describe, expect, test } from '@jest/globals';
import { betterVote, QuorumConfig } from './quorum.js';
import { ZabReplica } from './replica.js';
import { makeZxid, type Entry, type Message, type PersistentState, type QuorumPacket, type Ready } from './types.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

interface TNode {
  r: ZabReplica;
  /** what the node has persisted (its "disk") */
  log: Entry[];
  accepted: number;
  current: number;
  applied: Entry[];
  readys: Ready[];
}

/** A tiny in-memory ensemble: manual delivery, instant disks unless a node is `held`. */
class Cluster {
  nodes = new Map<number, TNode>();
  inflight: Message[] = [];
  /** nodes whose Readys are not processed (a stalled disk) */
  held = new Set<number>();
  /** links that drop everything: "from>to" */
  cut = new Set<string>();

  constructor(
    readonly members: Array<{ sid: number; observer?: boolean }>,
    states: Record<number, Partial<PersistentState>> = {},
    readonly opts: { syncLimit?: number; initLimit?: number; maxBatch?: number } = {},
  ) {
    for (const m of members) this.boot(m.sid, states[m.sid] ?? {});
  }

  boot(sid: number, st: Partial<PersistentState>, inc = 1): void {
    const node: TNode = {
      log: [...(st.entries ?? [])],
      accepted: st.acceptedEpoch ?? 0,
      current: st.currentEpoch ?? 0,
      applied: [],
      readys: [],
      r: undefined as unknown as ZabReplica,
    };
    node.r = new ZabReplica(
      {
        id: sid,
        members: this.members,
        incarnation: inc,
        initLimit: this.opts.initLimit ?? 10,
        syncLimit: this.opts.syncLimit ?? 5,
        maxBatch: this.opts.maxBatch ?? 1000,
        snapshot: () => ({ zxid: node.r.commitZxid, data: bytes(`snap@${node.r.commitZxid}`) }),
      },
      {
        acceptedEpoch: node.accepted,
        currentEpoch: node.current,
        snapshotZxid: st.snapshotZxid ?? 0,
        entries: node.log,
      },
    );
    this.nodes.set(sid, node);
  }

  n(sid: number): TNode {
    return this.nodes.get(sid)!;
  }

  /** Processes one node's pending Readys (persist, send, apply, advance). */
  process(sid: number): void {
    const node = this.n(sid);
    while (!this.held.has(sid) && node.r.hasReady()) {
      const rd = node.r.ready();
      node.readys.push(rd);
      if (rd.snapshot) node.log = [];
      if (rd.truncateAfter !== undefined) node.log = node.log.filter((e) => e.zxid <= rd.truncateAfter!);
      node.log.push(...rd.entries);
      if (rd.acceptedEpoch !== undefined) node.accepted = rd.acceptedEpoch;
      if (rd.currentEpoch !== undefined) node.current = rd.currentEpoch;
      for (const m of rd.messages) if (!this.cut.has(`${m.from}>${m.to}`)) this.inflight.push(m);
      node.applied.push(...rd.committed);
      node.r.advance(rd);
    }
  }

  /** Delivers messages and processes Readys until nothing moves. */
  stabilize(limit = 10000): void {
    for (let i = 0; i < limit; i++) {
      for (const sid of this.nodes.keys()) this.process(sid);
      const m = this.inflight.shift();
      if (m === undefined) return;
      const to = this.nodes.get(m.to);
      if (to !== undefined && !this.cut.has(`${m.from}>${m.to}`)) to.r.step(m);
    }
    throw new Error('did not stabilize');
  }

  tick(times = 1): void {
    for (let i = 0; i < times; i++) {
      for (const node of this.nodes.values()) node.r.tick();
      this.stabilize();
    }
  }

  /** Ticks until some member is an active leader. */
  elect(maxTicks = 50): number {
    this.stabilize();
    for (let i = 0; i < maxTicks; i++) {
      const l = [...this.nodes.values()].find((x) => x.r.isActiveLeader);
      if (l !== undefined) {
        this.tick(2);
        return l.r.id;
      }
      this.tick();
    }
    throw new Error('no leader');
  }

  packets(filter: (p: QuorumPacket, m: Message) => boolean, msgs: Message[]): QuorumPacket[] {
    return msgs.flatMap((m) => (m.type === 'packet' && filter(m.p, m) ? [m.p] : []));
  }
}

const three = [{ sid: 1 }, { sid: 2 }, { sid: 3 }];
const e = (epoch: number, counter: number, tag = ''): Entry => ({ zxid: makeZxid(epoch, counter), data: bytes(`${epoch}.${counter}${tag}`) });

describe('fast leader election', () => {
  test('vote order: peerEpoch, then zxid, then sid; a weight-0 observer never wins', () => {
    const q = new QuorumConfig([{ sid: 1 }, { sid: 2 }, { sid: 3, observer: true }]);
    expect(betterVote({ leader: 1, zxid: 0, peerEpoch: 2 }, { leader: 2, zxid: 99, peerEpoch: 1 }, q)).toBe(true);
    expect(betterVote({ leader: 1, zxid: 5, peerEpoch: 1 }, { leader: 2, zxid: 4, peerEpoch: 1 }, q)).toBe(true);
    expect(betterVote({ leader: 2, zxid: 5, peerEpoch: 1 }, { leader: 1, zxid: 5, peerEpoch: 1 }, q)).toBe(true);
    expect(betterVote({ leader: 3, zxid: 99, peerEpoch: 9 }, { leader: 1, zxid: 0, peerEpoch: 0 }, q)).toBe(false);
  });

  test('fresh ensemble elects the highest sid; everyone agrees; epoch 1', () => {
    const c = new Cluster(three);
    expect(c.elect()).toBe(3);
    for (const sid of [1, 2]) expect(c.n(sid).r.softState()).toEqual({ role: 'following', leader: 3, epoch: 1, phase: 'active' });
    expect(c.n(3).current).toBe(1);
  });

  test('the member with the most recent history wins over a higher sid', () => {
    const log = [e(1, 1), e(1, 2)];
    const c = new Cluster(three, { 1: { entries: log, acceptedEpoch: 1, currentEpoch: 1 }, 2: { entries: log.slice(0, 1), acceptedEpoch: 1, currentEpoch: 1 } });
    expect(c.elect()).toBe(1);
  });

  test('observers never vote or lead, and follow the elected leader (INFORM)', () => {
    const c = new Cluster([{ sid: 1 }, { sid: 2 }, { sid: 9, observer: true }]);
    expect(c.elect()).toBe(2);
    c.tick(3);
    expect(c.n(9).r.softState()).toMatchObject({ role: 'observing', leader: 2, phase: 'active' });
    const z = c.n(2).r.propose(bytes('x'))!;
    c.stabilize();
    expect(c.n(9).applied.map((x) => x.zxid)).toContain(z);
    // the observer got INFORM, never PROPOSAL, and never acked
    const toObs = c.n(2).readys.flatMap((rd) => rd.messages.filter((m) => m.to === 9));
    expect(c.packets((p) => p.kind === 'PROPOSAL', toObs)).toHaveLength(0);
    expect(c.packets((p) => p.kind === 'INFORM', toObs).length).toBeGreaterThan(0);
  });

  test('a quorum is needed: one member alone never leads', () => {
    const c = new Cluster(three);
    c.cut = new Set(['1>2', '1>3', '2>1', '3>1', '2>3', '3>2']);
    c.tick(30);
    for (const sid of [1, 2, 3]) expect(c.n(sid).r.isActiveLeader).toBe(false);
  });
});

describe('discovery', () => {
  test('paper: "the prospective leader proposes an epoch e\' greater than any acceptedEpoch of a quorum" (newEpoch = max + 1)', () => {
    const c = new Cluster(three, { 1: { acceptedEpoch: 7 } });
    c.elect();
    const leader = [...c.nodes.values()].find((x) => x.r.isActiveLeader)!;
    expect(leader.r.softState().epoch).toBeGreaterThanOrEqual(8);
  });

  test('ZOOKEEPER-1291: the leader persists acceptedEpoch in the Ready whose messages carry LEADERINFO', () => {
    const c = new Cluster(three);
    c.elect();
    const leader = c.n(3);
    const rd = leader.readys.find((r) => c.packets((p) => p.kind === 'LEADERINFO', r.messages).length > 0)!;
    expect(rd.acceptedEpoch).toBe(1);
    // and no earlier Ready sent it
    const idx = leader.readys.indexOf(rd);
    expect(leader.readys.slice(0, idx).some((r) => c.packets((p) => p.kind === 'LEADERINFO', r.messages).length > 0)).toBe(false);
  });

  test('paper: a follower acks a new epoch only after persisting it; an epoch it already accepted gets -1', () => {
    const c = new Cluster(three);
    c.elect();
    const f = c.n(1);
    const rd = f.readys.find((r) => c.packets((p) => p.kind === 'ACKEPOCH', r.messages).length > 0)!;
    expect(rd.acceptedEpoch).toBe(1);
    expect(c.packets((p) => p.kind === 'ACKEPOCH', rd.messages)[0]).toMatchObject({ currentEpoch: 0 });
    // reconnecting to the same leader (same epoch): ACKEPOCH -1, and no epoch write
    f.readys = [];
    const lastConnMsg = c.n(3).readys.flatMap((r) => r.messages).filter((m) => m.type === 'packet' && m.to === 1).pop()!;
    if (lastConnMsg.type !== 'packet') throw new Error();
    f.r.step({ ...lastConnMsg, seq: 1_000_000 }); // a gap: the follower reconnects
    c.stabilize();
    const again = f.readys.find((r) => c.packets((p) => p.kind === 'ACKEPOCH', r.messages).length > 0)!;
    expect(again.acceptedEpoch).toBeUndefined();
    expect(c.packets((p) => p.kind === 'ACKEPOCH', again.messages)[0]).toMatchObject({ currentEpoch: -1 });
    expect(f.r.softState().phase).toBe('active');
  });

  test('a leader whose quorum member has a more recent history steps down instead of leading it', () => {
    // 3 thinks it is best (it never heard of 1's history), 1 has a newer currentEpoch
    const c = new Cluster(three, { 1: { acceptedEpoch: 2, currentEpoch: 2, entries: [e(2, 1)] }, 3: { acceptedEpoch: 1, currentEpoch: 1, entries: [e(1, 1)] } });
    c.cut = new Set(['1>3']); // 3 cannot hear 1's votes, only its quorum packets would reach... none
    c.tick(3);
    c.cut = new Set();
    const l = c.elect();
    expect(l).toBe(1);
    expect(c.n(3).log.map((x) => x.zxid)).toEqual([makeZxid(2, 1)]);
  });
});

describe('synchronization', () => {
  function syncedFollowerReadys(c: Cluster, sid: number): Ready[] {
    return c.n(sid).readys;
  }

  test('ZOOKEEPER-3911/4643/4646/4785: synced txns are fsynced, then currentEpoch written, then NEWLEADER acked', () => {
    const hist = [e(1, 1), e(1, 2), e(1, 3)];
    const c = new Cluster(three, { 3: { entries: hist, acceptedEpoch: 1, currentEpoch: 1 } });
    c.elect();
    const rs = syncedFollowerReadys(c, 1);
    const persistIdx = rs.findIndex((r) => r.entries.length > 0);
    const ackIdx = rs.findIndex((r) => c.packets((p) => p.kind === 'ACK' && p.newLeader, r.messages).length > 0);
    expect(persistIdx).toBeGreaterThanOrEqual(0);
    expect(rs[persistIdx]!.mustSync).toBe(true);
    expect(rs[persistIdx]!.entries.map((x) => x.zxid)).toEqual(hist.map((x) => x.zxid));
    // the entries Ready neither writes currentEpoch nor acks
    expect(rs[persistIdx]!.currentEpoch).toBeUndefined();
    expect(ackIdx).toBeGreaterThan(persistIdx);
    // the ack's Ready writes currentEpoch (epoch files are written before messages are sent)
    expect(rs[ackIdx]!.currentEpoch).toBe(2);
    expect(rs[ackIdx]!.entries).toHaveLength(0);
    // and nothing was applied before UPTODATE
    const applyIdx = rs.findIndex((r) => r.committed.length > 0);
    expect(applyIdx).toBeGreaterThan(ackIdx);
  });

  test('ZOOKEEPER-4685: a proposal that arrives while the NEWLEADER ack waits for the disk is acked after it', () => {
    const c = new Cluster(three, { 3: { entries: [e(1, 1)], acceptedEpoch: 1, currentEpoch: 1 } });
    c.elect();
    // follower 1 restarts empty and resyncs while the leader keeps proposing; its disk is stalled
    c.boot(1, {}, 2);
    c.held.add(1);
    c.tick(2);
    const leader = c.n(3).r;
    leader.propose(bytes('during-sync'));
    c.stabilize();
    c.held.delete(1);
    c.stabilize();
    c.tick(3);
    const acks = c.n(1).readys.flatMap((r) => c.packets((p) => p.kind === 'ACK', r.messages)) as Array<Extract<QuorumPacket, { kind: 'ACK' }>>;
    const nl = acks.findIndex((a) => a.newLeader);
    expect(nl).toBeGreaterThanOrEqual(0);
    expect(acks.slice(0, nl).every((a) => a.newLeader)).toBe(true);
    expect(c.n(1).r.softState().phase).toBe('active');
  });

  test('DIFF: a follower that is a prefix gets only the missing txns', () => {
    const hist = [e(1, 1), e(1, 2), e(1, 3)];
    const c = new Cluster(three, {
      3: { entries: hist, acceptedEpoch: 1, currentEpoch: 1 },
      1: { entries: hist.slice(0, 1), acceptedEpoch: 1, currentEpoch: 1 },
    });
    c.elect();
    const sync = c.n(3).readys.flatMap((r) => c.packets((p, m) => m.to === 1 && (p.kind === 'DIFF' || p.kind === 'TRUNC' || p.kind === 'SNAP'), r.messages));
    expect(sync[0]).toMatchObject({ kind: 'DIFF', zxid: makeZxid(1, 1) });
    expect(c.n(1).log.map((x) => x.zxid)).toEqual(hist.map((x) => x.zxid));
  });

  test('ZOOKEEPER-1154: TRUNC removes only the uncommitted suffix the leader lacks', () => {
    // 1 logged (1,3) and (1,4) that never reached a quorum; 3 leads with (1,2) then its own epoch-2 txn
    const c = new Cluster(three, {
      1: { entries: [e(1, 1), e(1, 2), e(1, 3, 'x'), e(1, 4, 'x')], acceptedEpoch: 2, currentEpoch: 1 },
      2: { entries: [e(1, 1), e(1, 2), e(2, 1)], acceptedEpoch: 2, currentEpoch: 2 },
      3: { entries: [e(1, 1), e(1, 2), e(2, 1)], acceptedEpoch: 2, currentEpoch: 2 },
    });
    expect(c.elect()).toBe(3);
    const sync = c.n(3).readys.flatMap((r) => c.packets((p, m) => m.to === 1 && p.kind === 'TRUNC', r.messages));
    expect(sync[0]).toMatchObject({ kind: 'TRUNC', zxid: makeZxid(1, 2) });
    expect(c.n(1).log.map((x) => x.zxid)).toEqual([makeZxid(1, 1), makeZxid(1, 2), makeZxid(2, 1)]);
  });

  test('a sync packet outside synchronization is refused: no truncation, the learner re-elects', () => {
    const c = new Cluster(three);
    c.elect();
    const f = c.n(1);
    const z = c.n(3).r.propose(bytes('a'))!;
    c.stabilize();
    c.tick(1);
    expect(f.r.commitZxid).toBe(z);
    const last = c.n(3).readys.flatMap((r) => r.messages).filter((m) => m.type === 'packet' && m.to === 1).pop()!;
    if (last.type !== 'packet') throw new Error();
    f.readys = [];
    f.r.step({ ...last, seq: last.seq + 1, p: { kind: 'TRUNC', zxid: 0, entries: [] } });
    c.process(1);
    expect(f.readys.some((r) => r.truncateAfter !== undefined)).toBe(false);
    expect(f.r.role).toBe('looking');
    expect(f.r.commitZxid).toBe(z);
  });

  test('SNAP when the learner is behind the leader\'s compacted log', () => {
    const c = new Cluster(three);
    c.elect();
    const leader = c.n(3).r;
    c.cut = new Set(['3>1', '1>3', '2>1', '1>2']);
    for (let i = 0; i < 5; i++) leader.propose(bytes(`v${i}`));
    c.stabilize();
    c.tick(1);
    leader.compact(leader.commitZxid);
    c.cut = new Set();
    c.tick(12); // 1 gives up, re-elects into 3's epoch and gets a SNAP
    const snap = c.n(3).readys.flatMap((r) => c.packets((p, m) => m.to === 1 && p.kind === 'SNAP', r.messages));
    expect(snap.length).toBeGreaterThan(0);
    const snapReady = c.n(1).readys.find((r) => r.snapshot !== undefined)!;
    expect(snapReady.snapshot!.zxid).toBe(leader.commitZxid);
    expect(c.n(1).r.commitZxid).toBe(leader.commitZxid);
  });
});

describe('broadcast', () => {
  test('paper: a follower acks a proposal only after it is logged (ack in the Ready that persists it)', () => {
    const c = new Cluster(three);
    c.elect();
    c.n(1).readys = [];
    c.n(3).r.propose(bytes('a'));
    c.stabilize();
    const rs = c.n(1).readys;
    const ackIdx = rs.findIndex((r) => c.packets((p) => p.kind === 'ACK' && !p.newLeader, r.messages).length > 0);
    const persisted = rs.findIndex((r) => r.entries.length > 0);
    expect(persisted).toBeGreaterThanOrEqual(0);
    expect(ackIdx).toBeGreaterThanOrEqual(persisted);
    expect(rs[persisted]!.mustSync).toBe(true);
  });

  test('paper: commit needs a quorum, and the leader\'s own vote counts only once its log is durable', () => {
    const c = new Cluster(three);
    c.elect();
    const leader = c.n(3);
    c.cut = new Set(['1>3', '2>3']); // no follower acks reach the leader
    const z = leader.r.propose(bytes('a'))!;
    c.stabilize();
    expect(leader.r.commitZxid).toBeLessThan(z);
    // with one follower ack but the leader's disk stalled: still no commit
    c.cut = new Set(['2>3']);
    c.held.add(3);
    const z2 = leader.r.propose(bytes('b'))!;
    leader.r.tick(); // nothing processed: the Ready is held
    c.stabilize();
    expect(leader.r.commitZxid).toBeLessThan(z2);
    c.held.delete(3);
    c.stabilize();
    c.tick(1);
    expect(leader.r.commitZxid).toBe(z2);
  });

  test('paper: txns are delivered in zxid order, on every member, identically', () => {
    const c = new Cluster(three);
    c.elect();
    for (let i = 0; i < 20; i++) {
      c.n(3).r.propose(bytes(`t${i}`));
      if (i % 3 === 0) c.stabilize();
    }
    c.stabilize();
    c.tick(2);
    const seqs = [1, 2, 3].map((sid) => c.n(sid).applied.map((x) => x.zxid));
    expect(seqs[0]).toHaveLength(20);
    expect(seqs[1]).toEqual(seqs[0]);
    expect(seqs[2]).toEqual(seqs[0]);
    expect([...seqs[0]!].sort((a, b) => a - b)).toEqual(seqs[0]);
  });

  test('batching: many txns proposed in one round travel in one PROPOSAL and one ACK', () => {
    const c = new Cluster(three);
    c.elect();
    c.n(1).readys = [];
    c.n(3).readys = [];
    for (let i = 0; i < 100; i++) c.n(3).r.propose(bytes(`t${i}`));
    c.stabilize();
    const props = c.n(3).readys.flatMap((r) => c.packets((p, m) => m.to === 1 && p.kind === 'PROPOSAL', r.messages));
    expect(props).toHaveLength(1);
    const acks = c.n(1).readys.flatMap((r) => c.packets((p) => p.kind === 'ACK', r.messages));
    expect(acks).toHaveLength(1);
    expect(c.n(3).readys.filter((r) => r.mustSync)).toHaveLength(1);
  });

  test('followers forward writes to the leader (REQUEST -> Ready.requests)', () => {
    const c = new Cluster(three);
    c.elect();
    expect(c.n(1).r.forward(bytes('please'))).toBe(true);
    c.stabilize();
    const reqs = c.n(3).readys.flatMap((r) => r.requests);
    expect(reqs).toEqual([{ from: 1, data: bytes('please') }]);
    expect(c.n(3).r.forward(bytes('x'))).toBe(false); // the leader proposes, it does not forward
  });

  test('the leader answers a learner (reply -> the learner\'s Ready.requests), after the COMMITs sent before', () => {
    const c = new Cluster(three);
    c.elect();
    const z = c.n(3).r.propose(bytes('t1'))!;
    c.process(3); // the PROPOSAL is out; the reply must not overtake the COMMIT
    c.stabilize();
    expect(c.n(3).r.reply(1, bytes('answer'))).toBe(true);
    expect(c.n(3).r.reply(4, bytes('nobody'))).toBe(false);
    expect(c.n(1).r.reply(2, bytes('x'))).toBe(false); // only the leader answers
    c.stabilize();
    const rds = c.n(1).readys;
    const at = rds.findIndex((r) => r.requests.length > 0);
    expect(rds[at]!.requests).toEqual([{ from: 3, data: bytes('answer') }]);
    expect(rds.slice(0, at + 1).some((r) => r.committed.some((e) => e.zxid === z))).toBe(true);
    expect(c.n(2).readys.flatMap((r) => r.requests)).toEqual([]);
  });

  test('pipelining: the leader\'s PROPOSALs may leave before its own log write, which alone never commits them', () => {
    const c = new Cluster(three);
    c.elect();
    const leader = c.n(3);
    const z = leader.r.propose(bytes('a'))!;
    const rd = leader.r.ready(); // the leader's log write is "in flight" until advance
    expect(rd.entries.map((x) => x.zxid)).toEqual([z]);
    expect(rd.sendEarly).toBe(2);
    expect(rd.messages.slice(0, 2).map((m) => (m.type === 'packet' ? m.p.kind : m.type))).toEqual(['PROPOSAL', 'PROPOSAL']);
    // only follower 1's ACK reaches the leader: 1 + the leader's not-yet-durable log is no quorum
    c.cut = new Set(['2>3']);
    c.inflight.push(...rd.messages.slice(0, 2));
    c.stabilize();
    expect(leader.r.commitZxid).toBeLessThan(z);
    leader.log.push(...rd.entries);
    leader.r.advance(rd); // now durable: 1 + 3 commit it
    expect(leader.r.commitZxid).toBe(z);
    const next = leader.r.ready();
    expect(next.committed.map((x) => x.zxid)).toEqual([z]);
    expect(next.applyEarly).toBe(true); // acked by a quorum in an earlier round
    expect(next.messages.slice(0, next.sendEarly).every((m) => m.type === 'packet' && m.p.kind === 'COMMIT')).toBe(true);
    leader.r.advance(next);
  });

  test('pipelining: a Ready that writes an epoch sends nothing early', () => {
    const c = new Cluster(three);
    c.stabilize();
    c.tick(3);
    const withEpoch = [1, 2, 3].flatMap((sid) => c.n(sid).readys).filter((rd) => rd.acceptedEpoch !== undefined || rd.currentEpoch !== undefined);
    expect(withEpoch.length).toBeGreaterThan(0);
    for (const rd of withEpoch) {
      expect(rd.sendEarly).toBeUndefined();
      expect(rd.applyEarly).toBeUndefined();
    }
  });

  test('pipelining: a learner\'s forwarded requests may leave before its log write, its ACKs never', () => {
    const c = new Cluster(three);
    c.elect();
    const f = c.n(1).r;
    c.n(3).r.propose(bytes('a'));
    c.process(3);
    c.stabilize(); // settled: 1 has nothing pending
    c.n(3).r.propose(bytes('b'));
    c.process(3);
    c.n(1).r.step(c.inflight.find((m) => m.to === 1 && m.type === 'packet' && m.p.kind === 'PROPOSAL')!);
    f.forward(bytes('w'));
    const rd = f.ready();
    const kinds = rd.messages.map((m) => (m.type === 'packet' ? m.p.kind : m.type));
    expect(kinds).toEqual(['REQUEST', 'ACK']);
    expect(rd.entries).toHaveLength(1);
    expect(rd.sendEarly).toBe(1); // the REQUEST only
    expect(rd.applyEarly).toBeUndefined();
    f.advance(rd);
  });

  test('the leader may take forwarded requests as they arrive; they are then not in its next Ready', () => {
    const c = new Cluster(three);
    c.elect();
    expect(c.n(1).r.takeRequests()).toEqual([]); // a learner's answers always stay in its Ready
    c.n(1).r.forward(bytes('one'));
    c.process(1);
    const m = c.inflight.shift()!;
    c.n(3).r.step(m);
    expect(c.n(3).r.takeRequests()).toEqual([{ from: 1, data: bytes('one') }]);
    c.n(3).readys = [];
    c.stabilize();
    expect(c.n(3).readys.flatMap((r) => r.requests)).toEqual([]);
  });

  test('propose() is refused until the leader is active', () => {
    const c = new Cluster(three);
    for (const node of c.nodes.values()) expect(node.r.propose(bytes('x'))).toBeNull();
  });
});

describe('liveness', () => {
  test('followers give up on a silent leader after syncLimit ticks', () => {
    const c = new Cluster(three, {}, { syncLimit: 4 });
    c.elect();
    c.cut = new Set(['3>1', '3>2']);
    c.tick(4);
    expect(c.n(1).r.leader).toBe(3);
    c.tick(2);
    // it gave up on 3 (and 1 and 2 have since elected 2 between them)
    expect(c.n(1).r.leader).not.toBe(3);
  });

  test('the leader steps down without a synced quorum', () => {
    const c = new Cluster(three, {}, { syncLimit: 4 });
    c.elect();
    c.cut = new Set(['1>3', '2>3']);
    c.tick(7);
    expect(c.n(3).r.role).not.toBe('leading');
    // and the other two elect a new leader in a higher epoch
    c.cut = new Set(['1>3', '2>3', '3>1', '3>2']);
    c.tick(20);
    const l = [1, 2].find((s) => c.n(s).r.isActiveLeader)!;
    expect(l).toBeDefined();
    expect(c.n(l).r.softState().epoch).toBe(2);
  });

  test('a duplicated packet is ignored; a lost one resets the connection and the learner re-registers', () => {
    const c = new Cluster(three);
    c.elect();
    const f = c.n(1);
    const lastToF = c.n(3).readys.flatMap((r) => r.messages).filter((m) => m.type === 'packet' && m.to === 1).pop()!;
    f.readys = [];
    f.r.step(lastToF); // duplicate
    c.stabilize();
    expect(f.readys.flatMap((r) => c.packets((p) => p.kind === 'FOLLOWERINFO', r.messages))).toHaveLength(0);
    if (lastToF.type !== 'packet') throw new Error();
    f.r.step({ ...lastToF, seq: lastToF.seq + 5 }); // gap
    c.stabilize();
    expect(f.readys.flatMap((r) => c.packets((p) => p.kind === 'FOLLOWERINFO', r.messages))).toHaveLength(1);
    c.tick(2);
    expect(f.r.softState()).toMatchObject({ role: 'following', leader: 3, phase: 'active' });
  });

  test('a learner whose FOLLOWERINFO was lost (e.g. the leader was still looking) resends it every tick while in discovery', () => {
    const c = new Cluster(three, {}, { initLimit: 10 });
    c.cut = new Set(['1>3']); // everything 1 says to 3 is dropped: its votes and its registration
    c.elect();
    expect(c.n(3).r.isActiveLeader).toBe(true);
    expect(c.n(1).r.softState()).toMatchObject({ role: 'following', leader: 3, phase: 'discovery' });
    c.cut = new Set();
    c.tick(2); // well within initLimit: the resent FOLLOWERINFO gets it synced
    expect(c.n(1).r.softState()).toMatchObject({ role: 'following', leader: 3, phase: 'active' });
    // once the leader answered, nothing more is resent; duplicates never disturb the leader
    const before = c.n(1).readys.length;
    c.tick(3);
    const resent = c.n(1).readys.slice(before).flatMap((r) => c.packets((p) => p.kind === 'FOLLOWERINFO', r.messages));
    expect(resent).toHaveLength(0);
    expect(c.n(3).r.softState()).toMatchObject({ role: 'leading', epoch: 1 });
  });

  test('a restarted member rejoins the established leader without disturbing it', () => {
    const c = new Cluster(three);
    c.elect();
    const z = c.n(3).r.propose(bytes('a'))!;
    c.stabilize();
    c.tick(1);
    const f = c.n(1);
    c.boot(1, { entries: f.log, acceptedEpoch: f.accepted, currentEpoch: f.current }, 2);
    c.tick(5);
    expect(c.n(1).r.softState()).toMatchObject({ role: 'following', leader: 3, epoch: 1, phase: 'active' });
    expect(c.n(1).applied.map((x) => x.zxid)).toContain(z);
    expect(c.n(3).r.softState().epoch).toBe(1);
  });
});

describe('fast failover (events instead of ticks)', () => {
  /** Fires the latest finalize wait the node asked for (the shell's ~200 ms timer). */
  const finalize = (c: Cluster, sid: number): void => {
    const token = c.n(sid).readys.map((rd) => rd.finalizeTimer).filter((t) => t !== undefined).pop();
    if (token === undefined) throw new Error(`n${sid} asked for no finalize timer`);
    c.n(sid).r.finalizeElapsed(token);
    c.stabilize();
  };

  test('a learner whose connection to the leader closed looks at once; the survivors elect within the finalize wait, no tick', () => {
    const c = new Cluster(three, {}, { syncLimit: 5 });
    expect(c.elect()).toBe(3);
    c.cut = new Set(['3>1', '3>2', '1>3', '2>3']); // 3 is gone
    c.n(1).r.leaderConnectionLost(2); // not its leader: nothing happens
    c.stabilize();
    expect(c.n(1).r.softState()).toMatchObject({ role: 'following', leader: 3, phase: 'active' });
    for (const sid of [1, 2]) c.n(sid).r.leaderConnectionLost(3);
    c.stabilize();
    expect(c.n(1).r.role).toBe('looking');
    expect(c.n(2).r.role).toBe('looking');
    c.n(2).r.finalizeElapsed(-1); // a stale timer decides nothing
    expect(c.n(2).r.role).toBe('looking');
    finalize(c, 1);
    finalize(c, 2);
    expect(c.n(2).r.softState()).toMatchObject({ role: 'leading', epoch: 2, phase: 'active' });
    expect(c.n(1).r.softState()).toMatchObject({ role: 'following', leader: 2, epoch: 2, phase: 'active' });
    // and it commits without 3
    const z = c.n(2).r.propose(bytes('after failover'))!;
    c.stabilize();
    expect(c.n(1).applied.map((x) => x.zxid)).toContain(z);
  });

  test('a survivor that notices the loss first is heard by one that still follows: they elect within the finalize wait, no resend tick', () => {
    // the race behind 4 s failovers: 2 looks first and its vote reaches 1 while 1 still follows 3; 1 answers
    // with its old vote, and once 1 looks too, its own (worse) vote must get 2's vote back
    const c = new Cluster(three, {}, { syncLimit: 5 });
    expect(c.elect()).toBe(3);
    c.cut = new Set(['3>1', '3>2', '1>3', '2>3']);
    c.n(2).r.leaderConnectionLost(3);
    c.stabilize();
    expect(c.n(1).r.role).toBe('following');
    c.n(1).r.leaderConnectionLost(3);
    c.stabilize();
    finalize(c, 1);
    finalize(c, 2);
    expect(c.n(2).r.softState()).toMatchObject({ role: 'leading', epoch: 2, phase: 'active' });
    expect(c.n(1).r.softState()).toMatchObject({ role: 'following', leader: 2, epoch: 2, phase: 'active' });
  });

  test('two learners that look in turn while their leader lives both rejoin it in the same epoch', () => {
    const c = new Cluster(three, {}, { syncLimit: 5 });
    expect(c.elect()).toBe(3);
    // 2 looks, but 3 is alive and answers: 2 rejoins 3; then 1 looks and must rejoin 3 too, not elect anew
    c.n(2).r.leaderConnectionLost(3);
    c.stabilize();
    expect(c.n(2).r.softState()).toMatchObject({ role: 'following', leader: 3, phase: 'active' });
    c.n(1).r.leaderConnectionLost(3);
    c.stabilize();
    expect(c.n(1).r.softState()).toMatchObject({ role: 'following', leader: 3, epoch: 1, phase: 'active' });
    expect(c.n(3).r.softState()).toMatchObject({ role: 'leading', epoch: 1, phase: 'active' });
  });

  test('a learner whose connection closed while the leader lives rejoins it in the same epoch', () => {
    const c = new Cluster(three);
    expect(c.elect()).toBe(3);
    c.n(1).r.leaderConnectionLost(3);
    c.stabilize();
    expect(c.n(1).r.softState()).toMatchObject({ role: 'following', leader: 3, epoch: 1, phase: 'active' });
    expect(c.n(3).r.softState()).toMatchObject({ role: 'leading', epoch: 1, phase: 'active' });
  });

  test('a registration that reaches the winner before it decided is kept: everyone is synced without a tick', () => {
    const c = new Cluster(three);
    c.stabilize(); // all agree on 3; the default finalizeWait is one tick, so nobody decided yet
    finalize(c, 1);
    finalize(c, 2);
    expect(c.n(1).r.softState()).toMatchObject({ role: 'following', leader: 3, phase: 'discovery' });
    expect(c.n(3).r.role).toBe('looking'); // their FOLLOWERINFOs reached a looking member
    finalize(c, 3);
    expect(c.n(3).r.softState()).toMatchObject({ role: 'leading', epoch: 1, phase: 'active' });
    for (const sid of [1, 2]) expect(c.n(sid).r.softState()).toMatchObject({ role: 'following', leader: 3, epoch: 1, phase: 'active' });
  });
});
