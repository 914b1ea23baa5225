import { ZabLog } from './log.js';
import { QuorumConfig, betterVote, sameVote } from './quorum.js';
import {
  MAX_ZXID_COUNTER,
  counterOf,
  epochOf,
  makeZxid,
  type Entry,
  type Message,
  type Notification,
  type PersistentState,
  type QuorumPacket,
  type Ready,
  type Role,
  type Sid,
  type Snapshot,
  type SoftState,
  type Vote,
  type ZabConfig,
} from './types.js';

/** The leader's view of one learner connection (ZooKeeper's LearnerHandler). */
interface LearnerHandle {
  sid: Sid;
  observer: boolean;
  conn: number;
  sendSeq: number;
  recvSeq: number;
  acceptedEpoch: number;
  lastZxid: number;
  /** ACKEPOCH received */
  epochAcked: boolean;
  /** its ACKEPOCH counts toward the epoch quorum (a participant that newly accepted our epoch) */
  countsForEpoch: boolean;
  /** sync + NEWLEADER sent; from here on PROPOSALs (or INFORMs) are forwarded to it */
  synced: boolean;
  /** last zxid sent to it (sync, PROPOSAL or INFORM) */
  sentZxid: number;
  newLeaderAcked: boolean;
  /** highest zxid it acknowledged after its NEWLEADER ack (-1 before) */
  acked: number;
  /** UPTODATE sent: COMMITs flow to it */
  uptodate: boolean;
  lastHeard: number;
}

interface LeaderState {
  /** the epoch being established; 0 while undecided */
  epoch: number;
  phase: 'discovery' | 'sync' | 'active';
  started: number;
  handlers: Map<Sid, LearnerHandle>;
  /** the leader's last zxid when its epoch was acknowledged by a quorum: its initial history */
  initialZxid: number;
  /** currentEpoch = epoch is durable, so the leader's own log counts as an ack */
  selfReady: boolean;
}

interface LearnerState {
  leader: Sid;
  conn: number;
  sendSeq: number;
  recvSeq: number;
  phase: 'discovery' | 'sync' | 'active';
  epoch: number;
  started: number;
  lastHeard: number;
  /** NEWLEADER received; acked once everything synced before it is durable */
  pendingNewLeader: { epoch: number; zxid: number } | null;
  newLeaderAcked: boolean;
  /** highest proposal to acknowledge (held back until the NEWLEADER ack is out) */
  ackUpTo: number | null;
  /** observers: highest INFORMed zxid */
  informTarget: number;
}

export interface ZabStatus {
  id: Sid;
  role: Role;
  leader: Sid;
  epoch: number;
  phase: SoftState['phase'];
  acceptedEpoch: number;
  currentEpoch: number;
  lastZxid: number;
  commitZxid: number;
  /** leader: participants (itself included) that acked NEWLEADER and are alive */
  syncedFollowers: Sid[];
  /** leader: connected learners */
  learners: Sid[];
  quorumSize: number;
}

const CONN_SPACE = 1048576; // 2^20 connections per incarnation
/** packets an active leader may send before its Ready's disk writes (see `earlyMessageCount`) */
const LEADER_EARLY_KINDS = new Set<QuorumPacket['kind']>(['PROPOSAL', 'COMMIT', 'INFORM', 'PING', 'REQUEST']);
/** ...and a synced learner: forwarded requests and PING answers (never an ACK) */
const LEARNER_EARLY_KINDS = new Set<QuorumPacket['kind']>(['REQUEST', 'PONG']);

/**
 * ZabReplica is one ensemble member's ZAB state machine: fast leader election, discovery,
 * synchronization and broadcast, over a logical clock.
 *
 * Inputs: `step(message)`, `tick()`, `propose(data)` (leader), `forward(data)` (learner), `compact(zxid)`.
 * Output: `ready()` returns the persistence, messages and committed txns accumulated since the last
 * Ready; the shell carries them out in the documented order (persist, fsync, epoch files, send, apply)
 * and calls `advance()`. Only one Ready is outstanding at a time. Acknowledgements (ACKEPOCH, ACK of a
 * PROPOSAL, the NEWLEADER ack) are always in the same Ready as, or a later Ready than, the writes they
 * vouch for, so they are sent only once those are durable.
 *
 * The core never reads a clock, never draws random numbers and does no I/O.
 */
export class ZabReplica {
  readonly id: Sid;
  readonly quorum: QuorumConfig;
  private readonly cfg: Required<Omit<ZabConfig, 'snapshot' | 'members' | 'id' | 'incarnation'>>;
  private readonly snapshotQuery: () => Snapshot;
  private readonly incarnation: number;

  // ---- durable state (as far as the core knows; pending writes are flushed through Ready)
  acceptedEpoch: number;
  currentEpoch: number;
  private durableCurrentEpoch: number;
  readonly log: ZabLog;

  // ---- volatile
  role: Role = 'looking';
  private now = 0;
  /** highest zxid known committed */
  commitZxid: number;
  /** highest zxid handed out in Ready.committed (or reset to by a snapshot) */
  private appliedZxid: number;
  /** the highest acceptedEpoch heard of anywhere; a new epoch is proposed above it */
  private epochHint = 0;

  // ---- election
  private logicalclock = 0;
  private vote: Vote;
  private readonly recv = new Map<Sid, { vote: Vote; state: Role }>();
  private readonly outOfElection = new Map<Sid, { vote: Vote; state: Role }>();
  private quorumSince: number | null = null;
  /** names the current quorumSince; a finalize timer the shell runs for an older one is stale */
  private finalizeToken = 0;
  /** a finalize timer to request in the next Ready */
  private finalizeRequest: number | undefined;
  /** FOLLOWERINFOs that reached us while looking, by sender: handled if we end up leading */
  private earlyRegistrations = new Map<Sid, Extract<Message, { type: 'packet' }>>();
  private lastVoteSent = 0;
  private nseq = 0;
  private readonly lastNotif = new Map<Sid, { inc: number; nseq: number }>();

  // ---- roles
  private lead: LeaderState | null = null;
  private follow: LearnerState | null = null;
  private connCounter = 0;
  /** leader: highest connection id seen per learner (stale FOLLOWERINFOs are ignored) */
  private readonly lastConn = new Map<Sid, number>();

  // ---- pending output
  private msgs: Message[] = [];
  private requests: Array<{ from: Sid; data: Uint8Array }> = [];
  private pendingAccepted: number | undefined;
  private pendingCurrent: number | undefined;
  private softDirty = true;
  private softReason = 'start';
  private inflight: { upTo: number; currentEpoch: number | undefined } | null = null;

  constructor(config: ZabConfig, state: PersistentState) {
    this.id = config.id;
    this.quorum = new QuorumConfig(config.members);
    if (!this.quorum.all.includes(config.id)) throw new Error(`zab: ${config.id} is not a member`);
    this.cfg = {
      initLimit: config.initLimit,
      syncLimit: config.syncLimit,
      finalizeWait: config.finalizeWait ?? 1,
      electionResend: config.electionResend ?? 2,
      maxBatch: config.maxBatch ?? 1000,
    };
    this.snapshotQuery = config.snapshot;
    this.incarnation = config.incarnation;
    this.acceptedEpoch = state.acceptedEpoch;
    this.currentEpoch = state.currentEpoch;
    this.durableCurrentEpoch = state.currentEpoch;
    this.epochHint = state.acceptedEpoch;
    this.log = new ZabLog(state.snapshotZxid, state.entries);
    this.commitZxid = state.snapshotZxid;
    this.appliedZxid = state.snapshotZxid;
    this.vote = this.initialVote();
    this.startElection('start');
  }

  get isParticipant(): boolean {
    return this.quorum.isParticipant(this.id);
  }

  get lastZxid(): number {
    return this.log.lastZxid;
  }

  /** true while this replica leads an established, synced quorum and may propose */
  get isActiveLeader(): boolean {
    return this.lead !== null && this.lead.phase === 'active';
  }

  /** the current leader, if following/observing one or leading; -1 while looking */
  get leader(): Sid {
    return this.lead !== null ? this.id : this.follow !== null ? this.follow.leader : -1;
  }

  // =====================================================================================  inputs

  /** Advances the logical clock by one tick (tickTime in the shell). */
  tick(): void {
    this.now++;
    if (this.role === 'looking') this.electionTick();
    else if (this.lead !== null) this.leaderTick();
    else if (this.follow !== null) this.learnerTick();
  }

  /** Feeds one message from a peer. Messages for someone else are ignored. */
  step(m: Message): void {
    if (m.to !== this.id || m.from === this.id || !this.quorum.all.includes(m.from)) return;
    if (m.type === 'vote') this.onNotification(m.from, m.n);
    else if (this.lead !== null) this.leaderReceive(m.from, m.conn, m.seq, m.p);
    else if (this.follow !== null) this.learnerReceive(m.from, m.conn, m.seq, m.p);
    else if (m.p.kind === 'FOLLOWERINFO' && m.seq === 0) {
      // a learner that decided for us before we did: keep its registration for when we lead (as if it had
      // been delayed until then) rather than make it wait for its next resend
      const prev = this.earlyRegistrations.get(m.from);
      if (prev === undefined || prev.conn < m.conn) this.earlyRegistrations.set(m.from, m);
    }
  }

  /**
   * The shell's connection to `sid` closed or failed. A learner of `sid` gives it up at once and looks for
   * a leader (ZooKeeper's learner: its read fails and it goes back to LOOKING) instead of waiting for
   * syncLimit ticks of silence. A leader that is still alive answers the new round with its vote and the
   * learner rejoins it on a new connection.
   */
  leaderConnectionLost(sid: Sid): void {
    const f = this.follow;
    if (f !== null && f.leader === sid) this.startElection(`connection to leader ${sid} lost`);
  }

  /**
   * The finalize wait the shell was asked for in `Ready.finalizeTimer` (ZooKeeper's finalizeWait, ~200 ms)
   * has passed: if the quorum that agreed then still agrees (no better vote since), decide now rather than
   * at the next tick.
   */
  finalizeElapsed(token: number): void {
    if (this.role !== 'looking' || this.quorumSince === null || token !== this.finalizeToken) return;
    this.decide(this.vote, 'election');
  }

  /**
   * Leader only: appends a txn to the history and returns its zxid, or null if this replica is not an
   * active leader. `payload` may be a function of the zxid so the shell can stamp it into the TxnHeader.
   * Txns proposed before the next `ready()` share one PROPOSAL packet and one fsync.
   */
  propose(payload: Uint8Array | ((zxid: number) => Uint8Array)): number | null {
    const l = this.lead;
    if (l === null || l.phase !== 'active') return null;
    const last = this.log.lastZxid;
    const counter = epochOf(last) === l.epoch ? counterOf(last) + 1 : 1;
    if (counter >= MAX_ZXID_COUNTER) {
      // ZOOKEEPER-1277: force a new epoch rather than wrap the counter
      this.leaderStepDown('zxid counter exhausted');
      return null;
    }
    const zxid = makeZxid(l.epoch, counter);
    this.log.append([{ zxid, data: typeof payload === 'function' ? payload(zxid) : payload }]);
    return zxid;
  }

  /** The zxid the next `propose()` would get, or null if not an active leader. */
  nextZxid(): number | null {
    const l = this.lead;
    if (l === null || l.phase !== 'active') return null;
    const last = this.log.lastZxid;
    return epochOf(last) === l.epoch ? last + 1 : makeZxid(l.epoch, 1);
  }

  /** Learner only: forwards a write request to the leader (REQUEST). False if not synced with one. */
  forward(data: Uint8Array): boolean {
    const f = this.follow;
    if (f === null || f.phase !== 'active') return false;
    this.sendToLeader({ kind: 'REQUEST', data });
    return true;
  }

  /**
   * Leader only: an opaque answer to learner `to` (REQUEST on its connection, after every packet sent to it
   * before, e.g. the COMMITs of txns it must see first; it arrives in the learner's Ready.requests).
   * False if `to` is not a synced learner of this active leader.
   */
  reply(to: Sid, data: Uint8Array): boolean {
    const l = this.lead;
    if (l === null || l.phase !== 'active') return false;
    const h = l.handlers.get(to);
    if (h === undefined || !h.synced) return false;
    this.sendToLearner(h, { kind: 'REQUEST', data });
    return true;
  }

  /** The shell has a durable snapshot at zxid (<= everything applied): the log before it may go. */
  compact(zxid: number): void {
    if (zxid > this.appliedZxid) throw new Error('zab: compact beyond the applied state');
    this.log.compact(Math.min(zxid, this.log.durable));
  }

  // =====================================================================================  Ready

  hasReady(): boolean {
    if (this.inflight !== null) return false;
    if (this.msgs.length > 0 || this.requests.length > 0 || this.softDirty || this.finalizeRequest !== undefined) return true;
    if (this.log.hasUnstable || this.pendingAccepted !== undefined || this.pendingCurrent !== undefined) return true;
    if (this.commitZxid > this.appliedZxid) return true;
    const l = this.lead;
    if (l !== null) {
      for (const h of l.handlers.values()) if (h.synced && !h.observer && h.sentZxid < this.log.lastZxid) return true;
    }
    const f = this.follow;
    if (f !== null && f.pendingNewLeader !== null && !this.log.hasUnstable) return true;
    if (f !== null && f.ackUpTo !== null && f.newLeaderAcked) return true;
    return false;
  }

  ready(): Ready {
    if (this.inflight !== null) throw new Error('zab: ready() before advance()');
    if (this.lead !== null) this.flushProposals();
    const f = this.follow;
    if (f !== null && f.pendingNewLeader !== null && !this.log.hasUnstable) {
      // ZOOKEEPER-3911/4643/4646/4785: every txn (and snapshot) synced before NEWLEADER is durable (it was
      // handed out in an earlier Ready, already advanced). Only now write currentEpoch, and send the ack
      // after it (same Ready: epoch files are written before messages are sent).
      const nl = f.pendingNewLeader;
      f.pendingNewLeader = null;
      this.currentEpoch = nl.epoch;
      this.pendingCurrent = nl.epoch;
      this.sendToLeader({ kind: 'ACK', zxid: nl.zxid, newLeader: true });
      f.newLeaderAcked = true;
    }
    if (f !== null && f.ackUpTo !== null && f.newLeaderAcked) {
      // ZOOKEEPER-4685: proposal acks only after the NEWLEADER ack; the txns are in this Ready or earlier
      this.sendToLeader({ kind: 'ACK', zxid: f.ackUpTo, newLeader: false });
      f.ackUpTo = null;
    }
    const persist = this.log.takeUnstable();
    const rd: Ready = {
      entries: persist.entries,
      mustSync: persist.entries.length > 0 || persist.snapshot !== undefined || persist.truncateAfter !== undefined,
      messages: this.msgs,
      committed: [],
      requests: this.requests,
    };
    if (persist.snapshot !== undefined) rd.snapshot = persist.snapshot;
    if (persist.truncateAfter !== undefined) rd.truncateAfter = persist.truncateAfter;
    if (this.pendingAccepted !== undefined) rd.acceptedEpoch = this.pendingAccepted;
    if (this.pendingCurrent !== undefined) rd.currentEpoch = this.pendingCurrent;
    if (this.commitZxid > this.appliedZxid) {
      rd.committed = this.log.slice(this.appliedZxid, this.commitZxid);
      this.appliedZxid = this.commitZxid;
    }
    if (this.softDirty) rd.soft = this.softState();
    if (this.finalizeRequest !== undefined) rd.finalizeTimer = this.finalizeRequest;
    if (this.pipelines(rd)) {
      const leading = this.lead !== null;
      const early = this.earlyMessageCount(rd, leading ? LEADER_EARLY_KINDS : LEARNER_EARLY_KINDS);
      if (early > 0) rd.sendEarly = early;
      if (leading && rd.committed.length > 0) rd.applyEarly = true;
    }
    this.finalizeRequest = undefined;
    this.msgs = [];
    this.requests = [];
    this.pendingAccepted = undefined;
    this.pendingCurrent = undefined;
    this.softDirty = false;
    this.inflight = { upTo: persist.upTo, currentEpoch: rd.currentEpoch };
    return rd;
  }

  /**
   * An active leader's or synced learner's Ready that writes no epoch and does not reset the log may be
   * pipelined. The leader's committed txns were acked by a quorum in earlier rounds (its own vote counts
   * only once durable, so none of this Ready's entries can be among them) and may be applied before this
   * Ready's log write.
   */
  private pipelines(rd: Ready): boolean {
    const l = this.lead;
    const f = this.follow;
    if (l !== null ? l.phase !== 'active' : f === null || f.phase !== 'active') return false;
    return rd.acceptedEpoch === undefined && rd.currentEpoch === undefined && rd.snapshot === undefined && rd.truncateAfter === undefined;
  }

  /**
   * An active leader's PROPOSAL, COMMIT, INFORM, PING and REQUEST packets vouch for nothing on its own
   * disk (its own vote counts only after `advance`), so they may leave before the Ready's log write,
   * overlapping the followers' fsyncs with the leader's (ZooKeeper's leader also sends before it logs).
   * A learner's forwarded requests and PONGs vouch for nothing either; its ACKs (added by `ready()` after
   * them) always wait for the write. Only a prefix, so per-connection order is kept.
   */
  private earlyMessageCount(rd: Ready, kinds: ReadonlySet<QuorumPacket['kind']>): number {
    let n = 0;
    for (const m of rd.messages) {
      if (m.type !== 'packet' || m.seq < 0 || !kinds.has(m.p.kind)) break;
      n++;
    }
    return n;
  }

  /**
   * Leader: takes the learners' REQUESTs received so far out of the next Ready, so the shell can prep them
   * as they arrive (their txns then join the very next Ready instead of the one after it).
   */
  takeRequests(): Array<{ from: Sid; data: Uint8Array }> {
    if (this.lead === null || this.requests.length === 0) return [];
    const out = this.requests;
    this.requests = [];
    return out;
  }

  /** The shell has carried out the last Ready. */
  advance(_rd?: Ready): void {
    const inf = this.inflight;
    if (inf === null) throw new Error('zab: advance() without ready()');
    this.inflight = null;
    this.log.markDurable(inf.upTo);
    if (inf.currentEpoch !== undefined) this.durableCurrentEpoch = inf.currentEpoch;
    const l = this.lead;
    if (l !== null && l.phase !== 'discovery') {
      l.selfReady = this.durableCurrentEpoch === l.epoch;
      this.maybeCommit(); // the leader's own durable log is a vote
    }
  }

  softState(): SoftState {
    const l = this.lead;
    const f = this.follow;
    return {
      role: this.role,
      leader: this.leader,
      epoch: l !== null ? l.epoch : f !== null ? f.epoch : -1,
      phase: l !== null ? (l.epoch === 0 ? 'discovery' : l.phase) : f !== null ? f.phase : 'none',
    };
  }

  /** Why the role last changed (for traces). */
  get lastTransition(): string {
    return this.softReason;
  }

  status(): ZabStatus {
    const s = this.softState();
    const synced: Sid[] = [];
    const learners: Sid[] = [];
    if (this.lead !== null) {
      synced.push(this.id);
      for (const h of this.lead.handlers.values()) {
        learners.push(h.sid);
        if (!h.observer && h.newLeaderAcked) synced.push(h.sid);
      }
    }
    return {
      id: this.id,
      role: this.role,
      leader: s.leader,
      epoch: s.epoch,
      phase: s.phase,
      acceptedEpoch: this.acceptedEpoch,
      currentEpoch: this.currentEpoch,
      lastZxid: this.log.lastZxid,
      commitZxid: this.commitZxid,
      syncedFollowers: synced,
      learners,
      quorumSize: this.quorum.size,
    };
  }

  // =====================================================================================  election

  private initialVote(): Vote {
    return this.isParticipant
      ? { leader: this.id, zxid: this.log.lastZxid, peerEpoch: this.currentEpoch }
      : { leader: -1, zxid: -1, peerEpoch: -1 };
  }

  private setRole(role: Role, reason: string): void {
    this.role = role;
    this.softDirty = true;
    this.softReason = reason;
  }

  private startElection(reason: string): void {
    this.lead = null;
    this.follow = null;
    this.setRole('looking', reason);
    this.logicalclock++;
    this.recv.clear();
    this.outOfElection.clear();
    this.quorumSince = null;
    this.vote = this.initialVote();
    if (this.isParticipant) this.recv.set(this.id, { vote: this.vote, state: 'looking' });
    this.broadcastVote();
    if (this.isParticipant) this.checkElectionQuorum();
  }

  private notification(): Notification {
    return {
      state: this.role,
      vote: this.vote,
      electionEpoch: this.logicalclock,
      acceptedEpoch: this.acceptedEpoch,
      inc: this.incarnation,
      nseq: ++this.nseq,
    };
  }

  private sendVote(to: Sid): void {
    this.msgs.push({ type: 'vote', from: this.id, to, n: this.notification() });
  }

  private broadcastVote(): void {
    this.lastVoteSent = this.now;
    for (const sid of this.quorum.participants) if (sid !== this.id) this.sendVote(sid);
  }

  private electionTick(): void {
    if (this.quorumSince !== null && this.now - this.quorumSince >= this.cfg.finalizeWait) {
      this.decide(this.vote, 'election');
      return;
    }
    if (this.now - this.lastVoteSent >= this.cfg.electionResend) this.broadcastVote();
  }

  private onNotification(from: Sid, n: Notification): void {
    const last = this.lastNotif.get(from);
    if (last !== undefined && (n.inc < last.inc || (n.inc === last.inc && n.nseq <= last.nseq))) return; // stale
    this.lastNotif.set(from, { inc: n.inc, nseq: n.nseq });
    if (n.acceptedEpoch > this.epochHint) this.epochHint = n.acceptedEpoch;
    const fromParticipant = this.quorum.isParticipant(from);

    if (this.role !== 'looking') {
      // answer a looking peer with our current vote so it can join
      if (n.state === 'looking') this.sendVote(from);
      return;
    }
    if (!fromParticipant) return; // observers' votes carry no weight
    if (n.state === 'looking') {
      this.onLookingNotification(from, n);
      return;
    }
    // a decided peer (following / leading)
    if (n.electionEpoch === this.logicalclock) {
      this.recv.set(from, { vote: n.vote, state: n.state });
      if (this.leaderQuorum(this.recv, n.vote.leader, true)) {
        this.decide(n.vote, 'joined a decided round');
        return;
      }
    }
    this.outOfElection.set(from, { vote: n.vote, state: n.state });
    if (this.leaderQuorum(this.outOfElection, n.vote.leader, false)) {
      this.logicalclock = n.electionEpoch;
      this.decide(n.vote, 'joined an established leader');
    }
  }

  /** A participant's LOOKING notification while we look too (ZooKeeper's lookForLeader). */
  private onLookingNotification(from: Sid, n: Notification): void {
    if (!this.isParticipant) return; // an observer waits for a decided quorum
    if (n.electionEpoch > this.logicalclock) {
      this.logicalclock = n.electionEpoch;
      this.recv.clear();
      const mine = this.initialVote();
      this.vote = betterVote(n.vote, mine, this.quorum) ? n.vote : mine;
      this.recv.set(this.id, { vote: this.vote, state: 'looking' });
      this.quorumSince = null;
      this.broadcastVote();
    } else if (n.electionEpoch < this.logicalclock) {
      this.sendVote(from); // bring the laggard up to our round
      return;
    } else if (betterVote(n.vote, this.vote, this.quorum)) {
      this.vote = n.vote;
      this.recv.set(this.id, { vote: this.vote, state: 'looking' });
      this.quorumSince = null;
      this.broadcastVote();
    } else if (!sameVote(n.vote, this.vote)) {
      // Its vote is worse than ours, so it has not heard ours: we may have sent it while it still followed
      // a leader, which only answers with its old vote. ZooKeeper waits for a resend (200 ms and up there,
      // electionResend ticks here); answering now lets two survivors of a dead leader agree at once. Votes
      // are totally ordered, so it adopts ours and the exchange ends.
      this.sendVote(from);
    }
    this.recv.set(from, { vote: n.vote, state: 'looking' });
    this.checkElectionQuorum();
  }

  /** a quorum backs `leader`, and the leader itself says so (checkLeader) */
  private leaderQuorum(votes: Map<Sid, { vote: Vote; state: Role }>, leader: Sid, sameRound: boolean): boolean {
    if (!this.quorum.isParticipant(leader)) return false;
    const backers: Sid[] = [];
    for (const [sid, v] of votes) if (v.vote.leader === leader) backers.push(sid);
    if (!this.quorum.isQuorum(backers)) return false;
    if (leader === this.id) return sameRound;
    return votes.get(leader)?.state === 'leading';
  }

  private checkElectionQuorum(): void {
    const backers: Sid[] = [];
    for (const [sid, v] of this.recv) if (sameVote(v.vote, this.vote)) backers.push(sid);
    if (this.quorum.isQuorum(backers)) {
      if (this.quorumSince === null) {
        this.quorumSince = this.now;
        this.finalizeRequest = ++this.finalizeToken;
      }
      if (this.cfg.finalizeWait <= 0) this.decide(this.vote, 'election');
    } else {
      this.quorumSince = null;
    }
  }

  private decide(v: Vote, how: string): void {
    this.vote = v;
    this.quorumSince = null;
    const early = this.earlyRegistrations;
    this.earlyRegistrations = new Map();
    if (v.leader !== this.id) {
      this.becomeLearner(v.leader, how);
      return;
    }
    this.becomeLeader(how);
    for (const m of early.values()) if (this.lead !== null) this.leaderReceive(m.from, m.conn, m.seq, m.p);
  }

  // =====================================================================================  leader

  private becomeLeader(how: string): void {
    this.follow = null;
    this.lead = {
      epoch: 0,
      phase: 'discovery',
      started: this.now,
      handlers: new Map(),
      initialZxid: -1,
      selfReady: false,
    };
    this.setRole('leading', `leading (${how})`);
    this.tryDecideEpoch(); // an ensemble of one needs nobody else
  }

  private leaderStepDown(reason: string): void {
    const l = this.lead;
    if (l !== null) for (const h of l.handlers.values()) this.sendToLearner(h, { kind: 'CLOSE' }, true);
    this.startElection(`stepped down: ${reason}`);
  }

  private leaderTick(): void {
    const l = this.lead!;
    for (const h of [...l.handlers.values()]) {
      const limit = h.newLeaderAcked ? this.cfg.syncLimit : this.cfg.initLimit;
      if (this.now - h.lastHeard > limit) this.closeLearner(h);
      else this.sendToLearner(h, { kind: 'PING', zxid: this.commitZxid });
    }
    if (l.phase !== 'active') {
      if (this.now - l.started > this.cfg.initLimit) this.leaderStepDown('no synced quorum within initLimit');
      return;
    }
    const synced: Sid[] = [this.id];
    for (const h of l.handlers.values()) if (!h.observer && h.newLeaderAcked) synced.push(h.sid);
    if (!this.quorum.isQuorum(synced)) this.leaderStepDown('lost the synced quorum');
  }

  private closeLearner(h: LearnerHandle): void {
    this.sendToLearner(h, { kind: 'CLOSE' }, true);
    this.lead!.handlers.delete(h.sid);
  }

  private sendToLearner(h: LearnerHandle, p: QuorumPacket, outOfBand = false): void {
    this.msgs.push({ type: 'packet', from: this.id, to: h.sid, conn: h.conn, seq: outOfBand ? -1 : h.sendSeq++, p });
  }

  private leaderReceive(from: Sid, conn: number, seq: number, p: QuorumPacket): void {
    const l = this.lead!;
    if (p.kind === 'FOLLOWERINFO' && seq === 0) {
      this.onFollowerInfo(from, conn, p);
      return;
    }
    const h = l.handlers.get(from);
    if (h === undefined || h.conn !== conn) {
      if ((this.lastConn.get(from) ?? -1) <= conn && seq >= 0) {
        this.msgs.push({ type: 'packet', from: this.id, to: from, conn, seq: -1, p: { kind: 'CLOSE' } });
      }
      return;
    }
    if (seq < 0) {
      if (p.kind === 'CLOSE') l.handlers.delete(from);
      return;
    }
    if (seq < h.recvSeq) return; // duplicate
    if (seq > h.recvSeq) {
      this.closeLearner(h); // a gap: the connection lost a packet
      return;
    }
    h.recvSeq++;
    h.lastHeard = this.now;
    switch (p.kind) {
      case 'ACKEPOCH':
        this.onAckEpoch(h, p.currentEpoch, p.lastZxid);
        break;
      case 'ACK':
        this.onAck(h, p.zxid, p.newLeader);
        break;
      case 'REQUEST':
        if (l.phase === 'active') this.requests.push({ from, data: p.data });
        break;
      case 'PONG':
        break;
      default:
        this.closeLearner(h);
    }
  }

  private onFollowerInfo(from: Sid, conn: number, p: Extract<QuorumPacket, { kind: 'FOLLOWERINFO' }>): void {
    const l = this.lead!;
    if ((this.lastConn.get(from) ?? -1) >= conn) return; // duplicate or stale connection
    this.lastConn.set(from, conn);
    l.handlers.delete(from);
    if (p.acceptedEpoch > this.epochHint) this.epochHint = p.acceptedEpoch;
    const observer = !this.quorum.isParticipant(from);
    const h: LearnerHandle = {
      sid: from,
      observer,
      conn,
      sendSeq: 0,
      recvSeq: 1,
      acceptedEpoch: p.acceptedEpoch,
      lastZxid: p.lastZxid,
      epochAcked: false,
      countsForEpoch: false,
      synced: false,
      sentZxid: -1,
      newLeaderAcked: false,
      acked: -1,
      uptodate: false,
      lastHeard: this.now,
    };
    if (l.epoch !== 0) {
      if (!observer && p.acceptedEpoch > l.epoch) {
        // it promised a newer epoch and cannot follow us: make way for an election above it
        this.leaderStepDown(`learner ${from} accepted epoch ${p.acceptedEpoch} > ${l.epoch}`);
        return;
      }
      l.handlers.set(from, h);
      this.sendToLearner(h, { kind: 'LEADERINFO', epoch: l.epoch });
      return;
    }
    l.handlers.set(from, h);
    this.tryDecideEpoch();
  }

  /** getEpochToPropose: once a quorum (with us) has connected, newEpoch = max acceptedEpoch + 1. */
  private tryDecideEpoch(): void {
    const l = this.lead!;
    if (l.epoch !== 0) return;
    const connected = [this.id, ...[...l.handlers.values()].filter((x) => !x.observer).map((x) => x.sid)];
    if (!this.quorum.isQuorum(connected)) return;
    let max = Math.max(this.acceptedEpoch, this.epochHint);
    for (const x of l.handlers.values()) if (!x.observer) max = Math.max(max, x.acceptedEpoch);
    l.epoch = max + 1;
    // Zab 1.0 (ZOOKEEPER-1291): persist acceptedEpoch before proposing it; LEADERINFO is in the same Ready,
    // sent after the epoch file is written
    this.acceptedEpoch = l.epoch;
    this.pendingAccepted = l.epoch;
    this.softDirty = true;
    for (const x of l.handlers.values()) this.sendToLearner(x, { kind: 'LEADERINFO', epoch: l.epoch });
    this.tryEstablish();
  }

  /** waitForEpochAck: a quorum (with us) acked the epoch; we are its only possible leader. Sync everyone. */
  private tryEstablish(): void {
    const l = this.lead!;
    if (l.epoch === 0 || l.phase !== 'discovery') return;
    const ackers = [this.id, ...[...l.handlers.values()].filter((x) => x.countsForEpoch).map((x) => x.sid)];
    if (!this.quorum.isQuorum(ackers)) return;
    l.phase = 'sync';
    l.initialZxid = this.log.lastZxid;
    this.currentEpoch = l.epoch;
    this.pendingCurrent = l.epoch;
    this.softDirty = true;
    for (const x of l.handlers.values()) if (x.epochAcked) this.syncLearner(x);
  }

  private onAckEpoch(h: LearnerHandle, currentEpoch: number, lastZxid: number): void {
    const l = this.lead!;
    if (h.epochAcked || l.epoch === 0) return;
    h.epochAcked = true;
    h.lastZxid = lastZxid;
    if (!h.observer && currentEpoch !== -1) {
      if (l.phase === 'discovery') {
        // a quorum member with a more recent history than ours: we must not lead (ZAB discovery, step l.1.2)
        if (currentEpoch > this.currentEpoch || (currentEpoch === this.currentEpoch && lastZxid > this.log.lastZxid)) {
          this.leaderStepDown(`learner ${h.sid} is more recent`);
          return;
        }
      }
      h.countsForEpoch = true;
    }
    if (l.phase === 'discovery') this.tryEstablish();
    else this.syncLearner(h);
  }

  /**
   * LearnerHandler.syncFollower: DIFF if the learner's last zxid is in our history, TRUNC to the greatest of
   * our zxids below it if it has a suffix we lack (only ever uncommitted: our history holds every committed
   * txn), SNAP if it is behind our last compaction. Then NEWLEADER.
   */
  private syncLearner(h: LearnerHandle): void {
    const l = this.lead!;
    this.flushProposals();
    const upTo = h.observer && l.phase === 'active' ? this.commitZxid : this.log.lastZxid;
    const f = h.lastZxid;
    let p: QuorumPacket;
    if (f < this.log.base) {
      const snap = this.snapshotQuery();
      if (snap.zxid < this.log.base || snap.zxid > upTo) throw new Error(`zab: snapshot at ${snap.zxid} outside [${this.log.base}, ${upTo}]`);
      p = { kind: 'SNAP', zxid: snap.zxid, snapshot: snap, entries: this.log.slice(snap.zxid, upTo) };
    } else {
      const t = this.log.floor(Math.min(f, upTo));
      p = { kind: t === f ? 'DIFF' : 'TRUNC', zxid: t, entries: this.log.slice(t, upTo) };
    }
    this.sendToLearner(h, p);
    this.sendToLearner(h, { kind: 'NEWLEADER', epoch: l.epoch, zxid: upTo });
    h.synced = true;
    h.sentZxid = upTo;
  }

  private onAck(h: LearnerHandle, zxid: number, newLeader: boolean): void {
    const l = this.lead!;
    if (newLeader) {
      if (!h.synced || h.newLeaderAcked) return;
      h.newLeaderAcked = true;
      if (!h.observer) h.acked = Math.max(h.acked, zxid);
      if (l.phase === 'active') {
        this.flushProposals();
        this.sendToLearner(h, { kind: 'UPTODATE', commit: this.commitZxid });
        h.uptodate = true;
      }
    } else {
      if (h.observer || !h.newLeaderAcked) return;
      h.acked = Math.max(h.acked, zxid);
    }
    this.maybeCommit();
  }

  /** Commits strictly in zxid order: everything up to the greatest zxid a quorum (us included) has durable. */
  private maybeCommit(): void {
    const l = this.lead;
    if (l === null || l.phase === 'discovery') return;
    const acked = new Map<Sid, number>();
    if (l.selfReady) acked.set(this.id, this.log.durable);
    for (const h of l.handlers.values()) if (!h.observer && h.newLeaderAcked) acked.set(h.sid, h.acked);
    const q = this.quorum.quorumMin(acked);
    if (q < 0) return;
    const target = Math.min(q, this.log.lastZxid);
    if (l.phase === 'sync') {
      if (target < l.initialZxid) return;
      // a quorum holds our initial history and currentEpoch: it is committed, we serve
      l.phase = 'active';
      this.softDirty = true;
      this.softReason = 'leader active';
      if (l.initialZxid > this.commitZxid) this.commitZxid = l.initialZxid;
      this.flushProposals();
      for (const h of l.handlers.values()) {
        if (h.newLeaderAcked && !h.uptodate) {
          this.sendToLearner(h, { kind: 'UPTODATE', commit: this.commitZxid });
          h.uptodate = true;
        }
      }
      return;
    }
    if (target <= this.commitZxid) return;
    this.flushProposals(); // COMMIT must never overtake its PROPOSAL
    this.commitZxid = target;
    for (const h of l.handlers.values()) {
      if (!h.synced) continue;
      if (h.observer) {
        const entries = this.log.slice(h.sentZxid, target);
        if (entries.length > 0) {
          for (let i = 0; i < entries.length; i += this.cfg.maxBatch) {
            this.sendToLearner(h, { kind: 'INFORM', entries: entries.slice(i, i + this.cfg.maxBatch) });
          }
          h.sentZxid = target;
        }
      } else if (h.uptodate) {
        this.sendToLearner(h, { kind: 'COMMIT', zxid: target });
      }
    }
  }

  /** Sends every logged txn a synced follower has not been sent yet, in batches (one fsync round each). */
  private flushProposals(): void {
    const l = this.lead;
    if (l === null) return;
    const last = this.log.lastZxid;
    for (const h of l.handlers.values()) {
      if (!h.synced || h.observer || h.sentZxid >= last) continue;
      const entries = this.log.slice(h.sentZxid);
      for (let i = 0; i < entries.length; i += this.cfg.maxBatch) {
        this.sendToLearner(h, { kind: 'PROPOSAL', entries: entries.slice(i, i + this.cfg.maxBatch) });
      }
      h.sentZxid = last;
    }
  }

  // =====================================================================================  learner

  private becomeLearner(leader: Sid, how: string): void {
    this.lead = null;
    const lastHeard = this.follow !== null && this.follow.leader === leader ? this.follow.lastHeard : this.now;
    this.follow = {
      leader,
      conn: this.incarnation * CONN_SPACE + (this.connCounter++ % CONN_SPACE),
      sendSeq: 0,
      recvSeq: 0,
      phase: 'discovery',
      epoch: -1,
      started: this.now,
      lastHeard,
      pendingNewLeader: null,
      newLeaderAcked: false,
      ackUpTo: null,
      informTarget: -1,
    };
    this.setRole(this.isParticipant ? 'following' : 'observing', `${this.isParticipant ? 'following' : 'observing'} ${leader} (${how})`);
    this.sendToLeader({ kind: 'FOLLOWERINFO', observer: !this.isParticipant, acceptedEpoch: this.acceptedEpoch, lastZxid: this.log.lastZxid });
  }

  private sendToLeader(p: QuorumPacket): void {
    const f = this.follow!;
    this.msgs.push({ type: 'packet', from: this.id, to: f.leader, conn: f.conn, seq: f.sendSeq++, p });
  }

  private learnerTick(): void {
    const f = this.follow!;
    const limit = f.phase === 'active' ? this.cfg.syncLimit : this.cfg.initLimit;
    if (this.now - f.lastHeard > limit) this.startElection(`leader ${f.leader} silent for ${limit} ticks`);
    else if (f.phase !== 'active' && this.now - f.started > this.cfg.initLimit) this.startElection(`no UPTODATE from ${f.leader} within initLimit`);
    else if (f.phase === 'discovery' && f.recvSeq === 0) {
      // Nothing from the leader yet: our FOLLOWERINFO may have reached it before it was leading (it drops
      // those) or been lost. Say it again on the same connection (seq 0), once a tick, instead of waiting
      // for initLimit (ZooKeeper's learner retries its connect). A leader that has it ignores the copy.
      this.msgs.push({
        type: 'packet', from: this.id, to: f.leader, conn: f.conn, seq: 0,
        p: { kind: 'FOLLOWERINFO', observer: !this.isParticipant, acceptedEpoch: this.acceptedEpoch, lastZxid: this.log.lastZxid },
      });
    }
  }

  private learnerReceive(from: Sid, conn: number, seq: number, p: QuorumPacket): void {
    const f = this.follow!;
    if (from !== f.leader || conn !== f.conn) return; // another leader or an old connection
    if (seq < 0) {
      if (p.kind === 'CLOSE') this.becomeLearner(f.leader, 'connection closed by leader');
      return;
    }
    if (seq < f.recvSeq) return; // duplicate
    if (seq > f.recvSeq) {
      this.becomeLearner(f.leader, 'lost a packet'); // TCP would have reset: reconnect
      return;
    }
    f.recvSeq++;
    f.lastHeard = this.now;
    switch (p.kind) {
      case 'LEADERINFO':
        this.onLeaderInfo(p.epoch);
        break;
      case 'DIFF':
      case 'TRUNC':
      case 'SNAP':
        this.onSync(p);
        break;
      case 'NEWLEADER':
        if (f.phase !== 'sync' || p.epoch !== f.epoch) {
          this.startElection('unexpected NEWLEADER');
          return;
        }
        f.pendingNewLeader = { epoch: p.epoch, zxid: p.zxid };
        break;
      case 'UPTODATE':
        if (!f.newLeaderAcked) {
          this.startElection('UPTODATE before NEWLEADER');
          return;
        }
        f.phase = 'active';
        this.softDirty = true;
        this.softReason = `synced with ${f.leader}`;
        this.learnerCommit(Math.max(p.commit, f.informTarget));
        break;
      case 'PROPOSAL':
        if (!this.isParticipant) break;
        if (!this.appendContiguous(p.entries)) return;
        f.ackUpTo = this.log.lastZxid;
        break;
      case 'COMMIT':
        this.learnerCommit(p.zxid);
        break;
      case 'INFORM':
        if (!this.appendContiguous(p.entries)) return;
        f.informTarget = this.log.lastZxid;
        if (f.phase === 'active') this.learnerCommit(f.informTarget);
        break;
      case 'PING':
        this.sendToLeader({ kind: 'PONG' });
        break;
      case 'REQUEST':
        if (f.phase === 'active') this.requests.push({ from, data: p.data });
        break;
      default:
        break;
    }
  }

  private onLeaderInfo(epoch: number): void {
    const f = this.follow!;
    if (f.phase !== 'discovery') return;
    if (epoch > this.epochHint) this.epochHint = epoch;
    if (epoch > this.acceptedEpoch) {
      // persisted before the ACKEPOCH leaves (same Ready: epoch files before messages)
      this.acceptedEpoch = epoch;
      this.pendingAccepted = epoch;
      this.sendToLeader({ kind: 'ACKEPOCH', currentEpoch: this.currentEpoch, lastZxid: this.log.lastZxid });
    } else if (epoch === this.acceptedEpoch) {
      // already acked this epoch (maybe to another leader): report our state but do not vote
      this.sendToLeader({ kind: 'ACKEPOCH', currentEpoch: -1, lastZxid: this.log.lastZxid });
    } else {
      this.startElection(`leader epoch ${epoch} < accepted ${this.acceptedEpoch}`);
      return;
    }
    f.epoch = epoch;
    f.phase = 'sync';
    this.softDirty = true;
  }

  private onSync(p: Extract<QuorumPacket, { kind: 'DIFF' | 'TRUNC' | 'SNAP' }>): void {
    const f = this.follow!;
    if (f.phase !== 'sync' || f.pendingNewLeader !== null || f.newLeaderAcked) {
      this.startElection('unexpected sync');
      return;
    }
    if (p.kind === 'SNAP') {
      const s = p.snapshot!;
      this.log.installSnapshot(s);
      this.commitZxid = s.zxid;
      this.appliedZxid = s.zxid; // the shell resets its state to the snapshot
    } else if (p.kind === 'TRUNC') {
      if (p.zxid < this.commitZxid) throw new Error(`zab ${this.id}: TRUNC to ${p.zxid} below committed ${this.commitZxid}`);
      this.log.truncate(p.zxid);
    } else if (p.zxid !== this.log.lastZxid) {
      this.startElection('DIFF from a zxid we do not end at');
      return;
    }
    this.appendContiguous(p.entries);
  }

  /** Appends txns above our last zxid; within an epoch they must be contiguous (ZOOKEEPER-4925). */
  private appendContiguous(entries: readonly Entry[]): boolean {
    let last = this.log.lastZxid;
    const fresh: Entry[] = [];
    for (const e of entries) {
      if (e.zxid <= last) continue;
      if (epochOf(e.zxid) === epochOf(last) && e.zxid !== last + 1) {
        this.becomeLearner(this.follow!.leader, 'hole in the proposals');
        return false;
      }
      fresh.push(e);
      last = e.zxid;
    }
    this.log.append(fresh);
    return true;
  }

  private learnerCommit(zxid: number): void {
    const f = this.follow!;
    if (f.phase !== 'active') return;
    const z = Math.min(zxid, this.log.lastZxid);
    if (z > this.commitZxid) this.commitZxid = z;
  }
}
