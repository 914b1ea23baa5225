/**
 * Wire encoding of the ZAB core's messages (`@paddock/zab` Message) between Paddock members, in jute
 * (ZooKeeper's big-endian record encoding), one message per length-prefixed frame.
 *
 * Frame payload: byte kind (0 = vote notification, 1 = quorum packet), int from, int to, then
 *   vote:   int state, long leader, long zxid, long peerEpoch, long electionEpoch, long acceptedEpoch,
 *           long inc, long nseq
 *   packet: long conn, long seq, byte packetType, then the packet's fields (see encodePacket).
 * zxids, epochs and connection ids are non-negative safe integers (or -1) carried as jute longs.
 * The peers are all Paddock, so this is not ZooKeeper's quorum wire format.
 */
import { JuteReader, JuteWriter, JuteDecodeError } from '@paddock/protocol';
import type { Entry, Message, Notification, QuorumPacket, Role } from '@paddock/zab';

/** Largest election frame: a vote is ~70 bytes. */
export const MAX_ELECTION_FRAME = 64 * 1024;
/** Largest quorum frame (a SNAP carries the whole snapshot; a PROPOSAL up to maxBatch txns). */
export const MAX_QUORUM_FRAME = 512 * 1024 * 1024;

const ROLES: readonly Role[] = ['looking', 'following', 'leading', 'observing'];
const PACKETS = [
  'FOLLOWERINFO', 'LEADERINFO', 'ACKEPOCH', 'DIFF', 'TRUNC', 'SNAP', 'NEWLEADER', 'ACK', 'UPTODATE',
  'PROPOSAL', 'COMMIT', 'INFORM', 'PING', 'PONG', 'REQUEST', 'CLOSE',
] as const;
type PacketKind = (typeof PACKETS)[number];

export class QuorumCodecError extends Error {}

/** Encodes one message as a frame (4-byte length + payload) into `w` (reset first). */
export function encodeMessage(w: JuteWriter, m: Message): Buffer {
  w.reset();
  const at = w.startFrame();
  w.writeByte(m.type === 'vote' ? 0 : 1);
  w.writeInt(m.from);
  w.writeInt(m.to);
  if (m.type === 'vote') writeNotification(w, m.n);
  else {
    w.writeLongNumber(m.conn);
    w.writeLongNumber(m.seq);
    writePacket(w, m.p);
  }
  w.endFrame(at);
  return w.bytes();
}

/** Decodes a frame payload (without the length prefix). Throws QuorumCodecError on malformed input. */
export function decodeMessage(frame: Buffer, maxLength: number): Message {
  const r = new JuteReader(frame, 0, frame.length, maxLength);
  try {
    const kind = r.readByte();
    const from = r.readInt();
    const to = r.readInt();
    let m: Message;
    if (kind === 0) m = { type: 'vote', from, to, n: readNotification(r) };
    else if (kind === 1) {
      const conn = r.readLongNumber();
      const seq = r.readLongNumber();
      m = { type: 'packet', from, to, conn, seq, p: readPacket(r) };
    } else throw new QuorumCodecError(`unknown message kind ${kind}`);
    if (r.remaining !== 0) throw new QuorumCodecError(`${r.remaining} trailing bytes after a quorum message`);
    return m;
  } catch (e) {
    if (e instanceof JuteDecodeError) throw new QuorumCodecError(e.message);
    throw e;
  }
}

function writeNotification(w: JuteWriter, n: Notification): void {
  w.writeInt(ROLES.indexOf(n.state));
  w.writeLongNumber(n.vote.leader);
  w.writeLongNumber(n.vote.zxid);
  w.writeLongNumber(n.vote.peerEpoch);
  w.writeLongNumber(n.electionEpoch);
  w.writeLongNumber(n.acceptedEpoch);
  w.writeLongNumber(n.inc);
  w.writeLongNumber(n.nseq);
}

function readNotification(r: JuteReader): Notification {
  const state = ROLES[r.readInt()];
  if (state === undefined) throw new QuorumCodecError('bad role in a vote');
  const leader = r.readLongNumber();
  const zxid = r.readLongNumber();
  const peerEpoch = r.readLongNumber();
  return {
    state,
    vote: { leader, zxid, peerEpoch },
    electionEpoch: r.readLongNumber(),
    acceptedEpoch: r.readLongNumber(),
    inc: r.readLongNumber(),
    nseq: r.readLongNumber(),
  };
}

function writeEntries(w: JuteWriter, entries: readonly Entry[]): void {
  w.writeInt(entries.length);
  for (const e of entries) {
    w.writeLongNumber(e.zxid);
    w.writeBuffer(e.data);
  }
}

function readEntries(r: JuteReader): Entry[] {
  const n = r.readInt();
  if (n < 0 || n > r.remaining) throw new QuorumCodecError(`bad entry count ${n}`);
  const out: Entry[] = [];
  for (let i = 0; i < n; i++) {
    const zxid = r.readLongNumber();
    const data = r.readBuffer();
    if (data === null) throw new QuorumCodecError('null txn in a quorum packet');
    out.push({ zxid, data });
  }
  return out;
}

function writePacket(w: JuteWriter, p: QuorumPacket): void {
  w.writeByte(PACKETS.indexOf(p.kind));
  switch (p.kind) {
    case 'FOLLOWERINFO':
      w.writeBool(p.observer);
      w.writeLongNumber(p.acceptedEpoch);
      w.writeLongNumber(p.lastZxid);
      return;
    case 'LEADERINFO':
      w.writeLongNumber(p.epoch);
      return;
    case 'ACKEPOCH':
      w.writeLongNumber(p.currentEpoch);
      w.writeLongNumber(p.lastZxid);
      return;
    case 'DIFF':
    case 'TRUNC':
    case 'SNAP':
      w.writeLongNumber(p.zxid);
      w.writeBool(p.snapshot !== undefined);
      if (p.snapshot !== undefined) {
        w.writeLongNumber(p.snapshot.zxid);
        w.writeBuffer(p.snapshot.data);
      }
      writeEntries(w, p.entries);
      return;
    case 'NEWLEADER':
      w.writeLongNumber(p.epoch);
      w.writeLongNumber(p.zxid);
      return;
    case 'ACK':
      w.writeLongNumber(p.zxid);
      w.writeBool(p.newLeader);
      return;
    case 'UPTODATE':
      w.writeLongNumber(p.commit);
      return;
    case 'PROPOSAL':
    case 'INFORM':
      writeEntries(w, p.entries);
      return;
    case 'COMMIT':
    case 'PING':
      w.writeLongNumber(p.zxid);
      return;
    case 'REQUEST':
      w.writeBuffer(p.data);
      return;
    case 'PONG':
    case 'CLOSE':
      return;
  }
}

function readPacket(r: JuteReader): QuorumPacket {
  const kind: PacketKind | undefined = PACKETS[r.readByte()];
  switch (kind) {
    case 'FOLLOWERINFO':
      return { kind, observer: r.readBool(), acceptedEpoch: r.readLongNumber(), lastZxid: r.readLongNumber() };
    case 'LEADERINFO':
      return { kind, epoch: r.readLongNumber() };
    case 'ACKEPOCH':
      return { kind, currentEpoch: r.readLongNumber(), lastZxid: r.readLongNumber() };
    case 'DIFF':
    case 'TRUNC':
    case 'SNAP': {
      const zxid = r.readLongNumber();
      const hasSnap = r.readBool();
      let snapshot: { zxid: number; data: Uint8Array } | undefined;
      if (hasSnap) {
        const sz = r.readLongNumber();
        const data = r.readBuffer();
        if (data === null) throw new QuorumCodecError('null snapshot');
        snapshot = { zxid: sz, data };
      }
      const entries = readEntries(r);
      return snapshot === undefined ? { kind, zxid, entries } : { kind, zxid, snapshot, entries };
    }
    case 'NEWLEADER':
      return { kind, epoch: r.readLongNumber(), zxid: r.readLongNumber() };
    case 'ACK':
      return { kind, zxid: r.readLongNumber(), newLeader: r.readBool() };
    case 'UPTODATE':
      return { kind, commit: r.readLongNumber() };
    case 'PROPOSAL':
    case 'INFORM':
      return { kind, entries: readEntries(r) };
    case 'COMMIT':
    case 'PING':
      return { kind, zxid: r.readLongNumber() };
    case 'REQUEST': {
      const data = r.readBuffer();
      if (data === null) throw new QuorumCodecError('null request');
      return { kind, data };
    }
    case 'PONG':
    case 'CLOSE':
      return { kind };
    default:
      throw new QuorumCodecError('unknown quorum packet type');
  }
}
