/**
 * A seeded, single-threaded simulation of a ZAB ensemble (TigerBeetle VOPR style): one seed -> options ->
 * a safety phase with faults -> a liveness phase on a healed ensemble -> checkers. Everything random comes
 * from the seed's PRNG, everything timed from the virtual clock, so a seed replays exactly.
 *
 * Checkers: as it happens, no committed txn truncated, skipped or applied differently, one leader per epoch,
 * and three leader rules checked on the input that could break them (many of their violations are masked
 * later, e.g. a wrongly truncated suffix that happened to be uncommitted): a leader's commit is durable on a
 * quorum (on the real disks, so a leader counting its own unsynced copy is caught when it pipelines), an
 * epoch is established only on a quorum of ACKEPOCH votes (-1 is no vote), and a prospective leader never
 * keeps going after an epoch vote from a more recent history (Zab discovery l.1.2). At the end, after a
 * healed liveness phase: convergence, identical digests, no lost acknowledged write, real-time order.
 *
 * Fast failover (on a seed-chosen share of runs, so the tick-only fallback stays covered): the shell reports
 * links to the leader that a crash, partition or block cut (`leaderConnectionLost`, as PeerMesh's onLinkDown
 * does, after a detection delay), sometimes spuriously while the leader is alive (a learner must rejoin), and
 * it fires `Ready.finalizeTimer` in virtual time with jitter, sometimes late, dropped or twice (stale tokens).
 */
import { DataTree, deserializeSnapshot, encodeTxn, readTxn, serializeSnapshotToBuffer, type Txn, type TxnHeader } from '@paddock/data-tree';
import { JuteReader } from '@paddock/protocol';
import { Prng, SimDisk, SimNetwork, VirtualClock } from '@paddock/testkit';
import { fmtZxid, ZabReplica, type Entry, type Message, type Ready, type Snapshot, type SoftState } from '@paddock/zab';

/** clock units per tick */
const TICK = 10;
/** a client gives up on a write after this many ticks (outcome unknown, never counted as acknowledged) */
const CLIENT_TIMEOUT_TICKS = 30;
const OPEN_ACL = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];

export interface SimOptions {
  seed: number;
  participants: number;
  observers: number;
  network: { minLatency: number; maxLatency: number; loss: number; duplicate: number; reorder: number };
  /** per node per tick */
  crashOdds: number;
  /** per tick: kill -9 the active leader */
  leaderCrashOdds: number;
  restartTicks: [number, number];
  loseUnsynced: boolean;
  /** per tick */
  partitionOdds: number;
  partitionTicks: [number, number];
  /** per node: extra clock units a Ready's fsync takes (0 = instant) */
  diskLatency: number[];
  writesPerTick: number;
  snapshotEvery: number;
  maxBatch: number;
  initLimit: number;
  syncLimit: number;
  safetyTicks: number;
  livenessTicks: number;
  /**
   * The shell pipelines Readys as the server does: `sendEarly` messages leave and `applyEarly` txns are
   * applied before the member's own fsync, so follower acks can beat the leader's disk.
   */
  pipelines: boolean;
  failover: FailoverOptions;
}

/** How the shell drives the core's fast-failover inputs (libs/server/src/quorum/quorum-peer.ts). */
export interface FailoverOptions {
  /** report a cut link to each end (`leaderConnectionLost`; the core ignores peers that are not its leader) */
  linkLoss: boolean;
  /** clock units from a cut to the report: [min, max] */
  detectDelay: [number, number];
  /** per tick, safety phase: a learner's link to its live leader resets (it must rejoin the same epoch) */
  spuriousLossOdds: number;
  /** call `finalizeElapsed` for `Ready.finalizeTimer` (else only the tick fallback decides) */
  finalizeTimer: boolean;
  /** clock units: min(200 ms, tickTime) is at most one tick */
  finalizeDelay: number;
  /** extra clock units, uniform in [0, jitter] (a busy event loop fires timers late) */
  finalizeJitter: number;
  finalizeDrop: number;
  finalizeDuplicate: number;
}

export function drawOptions(seed: number): SimOptions {
  const r = new Prng(seed);
  const participants = r.chance(0.5) ? 3 : 5;
  const observers = r.chance(0.4) ? 1 : 0;
  const n = participants + observers;
  const faulty = r.chance(0.85);
  const slow = r.chance(0.5);
  return {
    seed,
    participants,
    observers,
    network: {
      minLatency: 1,
      maxLatency: r.range(1, 8),
      loss: faulty && r.chance(0.6) ? r.float() * 0.02 : 0,
      duplicate: faulty && r.chance(0.5) ? r.float() * 0.02 : 0,
      reorder: faulty && r.chance(0.4) ? r.float() * 0.01 : 0,
    },
    crashOdds: faulty && r.chance(0.8) ? r.float() * 0.006 : 0,
    leaderCrashOdds: faulty && r.chance(0.5) ? r.float() * 0.02 : 0,
    restartTicks: [r.range(1, 10), r.range(10, 80)],
    loseUnsynced: r.chance(0.7),
    partitionOdds: faulty && r.chance(0.6) ? r.float() * 0.01 : 0,
    partitionTicks: [r.range(2, 10), r.range(10, 80)],
    diskLatency: Array.from({ length: n }, () => (slow && r.chance(0.5) ? r.range(1, 25) : 0)),
    writesPerTick: r.pick([0.3, 1, 3, 10]),
    snapshotEvery: r.pick([20, 100, 400]),
    maxBatch: r.pick([1, 8, 1000]),
    initLimit: 10,
    syncLimit: 5,
    safetyTicks: r.range(300, 900),
    livenessTicks: 300,
    pipelines: r.chance(0.7),
    failover: drawFailover(r),
  };
}

/** Drawn after every other option so adding it left the older options of each seed unchanged. */
function drawFailover(r: Prng): FailoverOptions {
  const linkLoss = r.chance(0.6);
  const finalizeTimer = r.chance(0.6);
  return {
    linkLoss,
    detectDelay: [r.range(0, 2), r.range(2, 3 * TICK)],
    spuriousLossOdds: linkLoss && r.chance(0.6) ? r.float() * 0.03 : 0,
    finalizeTimer,
    finalizeDelay: r.range(1, TICK),
    finalizeJitter: r.pick([0, 2, TICK, 3 * TICK]),
    finalizeDrop: finalizeTimer && r.chance(0.3) ? r.float() * 0.3 : 0,
    finalizeDuplicate: finalizeTimer && r.chance(0.4) ? r.float() * 0.3 : 0,
  };
}

export class SimFailure extends Error {}

type LogRec = { t: 'append'; e: Entry } | { t: 'trunc'; after: number } | { t: 'snap'; s: Snapshot };

interface Node {
  sid: number;
  observer: boolean;
  disk: SimDisk<LogRec, number>;
  replica: ZabReplica | null;
  tree: DataTree;
  incarnation: number;
  busy: boolean;
  /** zxid of the last applied txn (reset by a snapshot) */
  applied: number;
  lastSnapAt: number;
  downUntil: number;
  /** highest zxid of the fsynced log (a durable copy for the commit checker) */
  durableTop: number;
  /** highest leader commitZxid already checked against the durable copies */
  checkedCommit: number;
  /** reference model of the leader's learner connections, for the discovery checkers */
  epochModel: EpochModel;
}

/** What the leader has heard on one learner connection during discovery (mirrors LearnerHandler). */
interface ModelConn {
  conn: number;
  recvSeq: number;
  /** a gap reset it (the core closes such a connection) */
  dead: boolean;
  epochAcked: boolean;
  /** an ACKEPOCH with currentEpoch != -1: a vote for the epoch */
  voted: boolean;
}

interface EpochModel {
  /** newest FOLLOWERINFO connection per learner, per incarnation (stale ones are ignored) */
  lastConn: Map<number, number>;
  conns: Map<number, ModelConn>;
  /** FOLLOWERINFO connections that arrived while looking: registered if the election makes us leader */
  early: Map<number, number>;
}

interface WriteReq {
  id: number;
  origin: number;
  op: 'create' | 'set' | 'delete';
  path: string;
  data: string;
}

interface Acked {
  id: number;
  zxid: number;
  key: string;
  submitted: number;
  ackedAt: number;
}

export interface SimResult {
  seed: number;
  ticks: number;
  acked: number;
  committed: number;
  crashes: number;
  partitions: number;
  elections: number;
  lastZxid: string;
  messages: number;
}

function keyOf(data: Uint8Array): string {
  return Buffer.from(data).toString('base64');
}

export class ZabSim {
  readonly o: SimOptions;
  private readonly rng: Prng;
  /** draws for the failover inputs only, so a run with them off replays exactly as before they existed */
  private readonly failoverRng: Prng;
  private readonly clock = new VirtualClock();
  private readonly net: SimNetwork<Message>;
  private readonly nodes: Node[] = [];
  private readonly members: Array<{ sid: number; observer: boolean }>;
  private readonly trace: string[] = [];
  /** zxid -> payload key of every txn any member applied */
  private readonly committed = new Map<number, string>();
  /** the keys of `committed`, sorted */
  private readonly committedSorted: number[] = [];
  private readonly epochLeader = new Map<number, number>();
  private readonly pending = new Map<number, { req: WriteReq; submitted: number }>();
  private readonly acked: Acked[] = [];
  private nextWriteId = 1;
  private crashes = 0;
  private partitions = 0;
  private elections = 0;
  private partitionUntil = -1;
  private tickNo = 0;

  constructor(seed: number, options?: Partial<SimOptions>) {
    this.o = { ...drawOptions(seed), ...options };
    this.rng = new Prng(seed ^ 0x5eed5eed);
    this.failoverRng = new Prng(seed ^ 0x0fa11ed0);
    const n = this.o.participants + this.o.observers;
    this.members = Array.from({ length: n }, (_, i) => ({ sid: i + 1, observer: i >= this.o.participants }));
    this.net = new SimNetwork<Message>(this.clock, this.rng.fork(), { ...this.o.network }, (to, m) => this.deliver(to, m));
    for (const m of this.members) {
      const node: Node = {
        sid: m.sid,
        observer: m.observer,
        disk: new SimDisk<LogRec, number>(this.rng.fork()),
        replica: null,
        tree: new DataTree(),
        incarnation: 0,
        busy: false,
        applied: 0,
        lastSnapAt: 0,
        downUntil: -1,
        durableTop: 0,
        checkedCommit: 0,
        epochModel: { lastConn: new Map(), conns: new Map(), early: new Map() },
      };
      this.nodes.push(node);
      this.boot(node);
    }
  }

  describe(): string {
    const o = this.o;
    return (
      `seed=${o.seed} participants=${o.participants} observers=${o.observers} ` +
      `latency=${o.network.minLatency}-${o.network.maxLatency} loss=${o.network.loss.toFixed(4)} dup=${o.network.duplicate.toFixed(4)} ` +
      `reorder=${o.network.reorder.toFixed(4)} crash=${o.crashOdds.toFixed(4)} leaderCrash=${o.leaderCrashOdds.toFixed(4)} restart=${o.restartTicks.join('-')} ` +
      `loseUnsynced=${o.loseUnsynced} partition=${o.partitionOdds.toFixed(4)}/${o.partitionTicks.join('-')} ` +
      `disk=[${o.diskLatency.join(',')}] writes/tick=${o.writesPerTick} snapEvery=${o.snapshotEvery} batch=${o.maxBatch} ` +
      `safety=${o.safetyTicks} liveness=${o.livenessTicks} pipelines=${o.pipelines} ${this.describeFailover()}`
    );
  }

  private describeFailover(): string {
    const f = this.o.failover;
    const link = f.linkLoss ? `linkLoss=${f.detectDelay.join('-')} spurious=${f.spuriousLossOdds.toFixed(4)}` : 'linkLoss=off';
    const fin = f.finalizeTimer
      ? `finalizeTimer=${f.finalizeDelay}+${f.finalizeJitter} drop=${f.finalizeDrop.toFixed(3)} dup=${f.finalizeDuplicate.toFixed(3)}`
      : 'finalizeTimer=off';
    return `${link} ${fin}`;
  }

  /** event counts by kind (first word after the node), for coverage reporting */
  readonly counts = new Map<string, number>();

  private log(line: string): void {
    const kind = line.split(' ').slice(1, 2).join('').replace(/[^A-Za-z]/g, '') || line.split(' ')[0]!;
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    this.trace.push(`${String(this.clock.now).padStart(6)} ${line}`);
    if (this.trace.length > 400) this.trace.splice(0, 100);
  }

  private fail(why: string): never {
    throw new SimFailure(
      `${why}\n  options: ${this.describe()}\n  last events:\n    ${this.trace.slice(-80).join('\n    ')}\n` +
        `reproduce with SIM_SEED=${this.o.seed}`,
    );
  }

  // ------------------------------------------------------------------------------------- nodes

  private boot(node: Node): void {
    node.incarnation++;
    let snap: Snapshot | null = null;
    let entries: Entry[] = [];
    for (const r of node.disk.records()) {
      if (r.t === 'snap') {
        snap = r.s;
        entries = [];
      } else if (r.t === 'trunc') entries = entries.filter((e) => e.zxid <= r.after);
      else entries.push(r.e);
    }
    const base = snap?.zxid ?? 0;
    node.tree = snap !== null ? deserializeSnapshot(Buffer.from(snap.data), { zxid: snap.zxid }).tree : new DataTree();
    node.applied = base;
    node.lastSnapAt = base;
    node.busy = false;
    node.durableTop = entries.length > 0 ? Math.max(base, entries[entries.length - 1]!.zxid) : base;
    node.checkedCommit = 0;
    node.epochModel = { lastConn: new Map(), conns: new Map(), early: new Map() };
    node.replica = new ZabReplica(
      {
        id: node.sid,
        members: this.members,
        incarnation: node.incarnation,
        initLimit: this.o.initLimit,
        syncLimit: this.o.syncLimit,
        maxBatch: this.o.maxBatch,
        snapshot: () => ({ zxid: node.tree.lastProcessedZxid, data: serializeSnapshotToBuffer(node.tree, []) }),
      },
      {
        acceptedEpoch: node.disk.readFile('acceptedEpoch') ?? 0,
        currentEpoch: node.disk.readFile('currentEpoch') ?? 0,
        snapshotZxid: base,
        entries: entries.filter((e) => e.zxid > base),
      },
    );
    this.net.setDown(node.sid, false);
    this.log(`n${node.sid} boot inc=${node.incarnation} snap=${fmtZxid(base)} last=${fmtZxid(node.replica.lastZxid)} acc=${node.replica.acceptedEpoch} cur=${node.replica.currentEpoch}`);
    this.pump(node);
  }

  private crash(node: Node, downTicks: number): void {
    if (node.replica === null) return;
    const peers = this.nodes.filter((n) => n !== node && this.net.connected(n.sid, node.sid)).map((n) => n.sid);
    const { lost } = node.disk.crash(this.o.loseUnsynced);
    node.replica = null;
    node.busy = false;
    node.downUntil = this.tickNo + downTicks;
    this.net.setDown(node.sid, true);
    this.crashes++;
    for (const [id, p] of this.pending) if (p.req.origin === node.sid) this.pending.delete(id);
    this.log(`n${node.sid} CRASH lost ${lost} unsynced writes, down ${downTicks} ticks`);
    for (const sid of peers) this.reportLinkDown(sid, node.sid, 'peer crashed'); // the kernel closes its sockets
  }

  // ------------------------------------------------------------------------------------- failover inputs

  /** Links up now, between nodes (either way), to report as cut once a fault took them down. */
  private upLinks(): Array<[number, number]> {
    const links: Array<[number, number]> = [];
    for (const a of this.nodes) {
      for (const b of this.nodes) {
        if (a.sid < b.sid && this.net.connected(a.sid, b.sid) && this.net.connected(b.sid, a.sid)) links.push([a.sid, b.sid]);
      }
    }
    return links;
  }

  /** After a network fault: the ends of each link it cut see the connection fail (a one-way cut: one end or both). */
  private reportCutLinks(wasUp: Array<[number, number]>, why: string): void {
    for (const [a, b] of wasUp) {
      const ab = this.net.connected(a, b);
      const ba = this.net.connected(b, a);
      if (ab && ba) continue;
      const oneWay = ab || ba;
      const ends: Array<[number, number]> = [[a, b], [b, a]];
      for (const [end, peer] of ends) {
        if (!oneWay || this.failoverRng.chance(0.5)) this.reportLinkDown(end, peer, why);
      }
    }
  }

  /**
   * The server's PeerMesh reports that its link to `peer` closed (after every frame it delivered): the core
   * is told after a detection delay, even if a new link is up by then (as when the old socket's close event
   * comes late), and ignores it unless `peer` is its leader.
   */
  private reportLinkDown(sid: number, peer: number, why: string, delay?: number): void {
    const f = this.o.failover;
    if (!f.linkLoss) return;
    const node = this.nodes[sid - 1]!;
    const rep = node.replica;
    if (rep === null) return;
    const after = delay ?? this.failoverRng.range(f.detectDelay[0], f.detectDelay[1]);
    this.clock.after(after, () => {
      if (node.replica !== rep) return; // crashed meanwhile: that process's sockets are gone
      const before = rep.softState();
      const ofLeader = before.role !== 'leading' && before.role !== 'looking' && before.leader === peer;
      rep.leaderConnectionLost(peer);
      if (ofLeader) this.log(`n${sid} linkdown to leader n${peer} (${why})`);
      this.checkLeader(node, rep, before, null);
      this.pump(node);
    });
  }

  /** A learner's link to its leader resets while both stay up: it looks, and rejoins the same leader. */
  private spuriousLinkLoss(): void {
    const f = this.o.failover;
    if (!this.failoverRng.chance(f.spuriousLossOdds)) return;
    const learners = this.nodes.filter((n) => {
      const s = n.replica?.softState();
      return s !== undefined && (s.role === 'following' || s.role === 'observing') && s.leader > 0;
    });
    if (learners.length === 0) return;
    const node = this.failoverRng.pick(learners);
    this.reportLinkDown(node.sid, node.replica!.softState().leader, 'spurious reset', this.failoverRng.range(0, 2));
  }

  /** Ready.finalizeTimer: a timer in virtual time, with jitter; sometimes lost or fired twice (stale token). */
  private scheduleFinalize(node: Node, token: number): void {
    const f = this.o.failover;
    if (!f.finalizeTimer) return;
    if (this.failoverRng.chance(f.finalizeDrop)) return; // the tick fallback must decide
    const rep = node.replica!;
    const copies = this.failoverRng.chance(f.finalizeDuplicate) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      this.clock.after(f.finalizeDelay + this.failoverRng.range(0, f.finalizeJitter), () => {
        if (node.replica !== rep) return; // timers die with the process
        const before = rep.softState();
        rep.finalizeElapsed(token);
        const now = rep.softState();
        if (now.role !== before.role) this.log(`n${node.sid} finalize timer ${token} decided ${now.role} leader=${now.leader}`);
        this.checkLeader(node, rep, before, null);
        this.pump(node);
      });
    }
  }

  private deliver(to: number, m: Message): void {
    const node = this.nodes[to - 1]!;
    const rep = node.replica;
    if (rep === null) return;
    const before = rep.softState();
    if (before.role === 'looking' && m.type === 'packet' && m.p.kind === 'FOLLOWERINFO' && m.seq === 0 && m.from !== node.sid) {
      const early = node.epochModel.early;
      if ((early.get(m.from) ?? -1) < m.conn) early.set(m.from, m.conn);
    }
    const moreRecent = before.role === 'leading' ? this.modelLeaderPacket(node, rep, before, m) : null;
    rep.step(m);
    this.checkLeader(node, rep, before, moreRecent);
    this.pump(node);
  }

  /**
   * Mirrors the leader's learner bookkeeping for one packet. Returns the sender if this packet is an epoch vote
   * (ACKEPOCH != -1) in discovery from a participant whose history is more recent than the leader's.
   */
  private modelLeaderPacket(node: Node, rep: ZabReplica, soft: SoftState, m: Message): number | null {
    if (m.type !== 'packet' || m.to !== node.sid || m.from === node.sid) return null;
    const model = node.epochModel;
    if (m.p.kind === 'FOLLOWERINFO' && m.seq === 0) {
      this.modelRegister(model, m.from, m.conn);
      return null;
    }
    const c = model.conns.get(m.from);
    if (c === undefined || c.conn !== m.conn || c.dead || m.seq < 0 || m.seq < c.recvSeq) return null;
    if (m.seq > c.recvSeq) {
      c.dead = true;
      return null;
    }
    c.recvSeq++;
    if (m.p.kind !== 'ACKEPOCH' || c.epochAcked || soft.epoch <= 0) return null;
    c.epochAcked = true;
    const participant = this.members.some((x) => x.sid === m.from && !x.observer);
    if (!participant || m.p.currentEpoch === -1) return null;
    c.voted = true;
    const newer = m.p.currentEpoch > rep.currentEpoch || (m.p.currentEpoch === rep.currentEpoch && m.p.lastZxid > rep.lastZxid);
    return soft.phase === 'discovery' && newer ? m.from : null;
  }

  private modelRegister(model: EpochModel, from: number, conn: number): void {
    if ((model.lastConn.get(from) ?? -1) >= conn) return;
    model.lastConn.set(from, conn);
    model.conns.set(from, { conn, recvSeq: 1, dead: false, epochAcked: false, voted: false });
  }

  /** Discovery and commit invariants of a leader, checked right after the input that could break them. */
  private checkLeader(node: Node, rep: ZabReplica, before: SoftState, moreRecent: number | null): void {
    const now = rep.softState();
    const model = node.epochModel;
    if (now.role === 'leading' && before.role !== 'leading') model.conns.clear(); // a new leadership
    if (before.role === 'looking' && now.role !== 'looking') {
      // the core keeps FOLLOWERINFOs that came while it was looking and registers them if it leads
      if (now.role === 'leading') for (const [sid, conn] of model.early) this.modelRegister(model, sid, conn);
      model.early.clear();
    }
    if (now.role !== 'leading') return;
    if (moreRecent !== null) {
      this.fail(`n${node.sid} kept leading epoch ${now.epoch} after n${moreRecent}'s epoch vote reported a more recent history (discovery, step l.1.2)`);
    }
    if (before.role === 'leading' && before.phase === 'discovery' && now.phase !== 'discovery') {
      const voters = [node.sid, ...[...node.epochModel.conns].filter(([, c]) => c.voted && !c.dead).map(([sid]) => sid)];
      if (voters.length < this.quorumSize()) {
        this.fail(`n${node.sid} established epoch ${now.epoch} with epoch votes from only [${voters.join(',')}] (an ACKEPOCH of -1 is no vote)`);
      }
    }
    const commit = rep.commitZxid;
    if (commit > node.checkedCommit) {
      node.checkedCommit = commit;
      const holders = this.nodes.filter((n) => !n.observer && n.durableTop >= commit).map((n) => n.sid);
      if (holders.length < this.quorumSize()) {
        this.fail(`leader n${node.sid} committed ${fmtZxid(commit)} but only [${holders.join(',')}] hold it durably`);
      }
    }
  }

  private quorumSize(): number {
    return Math.floor(this.o.participants / 2) + 1;
  }

  /** Carries out Readys: writes now, fsync + epoch files + send + apply after the node's disk latency. */
  private pump(node: Node): void {
    for (;;) {
      const rep = node.replica;
      if (rep === null || node.busy || !rep.hasReady()) return;
      const rd = rep.ready();
      if (rd.finalizeTimer !== undefined) this.scheduleFinalize(node, rd.finalizeTimer);
      this.write(node, rd);
      const lat = this.o.diskLatency[node.sid - 1]!;
      if (lat > 0 && rd.mustSync) {
        node.busy = true;
        const inc = node.incarnation;
        const early = this.o.pipelines ? (rd.sendEarly ?? 0) : 0;
        for (const m of rd.messages.slice(0, early)) this.net.send(m.from, m.to, m);
        const appliedEarly = this.o.pipelines && rd.applyEarly === true;
        if (appliedEarly) for (const e of rd.committed) this.apply(node, e);
        this.clock.after(lat, () => {
          if (node.incarnation !== inc || node.replica !== rep) return; // crashed meanwhile
          node.busy = false;
          this.complete(node, rd, early, appliedEarly);
          this.pump(node);
        });
        return;
      }
      this.complete(node, rd, 0, false);
    }
  }

  private diskLog(node: Node): Entry[] {
    let entries: Entry[] = [];
    for (const r of node.disk.records()) {
      if (r.t === 'snap') entries = [];
      else if (r.t === 'trunc') entries = entries.filter((e) => e.zxid <= r.after);
      else entries.push(r.e);
    }
    return entries;
  }

  private write(node: Node, rd: Ready): void {
    const rep = node.replica!;
    if (rd.soft !== undefined) {
      const s = rd.soft;
      this.log(`n${node.sid} ${s.role} leader=${s.leader} epoch=${s.epoch} phase=${s.phase} (${rep.lastTransition})`);
      if (s.role === 'leading' && (s.phase === 'sync' || s.phase === 'active')) {
        const prev = this.epochLeader.get(s.epoch);
        if (prev !== undefined && prev !== node.sid) this.fail(`two leaders established for epoch ${s.epoch}: n${prev} and n${node.sid}`);
        if (prev === undefined) this.elections++;
        this.epochLeader.set(s.epoch, node.sid);
      }
    }
    if (rd.snapshot !== undefined) {
      node.disk.append({ t: 'snap', s: rd.snapshot });
      this.log(`n${node.sid} install SNAP ${fmtZxid(rd.snapshot.zxid)}`);
    }
    if (rd.truncateAfter !== undefined) {
      const t = rd.truncateAfter;
      const dropped = this.diskLog(node).filter((e) => e.zxid > t);
      for (const e of dropped) {
        if (this.committed.get(e.zxid) === keyOf(e.data)) this.fail(`n${node.sid} truncated committed txn ${fmtZxid(e.zxid)} (TRUNC ${fmtZxid(t)})`);
      }
      node.disk.append({ t: 'trunc', after: t });
      this.log(`n${node.sid} TRUNC after ${fmtZxid(t)} dropping ${dropped.length}`);
    }
    for (const e of rd.entries) node.disk.append({ t: 'append', e });
  }

  private complete(node: Node, rd: Ready, alreadySent: number, appliedEarly: boolean): void {
    const rep = node.replica!;
    if (rd.mustSync) {
      node.disk.fsync();
      if (rd.snapshot !== undefined) node.durableTop = rd.snapshot.zxid;
      if (rd.truncateAfter !== undefined) node.durableTop = Math.min(node.durableTop, rd.truncateAfter);
      if (rd.entries.length > 0) node.durableTop = rd.entries[rd.entries.length - 1]!.zxid;
    }
    if (rd.acceptedEpoch !== undefined) node.disk.writeFile('acceptedEpoch', rd.acceptedEpoch);
    if (rd.currentEpoch !== undefined) node.disk.writeFile('currentEpoch', rd.currentEpoch);
    for (const m of rd.messages.slice(alreadySent)) this.net.send(m.from, m.to, m);
    if (rd.snapshot !== undefined) {
      node.tree = deserializeSnapshot(Buffer.from(rd.snapshot.data), { zxid: rd.snapshot.zxid }).tree;
      node.applied = rd.snapshot.zxid;
    }
    if (!appliedEarly) for (const e of rd.committed) this.apply(node, e);
    const before = rep.softState();
    rep.advance(rd);
    this.checkLeader(node, rep, before, null);
    for (const r of rd.requests) this.proposeOnLeader(node, JSON.parse(Buffer.from(r.data).toString()) as WriteReq);
    this.maybeSnapshot(node);
  }

  private apply(node: Node, e: Entry): void {
    if (e.zxid <= node.applied) this.fail(`n${node.sid} applied ${fmtZxid(e.zxid)} after ${fmtZxid(node.applied)}`);
    const key = keyOf(e.data);
    const prev = this.committed.get(e.zxid);
    if (prev !== undefined && prev !== key) this.fail(`n${node.sid} committed a different txn at ${fmtZxid(e.zxid)}`);
    // no gap: nothing committed anywhere lies between this member's previous txn and this one
    const cs = this.committedSorted;
    let lo = 0;
    let hi = cs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cs[mid]! <= node.applied) lo = mid + 1;
      else hi = mid;
    }
    if (lo < cs.length && cs[lo]! < e.zxid) {
      this.fail(`n${node.sid} applied ${fmtZxid(e.zxid)} after ${fmtZxid(node.applied)}, skipping committed ${fmtZxid(cs[lo]!)} (a committed txn was lost)`);
    }
    if (prev === undefined) {
      this.committed.set(e.zxid, key);
      cs.splice(lo, 0, e.zxid);
    }
    const { header, txn } = readTxn(new JuteReader(Buffer.from(e.data)));
    if (header.zxid !== e.zxid) this.fail(`n${node.sid} txn header zxid ${header.zxid} != entry ${e.zxid}`);
    node.tree.apply(header, txn);
    node.applied = e.zxid;
    const p = this.pending.get(header.cxid);
    if (p !== undefined && p.req.origin === node.sid) {
      this.pending.delete(header.cxid);
      this.acked.push({ id: header.cxid, zxid: e.zxid, key, submitted: p.submitted, ackedAt: this.clock.now });
    }
  }

  private maybeSnapshot(node: Node): void {
    const rep = node.replica;
    if (rep === null || node.busy || node.disk.unsyncedCount > 0) return;
    const z = node.tree.lastProcessedZxid;
    if (z - node.lastSnapAt < this.o.snapshotEvery || z > rep.log.durable) return;
    const snap: Snapshot = { zxid: z, data: serializeSnapshotToBuffer(node.tree, []) };
    const rest = this.diskLog(node).filter((e) => e.zxid > z);
    node.disk.rewrite([{ t: 'snap', s: snap }, ...rest.map((e): LogRec => ({ t: 'append', e }))]);
    rep.compact(z);
    node.lastSnapAt = z;
  }

  // ------------------------------------------------------------------------------------- clients

  private txnFor(node: Node, req: WriteReq, zxid: number): Uint8Array {
    const header: TxnHeader = { sessionId: BigInt(req.origin), cxid: req.id, zxid, time: this.clock.now, type: 0 };
    let txn: Txn;
    const data = Buffer.from(req.data);
    if (req.op === 'create') {
      header.type = 1;
      txn = { type: 1, path: req.path, data, acl: OPEN_ACL, ephemeral: false, parentCVersion: -1 };
    } else if (req.op === 'set') {
      header.type = 5;
      const n = node.tree.getNode(req.path);
      txn = { type: 5, path: req.path, data, version: n === undefined ? 0 : node.tree.versionOf(n) + 1 };
    } else {
      header.type = 2;
      txn = { type: 2, path: req.path };
    }
    return encodeTxn(header, txn);
  }

  private proposeOnLeader(node: Node, req: WriteReq): void {
    const rep = node.replica;
    if (rep === null) return;
    const z = rep.propose((zxid) => this.txnFor(node, req, zxid));
    if (z !== null) this.pump(node);
  }

  private submitWrite(node: Node, req: WriteReq): void {
    const rep = node.replica;
    if (rep === null) return;
    this.pending.set(req.id, { req, submitted: this.clock.now });
    if (rep.isActiveLeader) this.proposeOnLeader(node, req);
    else if (rep.forward(Buffer.from(JSON.stringify(req)))) this.pump(node);
    else this.pending.delete(req.id);
  }

  private randomWrite(origin: number): WriteReq {
    const id = this.nextWriteId++;
    const path = `/k${this.rng.int(24)}`;
    const op = this.rng.pick(['create', 'create', 'set', 'set', 'set', 'delete'] as const);
    return { id, origin, op, path, data: `w${id}` };
  }

  // ------------------------------------------------------------------------------------- run

  private faults(): void {
    const o = this.o;
    for (const node of this.nodes) {
      if (node.replica === null) {
        if (this.tickNo >= node.downUntil) this.boot(node);
      } else if (this.rng.chance(o.crashOdds)) {
        this.crash(node, this.rng.range(o.restartTicks[0], o.restartTicks[1]));
      }
    }
    if (this.rng.chance(o.leaderCrashOdds)) {
      const leader = this.nodes.find((n) => n.replica?.isActiveLeader === true);
      if (leader !== undefined) this.crash(leader, this.rng.range(o.restartTicks[0], o.restartTicks[1]));
    }
    if (this.partitionUntil >= 0 && this.tickNo >= this.partitionUntil) {
      this.net.heal();
      this.partitionUntil = -1;
      this.log('partition healed');
    } else if (this.partitionUntil < 0 && this.rng.chance(o.partitionOdds)) {
      const wasUp = this.o.failover.linkLoss ? this.upLinks() : [];
      const sids = this.rng.shuffle(this.nodes.map((n) => n.sid));
      if (this.rng.chance(0.3)) {
        // one-way: a node hears nobody (or nobody hears it)
        const victim = sids[0]!;
        const inbound = this.rng.chance(0.5);
        for (const s of sids.slice(1)) {
          if (inbound) this.net.block(s, victim);
          else this.net.block(victim, s);
        }
        this.log(`partition: n${victim} ${inbound ? 'deaf' : 'mute'}`);
      } else {
        const cut = this.rng.range(1, sids.length - 1);
        this.net.partition([sids.slice(0, cut), sids.slice(cut)]);
        this.log(`partition: [${sids.slice(0, cut).join(',')}] | [${sids.slice(cut).join(',')}]`);
      }
      this.reportCutLinks(wasUp, 'partition');
      this.partitions++;
      this.partitionUntil = this.tickNo + this.rng.range(o.partitionTicks[0], o.partitionTicks[1]);
    }
    if (o.failover.linkLoss) this.spuriousLinkLoss();
  }

  private tickAll(): void {
    for (const node of this.nodes) {
      const rep = node.replica;
      if (rep === null) continue;
      const before = rep.softState();
      rep.tick();
      this.checkLeader(node, rep, before, null);
      this.pump(node);
    }
  }

  private clientWrites(rate: number): void {
    for (const [id, p] of this.pending) if (this.clock.now - p.submitted > CLIENT_TIMEOUT_TICKS * TICK) this.pending.delete(id);
    let k = Math.floor(rate) + (this.rng.chance(rate - Math.floor(rate)) ? 1 : 0);
    while (k-- > 0) {
      const live = this.nodes.filter((n) => n.replica !== null);
      if (live.length === 0) return;
      const node = this.rng.pick(live);
      this.submitWrite(node, this.randomWrite(node.sid));
    }
  }

  private advanceTick(): void {
    this.tickNo++;
    this.clock.runUntil(this.tickNo * TICK);
  }

  run(): SimResult {
    const o = this.o;
    // safety phase: faults on, every invariant checked as it happens
    for (let i = 0; i < o.safetyTicks; i++) {
      this.advanceTick();
      this.faults();
      this.tickAll();
      this.clientWrites(o.writesPerTick);
    }
    // liveness phase: heal everything (network faults off, everyone up) and require convergence
    this.log('--- liveness phase: healing');
    this.net.heal();
    this.partitionUntil = -1;
    this.net.options = { ...o.network, loss: 0, duplicate: 0, reorder: 0 };
    for (const node of this.nodes) if (node.replica === null) this.boot(node);
    const healedAt = this.tickNo;
    let probe: number | null = null;
    let probeAt = 0;
    let converged = false;
    while (this.tickNo - healedAt < o.livenessTicks) {
      this.advanceTick();
      this.tickAll();
      const leader = this.nodes.find((n) => n.replica?.isActiveLeader === true);
      if (leader === undefined) continue;
      if (probe === null) {
        const req = this.randomWrite(leader.sid);
        probe = req.id;
        probeAt = this.tickNo;
        this.submitWrite(leader, req);
        continue;
      }
      if (this.pending.has(probe)) {
        if (this.tickNo - probeAt > CLIENT_TIMEOUT_TICKS) {
          this.pending.delete(probe); // sent to a leader that was deposed: the client gives up and retries
          probe = null;
        }
        continue;
      }
      if (!this.acked.some((a) => a.id === probe)) {
        probe = null; // lost with a leader change: try again
        continue;
      }
      const target = leader.replica!.commitZxid;
      if (this.nodes.every((n) => n.replica !== null && !n.busy && n.applied === target && n.replica.commitZxid === target)) {
        converged = true;
        break;
      }
    }
    if (!converged) {
      const st = this.nodes.map((n) => {
        if (n.replica === null) return `n${n.sid}:down`;
        const x = n.replica.status();
        return `n${n.sid}:${x.role}/${x.phase} applied=${fmtZxid(n.applied)} commit=${fmtZxid(x.commitZxid)} last=${fmtZxid(x.lastZxid)} durable=${fmtZxid(n.replica.log.durable)} busy=${n.busy} synced=[${x.syncedFollowers.join(',')}]`;
      });
      st.push(`probe=${probe} pending=${probe !== null && this.pending.has(probe)}`);
      this.fail(`no convergence within ${o.livenessTicks} ticks of healing:\n  ${st.join('\n  ')}`);
    }
    this.finalChecks();
    return {
      seed: o.seed,
      ticks: this.tickNo,
      acked: this.acked.length,
      committed: this.committed.size,
      crashes: this.crashes,
      partitions: this.partitions,
      elections: this.elections,
      lastZxid: fmtZxid(this.nodes[0]!.applied),
      messages: this.net.sent,
    };
  }

  private finalChecks(): void {
    // a reference replica: every committed txn, in zxid order, on a fresh tree
    const ref = new DataTree();
    const zxids = [...this.committed.keys()].sort((a, b) => a - b);
    const byZxid = new Map<number, Uint8Array>();
    for (const n of this.nodes) for (const e of n.replica!.log.slice(-1)) byZxid.set(e.zxid, e.data);
    for (const n of this.nodes) for (const e of this.diskLog(n)) byZxid.set(e.zxid, e.data);
    for (const z of zxids) {
      const data = byZxid.get(z);
      if (data === undefined) continue; // compacted everywhere: checked through the digests below
      if (keyOf(data) !== this.committed.get(z)) this.fail(`the logged txn at ${fmtZxid(z)} is not the one applied`);
    }
    const complete = zxids.every((z) => byZxid.has(z));
    if (complete) {
      for (const z of zxids) {
        const { header, txn } = readTxn(new JuteReader(Buffer.from(byZxid.get(z)!)));
        ref.apply(header, txn);
      }
    }
    const digests = this.nodes.map((n) => n.tree.digest());
    for (let i = 1; i < digests.length; i++) {
      if (digests[i] !== digests[0]) this.fail(`trees diverged: n1 digest ${digests[0]} vs n${i + 1} ${digests[i]}`);
    }
    if (complete && ref.digest() !== digests[0]) this.fail(`members agree but differ from the committed history (a txn skipped or lost)`);
    const last = this.nodes[0]!.applied;
    const maxCommitted = this.committedSorted[this.committedSorted.length - 1] ?? 0;
    if (maxCommitted > last) this.fail(`committed txn ${fmtZxid(maxCommitted)} is beyond the converged state ${fmtZxid(last)}`);
    for (const a of this.acked) {
      if (this.committed.get(a.zxid) !== a.key) this.fail(`acknowledged write ${a.id} at ${fmtZxid(a.zxid)} lost`);
      if (a.zxid > last) this.fail(`acknowledged write ${a.id} at ${fmtZxid(a.zxid)} is beyond the converged state ${fmtZxid(last)}`);
    }
    // real-time order of writes: if A was acknowledged before B was submitted, A precedes B
    const sorted = [...this.acked].sort((a, b) => b.zxid - a.zxid);
    let minAckAbove = Infinity;
    for (const b of sorted) {
      if (minAckAbove < b.submitted) this.fail(`write ${b.id} (${fmtZxid(b.zxid)}) was ordered before a write acknowledged before it was submitted`);
      minAckAbove = Math.min(minAckAbove, b.ackedAt);
    }
  }
}
