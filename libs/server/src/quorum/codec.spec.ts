import { describe, expect, it } from '@jest/globals';
import { FrameDecoder, JuteWriter, OpCode } from '@paddock/protocol';
import type { Message, QuorumPacket } from '@paddock/zab';
import { decodeMessage, encodeMessage, MAX_QUORUM_FRAME, QuorumCodecError } from './codec.js';
import { decodeLeaderRequest, encodeForwardedWrite, encodeTouches } from './forward-codec.js';

const Z = 0x300000007; // epoch 3, counter 7: above 2^32
const entries = [
  { zxid: Z, data: Buffer.from('txn-a') },
  { zxid: Z + 1, data: Buffer.from('txn-b') },
];
const packets: QuorumPacket[] = [
  { kind: 'FOLLOWERINFO', observer: true, acceptedEpoch: 3, lastZxid: Z },
  { kind: 'LEADERINFO', epoch: 4 },
  { kind: 'ACKEPOCH', currentEpoch: -1, lastZxid: Z },
  { kind: 'DIFF', zxid: Z - 1, entries },
  { kind: 'TRUNC', zxid: Z, entries: [] },
  { kind: 'SNAP', zxid: Z, snapshot: { zxid: Z, data: Buffer.from('snapshot body') }, entries },
  { kind: 'NEWLEADER', epoch: 4, zxid: Z + 1 },
  { kind: 'ACK', zxid: Z + 1, newLeader: true },
  { kind: 'UPTODATE', commit: Z },
  { kind: 'PROPOSAL', entries },
  { kind: 'COMMIT', zxid: Z + 1 },
  { kind: 'INFORM', entries },
  { kind: 'PING', zxid: Z },
  { kind: 'PONG' },
  { kind: 'REQUEST', data: Buffer.from([1, 2, 3]) },
  { kind: 'CLOSE' },
];

function roundTrip(m: Message): Message {
  const frame = Buffer.from(encodeMessage(new JuteWriter(16), m));
  const [payload] = new FrameDecoder(MAX_QUORUM_FRAME).push(frame);
  return decodeMessage(payload!, MAX_QUORUM_FRAME);
}

describe('quorum wire codec', () => {
  it.each(packets.map((p) => [p.kind, p] as const))('round-trips %s', (_kind, p) => {
    const m: Message = { type: 'packet', from: 2, to: 1, conn: 5 * 1048576 + 3, seq: 17, p };
    expect(roundTrip(m)).toEqual(m);
  });

  it('round-trips a vote notification', () => {
    const m: Message = {
      type: 'vote',
      from: 3,
      to: 1,
      n: { state: 'leading', vote: { leader: 3, zxid: Z, peerEpoch: 3 }, electionEpoch: 9, acceptedEpoch: 3, inc: 12, nseq: 400 },
    };
    expect(roundTrip(m)).toEqual(m);
    const looking: Message = { ...m, n: { ...m.n, state: 'looking', vote: { leader: -1, zxid: -1, peerEpoch: -1 } } } as Message;
    expect(roundTrip(looking)).toEqual(looking);
  });

  it('rejects truncated, trailing and unknown input', () => {
    const frame = Buffer.from(encodeMessage(new JuteWriter(16), { type: 'packet', from: 1, to: 2, conn: 1, seq: 0, p: { kind: 'COMMIT', zxid: 5 } }));
    const payload = frame.subarray(4);
    expect(() => decodeMessage(payload.subarray(0, payload.length - 1), 1024)).toThrow(QuorumCodecError);
    expect(() => decodeMessage(Buffer.concat([payload, Buffer.from([0])]), 1024)).toThrow(QuorumCodecError);
    const bad = Buffer.from(payload);
    bad[0] = 7;
    expect(() => decodeMessage(bad, 1024)).toThrow(QuorumCodecError);
    // a buffer length above the bound is refused before it is read
    const big = Buffer.from(encodeMessage(new JuteWriter(16), { type: 'packet', from: 1, to: 2, conn: 1, seq: 0, p: { kind: 'REQUEST', data: Buffer.alloc(2048) } })).subarray(4);
    expect(() => decodeMessage(big, 1024)).toThrow(QuorumCodecError);
  });
});

describe('forwarded requests', () => {
  it('round-trips a forwarded write with its auth ids', () => {
    const req = {
      sessionId: -0x7ffffffffffffff0n,
      cxid: 42,
      op: OpCode.create,
      body: Buffer.from('body bytes'),
      authIds: [{ scheme: 'ip', id: '127.0.0.1' }, { scheme: 'digest', id: 'u:abc=' }],
      timeout: 0,
      err: null,
    };
    const out = decodeLeaderRequest(encodeForwardedWrite(req));
    expect(out.kind).toBe('write');
    if (out.kind === 'write') expect({ ...out.req, body: Buffer.from(out.req.body).toString() }).toEqual({ ...req, body: 'body bytes' });
    const err = decodeLeaderRequest(encodeForwardedWrite({ ...req, err: -5, body: Buffer.alloc(0) }));
    expect(err.kind === 'write' && err.req.err).toBe(-5);
  });

  it('round-trips session touches', () => {
    expect(decodeLeaderRequest(encodeTouches([1n, -2n, 0x0123456789abcdefn]))).toEqual({ kind: 'touches', sessions: [1n, -2n, 0x0123456789abcdefn] });
  });
});
