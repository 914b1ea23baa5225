import type { Member, Sid, Vote } from './types.js';

/** The voting configuration: participants have weight 1, observers weight 0; a quorum is a strict majority. */
export class QuorumConfig {
  readonly participants: ReadonlySet<Sid>;
  readonly observers: ReadonlySet<Sid>;
  readonly all: readonly Sid[];

  constructor(members: readonly Member[]) {
    const p = new Set<Sid>();
    const o = new Set<Sid>();
    for (const m of members) (m.observer ? o : p).add(m.sid);
    if (p.size === 0) throw new Error('zab: an ensemble needs at least one participant');
    this.participants = p;
    this.observers = o;
    this.all = members.map((m) => m.sid);
  }

  isParticipant(sid: Sid): boolean {
    return this.participants.has(sid);
  }

  /** the number of participants a quorum needs */
  get size(): number {
    return Math.floor(this.participants.size / 2) + 1;
  }

  /** true if the participants among `sids` form a quorum */
  isQuorum(sids: Iterable<Sid>): boolean {
    let n = 0;
    for (const s of sids) if (this.participants.has(s)) n++;
    return n >= this.size;
  }

  /**
   * The greatest value v such that a quorum of participants report >= v (the commit rule), or -1.
   * `acked` maps participants to their acknowledged zxid.
   */
  quorumMin(acked: ReadonlyMap<Sid, number>): number {
    const vals: number[] = [];
    for (const [sid, z] of acked) if (this.participants.has(sid)) vals.push(z);
    if (vals.length < this.size) return -1;
    vals.sort((a, b) => b - a);
    return vals[this.size - 1]!;
  }
}

/**
 * FastLeaderElection.totalOrderPredicate: is `a` better than `b`? A higher peerEpoch wins, then a higher
 * zxid, then a higher sid. A vote for a non-participant (weight 0) never wins.
 */
export function betterVote(a: Vote, b: Vote, q: QuorumConfig): boolean {
  if (!q.isParticipant(a.leader)) return false;
  if (!q.isParticipant(b.leader)) return true;
  if (a.peerEpoch !== b.peerEpoch) return a.peerEpoch > b.peerEpoch;
  if (a.zxid !== b.zxid) return a.zxid > b.zxid;
  return a.leader > b.leader;
}

export function sameVote(a: Vote, b: Vote): boolean {
  return a.leader === b.leader && a.zxid === b.zxid && a.peerEpoch === b.peerEpoch;
}
