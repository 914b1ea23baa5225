/**
 * Types of the pure ZAB replica: zxids, log entries, votes, quorum packets, the Ready contract.
 *
 * Nothing here does I/O. The server shell (or the simulation) owns sockets, timers, the clock and the
 * disk; it feeds the replica with `step(message)` / `tick()` / `propose()` and carries out each `Ready`.
 */

/** A server id (`myid`). */
export type Sid = number;

/** 2^32: a zxid is epoch * ZXID_EPOCH_UNIT + counter (ZooKeeper's (epoch << 32) | counter, as a JS number). */
export const ZXID_EPOCH_UNIT = 4294967296;
/** ZOOKEEPER-1277: a leader steps down before its counter wraps, forcing a new epoch. */
export const MAX_ZXID_COUNTER = 0xffffffff;

export function makeZxid(epoch: number, counter: number): number {
  return epoch * ZXID_EPOCH_UNIT + counter;
}
export function epochOf(zxid: number): number {
  return Math.floor(zxid / ZXID_EPOCH_UNIT);
}
export function counterOf(zxid: number): number {
  return zxid % ZXID_EPOCH_UNIT;
}
/** 0x<epoch>:<counter>, for traces. */
export function fmtZxid(zxid: number): string {
  return zxid < 0 ? String(zxid) : `${epochOf(zxid).toString(16)}:${counterOf(zxid).toString(16)}`;
}

/** One txn of the history. `data` is opaque to the core (the shell puts TxnHeader + txn there). */
export interface Entry {
  zxid: number;
  data: Uint8Array;
}

/** A snapshot of the applied (committed) state up to `zxid`; `data` is opaque to the core. */
export interface Snapshot {
  zxid: number;
  data: Uint8Array;
}

export type Role = 'looking' | 'following' | 'leading' | 'observing';

/** A fast-leader-election vote: totally ordered by (peerEpoch, zxid, leader). */
export interface Vote {
  leader: Sid;
  zxid: number;
  peerEpoch: number;
}

/** An election notification (FastLeaderElection.Notification). */
export interface Notification {
  state: Role;
  vote: Vote;
  /** the sender's logical clock */
  electionEpoch: number;
  /**
   * The sender's acceptedEpoch. Not in ZooKeeper's notification; it lets a future leader propose an epoch
   * above every epoch any member has promised, so a member that promised an epoch that never got
   * established can rejoin (see `ZabReplica.epochHint`).
   */
  acceptedEpoch: number;
  /** sender incarnation and per-incarnation sequence: stale (reordered) notifications are dropped */
  inc: number;
  nseq: number;
}

/**
 * Quorum packets (ZOOKEEPER.md 3.3), as objects. One learner connection (`conn`) carries them FIFO; the
 * core numbers them itself (`seq`) so any duplicate is dropped and any gap or reorder closes the
 * connection, which is what TCP would do.
 */
export type QuorumPacket =
  /** FOLLOWERINFO / OBSERVERINFO: zxid = (acceptedEpoch, 0) in ZooKeeper */
  | { kind: 'FOLLOWERINFO'; observer: boolean; acceptedEpoch: number; lastZxid: number }
  | { kind: 'LEADERINFO'; epoch: number }
  /** currentEpoch = -1: the learner had already accepted this epoch; it syncs but does not count */
  | { kind: 'ACKEPOCH'; currentEpoch: number; lastZxid: number }
  /**
   * The sync: DIFF (append `entries` after `zxid`), TRUNC (drop every logged txn above `zxid`, then append)
   * or SNAP (replace state and log by `snapshot`, then append). ZooKeeper sends the entries as separate
   * PROPOSAL/COMMIT packets; here they travel in the sync packet.
   */
  | { kind: 'DIFF' | 'TRUNC' | 'SNAP'; zxid: number; snapshot?: Snapshot; entries: Entry[] }
  /** zxid = the last zxid of the history sent in the sync (ZooKeeper sends (epoch, 0)) */
  | { kind: 'NEWLEADER'; epoch: number; zxid: number }
  /** cumulative: acknowledges every txn up to zxid on this connection; newLeader: the NEWLEADER ack */
  | { kind: 'ACK'; zxid: number; newLeader: boolean }
  /** commit = the leader's commit point when sent; everything synced up to it is committed */
  | { kind: 'UPTODATE'; commit: number }
  /** a batch of consecutive txns */
  | { kind: 'PROPOSAL'; entries: Entry[] }
  /** cumulative: every txn up to zxid is committed */
  | { kind: 'COMMIT'; zxid: number }
  /** to observers: committed txns in full */
  | { kind: 'INFORM'; entries: Entry[] }
  | { kind: 'PING'; zxid: number }
  /** the learner's answer to a PING (ZooKeeper reuses PING and puts session touches in it) */
  | { kind: 'PONG' }
  /** a write forwarded by a learner, or (leader -> learner) an answer to one; `data` is opaque (the shell's encoding) */
  | { kind: 'REQUEST'; data: Uint8Array }
  /** the connection is closed (TCP RST): the learner re-registers */
  | { kind: 'CLOSE' };

export type Message =
  | { type: 'vote'; from: Sid; to: Sid; n: Notification }
  | { type: 'packet'; from: Sid; to: Sid; conn: number; seq: number; p: QuorumPacket };

/** What the shell must do, in this order, before calling `advance(ready)`. */
export interface Ready {
  /** role, leader or epoch changed since the previous Ready */
  soft?: SoftState;
  /**
   * 1. Persist this snapshot, discard the whole log, and reset the applied state to it (a SNAP sync).
   */
  snapshot?: Snapshot;
  /** 2. Drop every logged txn with zxid > truncateAfter (TRUNC; never a committed txn). */
  truncateAfter?: number;
  /** 3. Append these txns to the log (zxid order, all above what the log holds after 1-2). */
  entries: Entry[];
  /** 4. fsync the log before anything below. */
  mustSync: boolean;
  /** 5. Then write the epoch files, each atomically and durably (tmp + fsync + rename). */
  acceptedEpoch?: number;
  currentEpoch?: number;
  /** 6. Then send these (they may acknowledge everything above, so never before it is durable). */
  messages: Message[];
  /**
   * Active leader: the first `sendEarly` of `messages` (PROPOSAL, COMMIT, INFORM, PING, REQUEST; a synced
   * learner: REQUEST, PONG) vouch for nothing on this member's disk and may be sent before steps 1-5
   * (pipelining); the rest after step 5.
   * Sending them all at step 6 is also correct.
   */
  sendEarly?: number;
  /**
   * Active leader: `committed` holds only txns a quorum made durable in earlier rounds, so they may be
   * applied (and clients answered) before steps 1-5. Applying them at step 7 is also correct.
   */
  applyEarly?: boolean;
  /** 7. Apply these committed txns in order (after the snapshot reset, if any). */
  committed: Entry[];
  /**
   * Leader: writes forwarded by learners (prep them and `propose()` the txns). Learner: the leader's
   * answers (`reply()`), in order with the COMMITs around them.
   */
  requests: Array<{ from: Sid; data: Uint8Array }>;
  /**
   * Election: a quorum agrees on our vote. After the finalize wait (ZooKeeper's finalizeWait, ~200 ms;
   * independent of this Ready's other steps) call `finalizeElapsed(finalizeTimer)`; a stale token is
   * ignored. Without it the core decides on the tick after `finalizeWait` ticks.
   */
  finalizeTimer?: number;
}

export interface SoftState {
  role: Role;
  /** the leader this replica follows or is; -1 while looking */
  leader: Sid;
  /** the epoch of that leadership (the epoch being established while discovering) */
  epoch: number;
  /**
   * leader: 'discovery' (collecting FOLLOWERINFO/ACKEPOCH), 'sync' (a quorum acked the epoch: the
   * leader is established for it), 'active' (a quorum acked NEWLEADER; serving). Learner: 'discovery',
   * 'sync', 'active' (after UPTODATE).
   */
  phase: 'none' | 'discovery' | 'sync' | 'active';
}

/** Durable state the shell loads at start (epoch files, latest snapshot's zxid, logged txns after it). */
export interface PersistentState {
  acceptedEpoch: number;
  currentEpoch: number;
  /** zxid of the latest snapshot (0 if none); the applied state starts here */
  snapshotZxid: number;
  /** the logged txns above snapshotZxid, in zxid order */
  entries: Entry[];
}

export interface Member {
  sid: Sid;
  /** observers never vote (weight 0) and get INFORM instead of PROPOSAL/COMMIT */
  observer?: boolean;
}

export interface ZabConfig {
  id: Sid;
  members: Member[];
  /**
   * Must grow across restarts of this member (a boot counter kept next to the epoch files, or the boot
   * time in ms): connection ids and notification sequence numbers start from it.
   */
  incarnation: number;
  /** ticks a leader waits for a synced quorum, and a learner for UPTODATE (zoo.cfg initLimit) */
  initLimit: number;
  /** ticks of silence after which a learner gives up on the leader, and the leader on a learner */
  syncLimit: number;
  /** ticks to wait, once a quorum agrees, for a better vote (finalizeWait, 200 ms in ZooKeeper) */
  finalizeWait?: number;
  /** resend our vote every this many ticks while looking */
  electionResend?: number;
  /** at most this many txns per PROPOSAL/INFORM packet */
  maxBatch?: number;
  /**
   * Storage query (etcd's Storage.Snapshot): the latest snapshot of the applied state, used when a
   * learner is too far behind for a DIFF. Its zxid must be >= the last `compact()` point.
   */
  snapshot(): Snapshot;
}
