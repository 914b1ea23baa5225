/**
 * The opaque REQUEST payload a learner sends its leader (`ZabReplica.forward`), in jute:
 *   byte 1 (write):   long sessionId, int cxid, int op, int timeout, int err (-2 = none),
 *                     vector<Id> authIds, buffer body
 *   byte 2 (touches): vector<long> sessionIds — sessions whose clients were heard from since the last
 *                     report (the leader's SessionTracker owns expiry; see QuorumPeer).
 */
import { JuteReader, JuteWriter, type Id } from '@paddock/protocol';
import type { ForwardedWrite } from '../zk-server.js';

export type LeaderRequest = { kind: 'write'; req: ForwardedWrite } | { kind: 'touches'; sessions: bigint[] };

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
