/**
 * Unit specs that drive one leader replica packet by packet, pinning the three quorum rules the seeded
 * simulation can only reach through rare interleavings: the discovery recency check, the -1 ACKEPOCH that
 * must not count, and the leader's own vote waiting for its fsync (advance()).
 */
import { describe, expect, test } from '@jest/globals';
import { ZabReplica } from './replica.js';
import { makeZxid, type Entry, type Message, type PersistentState, type QuorumPacket, type Ready } from './types.js';

const LEADER = 3;
const FOLLOWER_CONN = 1_048_576; // incarnation 1, first connection
const three = [{ sid: 1 }, { sid: 2 }, { sid: 3 }];
const entry = (epoch: number, counter: number): Entry => ({ zxid: makeZxid(epoch, counter), data: new TextEncoder().encode(`${epoch}.${counter}`) });

/** Replica 3 plus the packets it sent, fed by hand: each test plays its followers. */
class LeaderUnderTest {
  readonly r: ZabReplica;
  readonly sent: Message[] = [];
  private readonly nextSeq = new Map<number, number>();

  constructor(state: Partial<PersistentState> = {}) {
    this.r = new ZabReplica(
      { id: LEADER, members: three, incarnation: 1, initLimit: 10, syncLimit: 5, snapshot: () => ({ zxid: 0, data: new Uint8Array() }) },
      { acceptedEpoch: state.acceptedEpoch ?? 0, currentEpoch: state.currentEpoch ?? 0, snapshotZxid: 0, entries: state.entries ?? [] },
    );
    this.drain();
  }

  /** Carries out every Ready at once (an instant disk). */
  drain(): void {
    while (this.r.hasReady()) this.advance(this.r.ready());
  }

  advance(rd: Ready): void {
    this.sent.push(...rd.messages);
    this.r.advance(rd);
  }

  /** Follower `from` votes for us in our first round; after the finalize wait we lead. */
  electBy(from: number): void {
    const vote = { leader: LEADER, zxid: this.r.lastZxid, peerEpoch: this.r.currentEpoch };
    this.r.step({ type: 'vote', from, to: LEADER, n: { state: 'looking', vote, electionEpoch: 1, acceptedEpoch: this.r.acceptedEpoch, inc: 1, nseq: 1 } });
    this.r.tick();
    this.drain();
    expect(this.r.role).toBe('leading');
  }

  /** A packet from follower `from` on its first connection, in order. */
  from(from: number, p: QuorumPacket): void {
    const seq = this.nextSeq.get(from) ?? 0;
    this.nextSeq.set(from, seq + 1);
    this.r.step({ type: 'packet', from, to: LEADER, conn: FOLLOWER_CONN + from, seq, p });
    this.drain();
  }

  packetsTo(to: number, kind: QuorumPacket['kind']): QuorumPacket[] {
    return this.sent.flatMap((m) => (m.type === 'packet' && m.to === to && m.seq >= 0 && m.p.kind === kind ? [m.p] : []));
  }
}

describe('discovery: who may establish an epoch', () => {
  test('paper (discovery, step l.1.2): a prospective leader steps down when an epoch acker has a more recent history', () => {
    // The FLE quorum and the epoch quorum can differ (a vote is a snapshot; members join established rounds):
    // 1 voted with our zxid, but its ACKEPOCH reports a txn of epoch 1 we never logged.
    const l = new LeaderUnderTest({ acceptedEpoch: 1, currentEpoch: 1, entries: [entry(1, 1)] });
    l.electBy(1);
    l.from(1, { kind: 'FOLLOWERINFO', observer: false, acceptedEpoch: 1, lastZxid: makeZxid(1, 1) });
    expect(l.packetsTo(1, 'LEADERINFO')).toEqual([{ kind: 'LEADERINFO', epoch: 2 }]);
    l.from(1, { kind: 'ACKEPOCH', currentEpoch: 1, lastZxid: makeZxid(1, 2) });
    expect(l.r.role).toBe('looking');
    // it never synced anyone, so 1 keeps its txn (a TRUNC here could erase a committed one)
    for (const kind of ['DIFF', 'TRUNC', 'SNAP', 'NEWLEADER'] as const) expect(l.packetsTo(1, kind)).toEqual([]);
    expect(l.r.currentEpoch).toBe(1);
  });

  test('paper (discovery, step l.1.2): a newer currentEpoch beats a longer log; an equal or older history is followed', () => {
    const newerEpoch = new LeaderUnderTest({ acceptedEpoch: 1, currentEpoch: 1, entries: [entry(1, 1), entry(1, 2)] });
    newerEpoch.electBy(1);
    newerEpoch.from(1, { kind: 'FOLLOWERINFO', observer: false, acceptedEpoch: 2, lastZxid: makeZxid(2, 1) });
    newerEpoch.from(1, { kind: 'ACKEPOCH', currentEpoch: 2, lastZxid: makeZxid(2, 1) });
    expect(newerEpoch.r.role).toBe('looking');
    expect(newerEpoch.packetsTo(1, 'NEWLEADER')).toEqual([]);

    const behind = new LeaderUnderTest({ acceptedEpoch: 1, currentEpoch: 1, entries: [entry(1, 1), entry(1, 2)] });
    behind.electBy(1);
    behind.from(1, { kind: 'FOLLOWERINFO', observer: false, acceptedEpoch: 1, lastZxid: makeZxid(1, 1) });
    behind.from(1, { kind: 'ACKEPOCH', currentEpoch: 1, lastZxid: makeZxid(1, 1) });
    expect(behind.r.softState()).toMatchObject({ role: 'leading', epoch: 2, phase: 'sync' });
    expect(behind.packetsTo(1, 'DIFF')).toEqual([{ kind: 'DIFF', zxid: makeZxid(1, 1), entries: [entry(1, 2)] }]);
  });

  test('an ACKEPOCH of -1 (the epoch was already accepted, maybe for another leader) is no vote for the epoch', () => {
    const l = new LeaderUnderTest();
    l.electBy(1);
    l.from(1, { kind: 'FOLLOWERINFO', observer: false, acceptedEpoch: 0, lastZxid: 0 });
    expect(l.packetsTo(1, 'LEADERINFO')).toEqual([{ kind: 'LEADERINFO', epoch: 1 }]);
    // 1 promised epoch 1 to a rival leader meanwhile: it answers -1, which must not make us {3, 1}'s leader
    l.from(1, { kind: 'ACKEPOCH', currentEpoch: -1, lastZxid: 0 });
    expect(l.r.softState()).toMatchObject({ role: 'leading', epoch: 1, phase: 'discovery' });
    expect(l.packetsTo(1, 'NEWLEADER')).toEqual([]);
    expect(l.r.currentEpoch).toBe(0);
    // a real vote from 2 completes the epoch quorum {3, 2}; 1 is synced too (it follows, it just did not vote)
    l.from(2, { kind: 'FOLLOWERINFO', observer: false, acceptedEpoch: 0, lastZxid: 0 });
    l.from(2, { kind: 'ACKEPOCH', currentEpoch: 0, lastZxid: 0 });
    expect(l.r.softState()).toMatchObject({ role: 'leading', epoch: 1, phase: 'sync' });
    expect(l.r.currentEpoch).toBe(1);
    expect(l.packetsTo(2, 'NEWLEADER')).toHaveLength(1);
  });
});

describe('broadcast: the leader\'s own vote', () => {
  test('paper: the leader counts its own copy of a proposal only once the shell reports it durable (advance)', () => {
    const l = new LeaderUnderTest();
    l.electBy(1);
    l.from(1, { kind: 'FOLLOWERINFO', observer: false, acceptedEpoch: 0, lastZxid: 0 });
    l.from(1, { kind: 'ACKEPOCH', currentEpoch: 0, lastZxid: 0 });
    l.from(1, { kind: 'ACK', zxid: 0, newLeader: true });
    expect(l.r.isActiveLeader).toBe(true);
    const z = l.r.propose(new TextEncoder().encode('a'))!;
    const rd = l.r.ready();
    expect(rd.entries.map((x) => x.zxid)).toEqual([z]);
    expect(rd.mustSync).toBe(true);
    // ZooKeeper's leader sends a PROPOSAL while logging it; the follower's ACK can beat the leader's fsync.
    // One ack of three members is no quorum until the leader's own write is known durable.
    l.from(1, { kind: 'ACK', zxid: z, newLeader: false });
    expect(l.r.commitZxid).toBeLessThan(z);
    l.advance(rd);
    expect(l.r.commitZxid).toBe(z);
    l.drain();
    expect(l.packetsTo(1, 'COMMIT')).toEqual([{ kind: 'COMMIT', zxid: z }]);
  });
});
