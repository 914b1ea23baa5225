/**
 * The opaque REQUEST payload a learner sends its leader (`ZabReplica.forward`), in jute:
 *   byte 1 (write):   long sessionId, int cxid, int op, int timeout, int err (-2 = none),
 *                     vector<Id> authIds, buffer body
 *   byte 2 (touches): vector<long> sessionIds — sessions whose clients were heard from since the last
 *                     report (the leader's SessionTracker owns expiry; see QuorumPeer).
 *   byte 3 (revalidate): long sessionId, int timeout, int token — may a client reopen this session here?
 *                     (ZooKeeper's REVALIDATE, learner -> leader)
 * and the leader's answer to a learner (`ZabReplica.reply`):
 *   byte 4 (revalidated): int token, long sessionId, bool valid
 *   byte 5 (moved):       long sessionId, int cxid — your forwarded request was rejected as SessionMoved
 *                         (sent before its error txn's COMMIT; see ZkServer.sessionMovedNotice)
 */
import { JuteReader, JuteWriter, type Id } from '@paddock/protocol';
import type { ForwardedWrite } from '../zk-server.js';

export type LeaderRequest =
  | { kind: 'write'; req: ForwardedWrite }
  | { kind: 'touches'; sessions: bigint[] }
  | { kind: 'revalidate'; sessionId: bigint; timeout: number; token: number };

export interface Revalidated {
  kind: 'revalidated';
  token: number;
  sessionId: bigint;
  valid: boolean;
}

export interface MovedNotice {
  kind: 'moved';
  sessionId: bigint;
  cxid: number;
}

export function encodeMovedNotice(sessionId: bigint, cxid: number): Buffer {
  const w = new JuteWriter(16);
  w.writeByte(5);
  w.writeLong(sessionId);
  w.writeInt(cxid);
  return Buffer.from(w.bytes());
}

export function encodeRevalidate(sessionId: bigint, timeout: number, token: number): Buffer {
  const w = new JuteWriter(24);
  w.writeByte(3);
  w.writeLong(sessionId);
  w.writeInt(timeout);
  w.writeInt(token);
  return Buffer.from(w.bytes());
}

export function encodeRevalidated(a: Omit<Revalidated, 'kind'>): Buffer {
  const w = new JuteWriter(24);
  w.writeByte(4);
  w.writeInt(a.token);
  w.writeLong(a.sessionId);
  w.writeBool(a.valid);
  return Buffer.from(w.bytes());
}

/** A learner's decoding of what its leader sent it. */
export function decodeLeaderAnswer(data: Uint8Array): Revalidated | MovedNotice {
  const r = new JuteReader(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  const kind = r.readByte();
  if (kind === 5) return { kind: 'moved', sessionId: r.readLong(), cxid: r.readInt() };
  if (kind !== 4) throw new Error(`unknown leader answer kind ${kind}`);
  return { kind: 'revalidated', token: r.readInt(), sessionId: r.readLong(), valid: r.readBool() };
}

const NO_ERR = -2;

export function encodeForwardedWrite(req: ForwardedWrite): Buffer {
  const w = new JuteWriter(64 + req.body.length);
  w.writeByte(1);
  w.writeLong(req.sessionId);
  w.writeInt(req.cxid);
  w.writeInt(req.op);
  w.writeInt(req.timeout);
  w.writeInt(req.err ?? NO_ERR);
  w.writeVector(req.authIds, (ww, id: Id) => {
    ww.writeString(id.scheme);
    ww.writeString(id.id);
  });
  w.writeBuffer(req.body);
  return Buffer.from(w.bytes());
}

export function encodeTouches(sessions: Iterable<bigint>): Buffer {
  const list = [...sessions];
  const w = new JuteWriter(8 + 8 * list.length);
  w.writeByte(2);
  w.writeInt(list.length);
  for (const s of list) w.writeLong(s);
  return Buffer.from(w.bytes());
}

export function decodeLeaderRequest(data: Uint8Array): LeaderRequest {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const r = new JuteReader(buf);
  const kind = r.readByte();
  if (kind === 2) {
    const n = r.readInt();
    if (n < 0 || n * 8 > r.remaining) throw new Error(`bad touch count ${n}`);
    const sessions: bigint[] = [];
    for (let i = 0; i < n; i++) sessions.push(r.readLong());
    return { kind: 'touches', sessions };
  }
  if (kind === 3) return { kind: 'revalidate', sessionId: r.readLong(), timeout: r.readInt(), token: r.readInt() };
  if (kind !== 1) throw new Error(`unknown forwarded request kind ${kind}`);
  const sessionId = r.readLong();
  const cxid = r.readInt();
  const op = r.readInt();
  const timeout = r.readInt();
  const err = r.readInt();
  const n = r.readInt();
  if (n < 0 || n > r.remaining) throw new Error(`bad auth id count ${n}`);
  const authIds: Id[] = [];
  for (let i = 0; i < n; i++) authIds.push({ scheme: r.readStringNonNull(), id: r.readStringNonNull() });
  const body = r.readBuffer() ?? Buffer.alloc(0);
  return { kind: 'write', req: { sessionId, cxid, op, timeout, err: err === NO_ERR ? null : err, authIds, body } };
}
