/**
 * The shell around the pure ZAB core for one ensemble member: sockets (PeerMesh on the election and
 * quorum ports), the tick timer, the disk (TxnLog, SnapshotStore, epoch files) and the ZkServer.
 *
 * Each Ready is carried out in the documented order: install snapshot -> truncate -> append -> one fsync
 * (mustSync) -> epoch files (atomic) -> send -> apply committed (ZkServer.commit, zxid order) -> advance ->
 * leader: prep forwarded requests. Only one Ready is in flight; ticks and messages keep being fed meanwhile.
 *
 * Serving: the client port serves only while this member is an active leader or a learner synced with one
 * (UPTODATE). Every change of role drops all client connections (clients see ConnectionLoss and reconnect,
 * possibly elsewhere, keeping their session), forgets pending proposals and resets the prep overlay — as a
 * ZooKeeper member shuts its ZooKeeperServer down when it stops following/leading.
 *
 * Sessions: createSession/closeSession are txns, so every member knows every session. Only the active
 * leader expires sessions (and reaps containers/TTLs). Learners report the sessions their clients were
 * heard from once per tick (a "touches" REQUEST); the leader touches them in its SessionTracker. A new
 * leader gives every session a full timeout when it becomes active.
 */
import { deserializeSnapshot, encodeTxn, readTxn, serializeSnapshotToBuffer } from '@paddock/data-tree';
import type { Txn, TxnHeader } from '@paddock/data-tree';
import { ErrorCode, JuteReader } from '@paddock/protocol';
import { ZabReplica, fmtZxid, makeZxid, type Message, type PersistentState, type Ready, type SoftState, type ZabStatus } from '@paddock/zab';
import type { ServerConfig } from '../config/index.js';
import { ACCEPTED_EPOCH_FILE, CURRENT_EPOCH_FILE, writeEpochFile } from '../persistence/epoch-file.js';
import { versionDir } from '../persistence/files.js';
import type { SnapshotStore, TxnLog } from '../persistence/index.js';
import type { Broadcast, ZkServer } from '../zk-server.js';
import { MAX_ELECTION_FRAME, MAX_QUORUM_FRAME } from './codec.js';
import { decodeLeaderAnswer, decodeLeaderRequest, encodeForwardedWrite, encodeMovedNotice, encodeRevalidate, encodeRevalidated, encodeTouches, type MovedNotice, type Revalidated } from './forward-codec.js';
import { PeerMesh } from './peer-mesh.js';

export type QuorumMode = 'leader' | 'follower' | 'observer';

/** ZooKeeper's FastLeaderElection finalizeWait: how long a quorum's agreement must stand before deciding */
const FINALIZE_WAIT_MS = 200;

export interface QuorumPeerOptions {
  config: ServerConfig;
  server: ZkServer;
  log: TxnLog;
  snapshots: SnapshotStore;
  state: PersistentState;
  incarnation: number;
  logger(level: 'info' | 'warn', message: string): void;
  /** called after committed txns were applied (snapshot scheduling) */
  afterApply(count: number): void;
  /** fatal disk error: the member must stop */
  onFatal(err: Error): void;
}

/** The leader's Broadcast: a txn stamped by ZkServer.propose becomes a ZAB proposal. */
export class QuorumBroadcast implements Broadcast {
  constructor(private readonly peer: QuorumPeer) {}

  propose(header: TxnHeader, txn: Txn): void {
    this.peer.proposeTxn(header, txn);
  }
}

export class QuorumPeer {
  readonly replica: ZabReplica;
  private readonly election: PeerMesh;
  private readonly quorum: PeerMesh;
  private readonly dataVersionDir: string;
  private busy = false;
  private closed = false;
  private pumpQueued = false;
  private timer: NodeJS.Timeout | null = null;
  /** election finalize waits requested by the core (Ready.finalizeTimer) */
  private readonly finalizeTimers = new Set<NodeJS.Timeout>();
  private readonly finalizeWaitMs: number;
  private ticks = 0;
  /** learner: reconnects waiting for the leader's revalidation, by token */
  private readonly revalidations = new Map<number, (valid: boolean) => void>();
  private nextToken = 1;
  /** leader: sizes of the serialized txns proposed (ZooKeeper's proposalStats: mntr zk_*_proposal_size, stat) */
  readonly proposalSizes = { last: -1, min: -1, max: -1 };
  /** the role the client port currently serves as; null = not serving */
  mode: QuorumMode | null = null;
  soft: SoftState;
  /** when the current mode began (mntr leader_uptime) */
  modeSince = Date.now();
  readonly peerStartedAt = Date.now();

  constructor(private readonly o: QuorumPeerOptions) {
    const c = o.config;
    const id = c.serverId!;
    this.dataVersionDir = versionDir(c.dataDir);
    const server = o.server;
    this.replica = new ZabReplica(
      {
        id,
        members: c.servers.map((s) => ({ sid: s.id, observer: s.type === 'observer' })),
        incarnation: o.incarnation,
        initLimit: c.initLimit,
        syncLimit: c.syncLimit,
        maxBatch: c.maxBatchSize > 0 ? c.maxBatchSize : 1000,
        snapshot: () => ({
          zxid: server.tree.lastProcessedZxid,
          data: serializeSnapshotToBuffer(server.tree, [...server.sessions.all()].map((s): [bigint, number] => [s.id, s.timeout])),
        }),
      },
      o.state,
    );
    this.soft = this.replica.softState();
    const me = c.servers.find((s) => s.id === id)!;
    const listenHost = c.quorumListenOnAllIPs ? '0.0.0.0' : me.host;
    const retryMs = Math.max(50, Math.min(1000, Math.floor(c.tickTime / 2)));
    this.finalizeWaitMs = Math.min(FINALIZE_WAIT_MS, c.tickTime);
    const onMessage = (m: Message) => this.onMessage(m);
    const log = o.logger;
    this.election = new PeerMesh({
      name: 'election', self: id, listenHost, listenPort: me.electionPort, maxFrame: MAX_ELECTION_FRAME, retryMs, onMessage, log,
      peers: c.servers.map((s) => ({ sid: s.id, host: s.host, port: s.electionPort })),
    });
    this.quorum = new PeerMesh({
      name: 'quorum', self: id, listenHost, listenPort: me.quorumPort, maxFrame: MAX_QUORUM_FRAME, retryMs, onMessage, log,
      peers: c.servers.map((s) => ({ sid: s.id, host: s.host, port: s.quorumPort })),
      onLinkDown: (sid) => this.onQuorumLinkDown(sid),
    });
    server.broadcast = new QuorumBroadcast(this);
    server.quorumSync = true;
    server.serving = false;
    server.onBroadcastUnavailable = () => this.setMode(null, 'broadcast unavailable');
  }

  async start(): Promise<void> {
    await this.election.listen();
    await this.quorum.listen();
    this.timer = setInterval(() => this.tick(), this.o.config.tickTime);
    this.o.logger('info', `quorum member ${this.replica.id}: election port ${this.o.config.servers.find((s) => s.id === this.replica.id)!.electionPort}, looking for a leader`);
    this.schedulePump();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    for (const t of this.finalizeTimers) clearTimeout(t);
    this.finalizeTimers.clear();
    await Promise.all([this.election.close(), this.quorum.close()]);
  }

  status(): ZabStatus {
    return this.replica.status();
  }

  /** Leader only (ZkServer.propose via QuorumBroadcast). */
  proposeTxn(header: TxnHeader, txn: Txn): void {
    const data = encodeTxn(header, txn);
    const zxid = this.mode === 'leader' ? this.replica.propose(data) : null;
    if (zxid !== null) this.recordProposalSize(data.length);
    if (zxid !== header.zxid) {
      if (zxid !== null) {
        // ZkServer and the core disagree on the next zxid: a bug; refuse to serve rather than diverge
        this.o.onFatal(new Error(`zxid mismatch: server stamped ${fmtZxid(header.zxid)}, core assigned ${fmtZxid(zxid)}`));
        return;
      }
      // the core stepped down before we saw its Ready: stop serving now (the client sees ConnectionLoss)
      queueMicrotask(() => this.setMode(null, 'not an active leader any more'));
      return;
    }
    this.schedulePump();
  }

  private recordProposalSize(n: number): void {
    const p = this.proposalSizes;
    p.last = n;
    if (p.min < 0 || n < p.min) p.min = n;
    if (n > p.max) p.max = n;
  }

  /** srst: ZooKeeper's resetStatistics also clears the proposal stats. */
  resetProposalSizes(): void {
    Object.assign(this.proposalSizes, { last: -1, min: -1, max: -1 });
  }

  private onMessage(m: Message): void {
    if (this.closed) return;
    try {
      // (a learner that registers while we are still looking is kept by the core until we lead)
      this.replica.step(m);
    } catch (err) {
      // an invariant of the core broke (e.g. a TRUNC below the commit point): never go on serving
      this.o.onFatal(err as Error);
      return;
    }
    if (this.mode === 'leader' && m.type === 'packet' && m.p.kind === 'REQUEST') {
      try {
        this.takeLeaderRequests();
      } catch (err) {
        this.o.onFatal(err as Error); // as when a Ready's requests fail to prep
        return;
      }
    }
    this.schedulePump();
  }

  /** A closed quorum link to our leader is leader loss now, not after syncLimit ticks of silence. */
  private onQuorumLinkDown(sid: number): void {
    if (this.closed) return;
    this.replica.leaderConnectionLost(sid);
    this.schedulePump();
  }

  private scheduleFinalize(token: number): void {
    const t = setTimeout(() => {
      this.finalizeTimers.delete(t);
      if (this.closed) return;
      this.replica.finalizeElapsed(token);
      this.schedulePump();
    }, this.finalizeWaitMs);
    this.finalizeTimers.add(t);
  }

  private tick(): void {
    if (this.closed) return;
    this.ticks++;
    this.replica.tick();
    const server = this.o.server;
    if ((this.mode === 'follower' || this.mode === 'observer') && server.touchedSessions.size > 0) {
      if (this.replica.forward(encodeTouches(server.touchedSessions))) server.touchedSessions.clear();
    }
    this.schedulePump();
  }

  private schedulePump(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    queueMicrotask(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.busy || this.closed) return;
    if (!this.replica.hasReady()) return;
    this.busy = true;
    this.run().then(
      () => {
        this.busy = false;
        if (this.replica.hasReady()) this.schedulePump();
      },
      (err: Error) => {
        this.busy = false;
        if (!this.closed) this.o.onFatal(err);
      },
    );
  }

  private async run(): Promise<void> {
    const r = this.replica;
    while (!this.closed && r.hasReady()) {
      const rd = r.ready();
      if (rd.soft !== undefined) this.onSoftBefore(rd.soft);
      if (rd.finalizeTimer !== undefined) this.scheduleFinalize(rd.finalizeTimer);
      // leader: proposals and commits leave before our own log write (our own ack counts only after it)
      const early = rd.sendEarly ?? 0;
      if (early > 0) this.send(rd.messages, 0, early);
      // leader: txns a quorum has durable are applied (clients answered) while our log write is in flight
      if (rd.applyEarly === true) this.apply(rd);
      await this.persist(rd);
      if (this.closed) return;
      this.send(rd.messages, early, rd.messages.length);
      // learner: the leader's answers; SessionMoved notices precede their txn's COMMIT (taken before apply),
      // revalidations follow the COMMITs sent before them (answered after apply)
      const answers = this.mode === 'leader' ? [] : this.leaderAnswers(rd.requests);
      for (const a of answers) if (a.kind === 'moved') this.o.server.sessionMovedNotice(a.sessionId, a.cxid);
      if (rd.applyEarly !== true) this.apply(rd);
      r.advance(rd);
      this.onSoftAfter();
      if (this.mode === 'leader') {
        for (const req of rd.requests) this.onLeaderRequest(req.from, req.data);
        this.takeLeaderRequests(); // those that came meanwhile, before any newer one is taken on arrival
      }
      for (const a of answers) if (a.kind === 'revalidated') this.onRevalidated(a);
    }
  }

  /** Sends messages[from, to) in order: votes on the election links, packets on the quorum links. */
  private send(ms: readonly Message[], from: number, to: number): void {
    let i = from;
    while (i < to) {
      const isVote = ms[i]!.type === 'vote';
      let j = i + 1;
      while (j < to && (ms[j]!.type === 'vote') === isVote) j++;
      (isVote ? this.election : this.quorum).sendAll(ms, i, j);
      i = j;
    }
  }

  /**
   * Active leader: preps the learners' forwarded requests as they arrive, so their txns join the next
   * Ready (not the one after it). Requests still in a Ready are always older and handled first (run()).
   */
  private takeLeaderRequests(): void {
    if (this.mode !== 'leader') return;
    for (const req of this.replica.takeRequests()) this.onLeaderRequest(req.from, req.data);
  }

  /** 1-5 of the Ready contract. */
  private async persist(rd: Ready): Promise<void> {
    const log = this.o.log;
    if (rd.snapshot !== undefined) {
      const s = rd.snapshot;
      await this.o.snapshots.write(s.zxid, [s.data]);
      await log.truncate(s.zxid); // the log restarts after the snapshot (nothing above it survives a SNAP)
      const { tree, sessions } = deserializeSnapshot(Buffer.from(s.data.buffer, s.data.byteOffset, s.data.byteLength));
      tree.lastProcessedZxid = s.zxid;
      this.o.server.resetState(tree, sessions);
      this.o.logger('info', `installed SNAP ${fmtZxid(s.zxid)} from the leader (${tree.nodeCount} znodes)`);
    }
    if (rd.truncateAfter !== undefined) {
      this.o.logger('info', `TRUNC: dropping logged txns after ${fmtZxid(rd.truncateAfter)}`);
      await log.truncate(rd.truncateAfter);
    }
    for (const e of rd.entries) log.append(e.zxid, e.data);
    if (rd.mustSync) await log.flush();
    if (rd.acceptedEpoch !== undefined) await writeEpochFile(this.dataVersionDir, ACCEPTED_EPOCH_FILE, rd.acceptedEpoch);
    if (rd.currentEpoch !== undefined) await writeEpochFile(this.dataVersionDir, CURRENT_EPOCH_FILE, rd.currentEpoch);
  }

  /** 7: committed txns to the tree, in zxid order; the server answers its clients. */
  private apply(rd: Ready): void {
    const server = this.o.server;
    for (const e of rd.committed) {
      const buf = Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength);
      const { header, txn } = readTxn(new JuteReader(buf));
      if (header.zxid <= server.tree.lastProcessedZxid) continue; // already in a (fuzzy) snapshot
      server.commit(header, txn);
    }
    if (rd.committed.length > 0) this.o.afterApply(rd.committed.length);
  }

  private onLeaderRequest(from: number, data: Uint8Array): void {
    if (this.mode !== 'leader') return;
    let req;
    try {
      req = decodeLeaderRequest(data);
    } catch (e) {
      this.o.logger('warn', `malformed request forwarded by ${from}: ${(e as Error).message}`);
      return;
    }
    const server = this.o.server;
    if (req.kind === 'touches') {
      const now = Date.now();
      for (const s of req.sessions) server.sessions.touch(s, now);
      return;
    }
    if (req.kind === 'revalidate') {
      const valid = server.revalidate(req.sessionId, req.timeout, from);
      if (this.replica.reply(from, encodeRevalidated({ token: req.token, sessionId: req.sessionId, valid }))) this.schedulePump();
      return;
    }
    if (server.prepForwarded(req.req, from) === ErrorCode.SESSION_MOVED) {
      this.replica.reply(from, encodeMovedNotice(req.req.sessionId, req.req.cxid)); // before its COMMIT
    }
  }

  /** Learner: decodes what the leader sent us (REQUEST packets from it). */
  private leaderAnswers(requests: ReadonlyArray<{ from: number; data: Uint8Array }>): Array<Revalidated | MovedNotice> {
    const out: Array<Revalidated | MovedNotice> = [];
    for (const req of requests) {
      if (this.mode === null || req.from !== this.soft.leader) continue;
      try {
        out.push(decodeLeaderAnswer(req.data));
      } catch (e) {
        this.o.logger('warn', `malformed answer from leader ${req.from}: ${(e as Error).message}`);
      }
    }
    return out;
  }

  /** Learner: the leader's answer to a revalidation. */
  private onRevalidated(a: Revalidated): void {
    const done = this.revalidations.get(a.token);
    this.revalidations.delete(a.token);
    done?.(a.valid);
  }

  private modeOf(s: SoftState): QuorumMode | null {
    if (s.phase !== 'active') return null;
    if (s.role === 'leading') return 'leader';
    if (s.role === 'following') return 'follower';
    if (s.role === 'observing') return 'observer';
    return null;
  }

  /** Losing a role takes effect before the Ready is carried out... */
  private onSoftBefore(s: SoftState): void {
    const prev = this.soft;
    this.soft = s;
    if (s.role !== prev.role || s.leader !== prev.leader || s.epoch !== prev.epoch || s.phase !== prev.phase) {
      this.o.logger('info', `zab: ${s.role} leader=${s.leader} epoch=${s.epoch} phase=${s.phase} (${this.replica.lastTransition})`);
    }
    const next = this.modeOf(s);
    // any change of role, leader or epoch ends the current service (pending writes fail, clients reconnect)
    if (this.mode !== null && (next !== this.mode || s.leader !== prev.leader || s.epoch !== prev.epoch)) {
      this.setMode(null, this.replica.lastTransition);
    }
  }

  /** ...gaining one after it (the committed history is applied first). */
  private onSoftAfter(): void {
    if (this.mode !== null) return;
    const next = this.modeOf(this.soft);
    if (next !== null && this.modeOf(this.replica.softState()) === next) this.setMode(next, this.replica.lastTransition);
  }

  private setMode(next: QuorumMode | null, why: string): void {
    if (next === this.mode) return;
    const server = this.o.server;
    const prev = this.mode;
    this.mode = next;
    this.modeSince = Date.now();
    server.serving = false;
    server.forwarder = null;
    server.revalidator = null;
    server.ownerSid = null;
    this.revalidations.clear(); // their connections are closed by resetPipeline
    server.resetPipeline();
    if (next === null) {
      if (prev !== null) {
        this.o.logger('warn', `not serving clients any more (was ${prev}): ${why}`);
        server.holdConnectsWhileElecting();
      }
      return;
    }
    if (next === 'leader') {
      const z = this.replica.nextZxid();
      server.lastProposedZxid = z === null ? makeZxid(this.soft.epoch, 0) : z - 1;
      const now = Date.now();
      for (const s of server.sessions.all()) server.sessions.touch(s.id, now); // a full timeout under the new leader
      server.ownerSid = this.replica.id;
    } else {
      server.forwarder = (req) => {
        if (this.mode !== next || !this.replica.forward(encodeForwardedWrite(req))) return false;
        this.schedulePump();
        return true;
      };
      server.revalidator = (sessionId, timeout, done) => {
        const token = this.nextToken++;
        if (this.mode !== next || !this.replica.forward(encodeRevalidate(sessionId, timeout, token))) return false;
        this.revalidations.set(token, done);
        this.schedulePump();
        return true;
      };
    }
    server.serving = true;
    this.o.logger('info', `serving clients as ${next} (epoch ${this.soft.epoch}, leader ${this.soft.leader}, zxid ${fmtZxid(server.tree.lastProcessedZxid)})`);
    server.releaseHeldConnects();
  }
}
