import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { JuteReader, JuteWriter, type ACL } from '@paddock/protocol';
import { encodeTxn, readTxn, writeTxn, type Txn, type TxnHeader } from './txn.js';

const arbInt = fc.integer({ min: -2147483648, max: 2147483647 });
const arbLong = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
const arbNum = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const arbPath = fc.string({ maxLength: 20 }).map((s) => '/' + s);
const arbData = fc.option(fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)), { nil: null });
const arbAcl: fc.Arbitrary<ACL[]> = fc.array(
  fc.record({ perms: fc.integer({ min: 0, max: 31 }), id: fc.record({ scheme: fc.string({ maxLength: 8 }), id: fc.string({ maxLength: 12 }) }) }),
  { maxLength: 3 },
);

const arbLeaf: fc.Arbitrary<Txn> = fc.oneof(
  fc.record({ type: fc.constantFrom(1 as const, 15 as const), path: arbPath, data: arbData, acl: arbAcl, ephemeral: fc.boolean(), parentCVersion: arbInt }),
  fc.record({ type: fc.constant(19 as const), path: arbPath, data: arbData, acl: arbAcl, parentCVersion: arbInt }),
  fc.record({ type: fc.constant(21 as const), path: arbPath, data: arbData, acl: arbAcl, parentCVersion: arbInt, ttl: arbLong }),
  fc.record({ type: fc.constantFrom(2 as const, 20 as const), path: arbPath }),
  fc.record({ type: fc.constant(5 as const), path: arbPath, data: arbData, version: arbInt }),
  fc.record({ type: fc.constant(7 as const), path: arbPath, acl: arbAcl, version: arbInt }),
  fc.record({ type: fc.constant(13 as const), path: arbPath, version: arbInt }),
  fc.record({ type: fc.constant(-10 as const), timeOut: arbInt }),
  fc.record({ type: fc.constant(-11 as const), paths: fc.array(arbPath, { maxLength: 4 }) }),
  fc.record({ type: fc.constant(-1 as const), err: arbInt }),
);
const arbMultiSub: fc.Arbitrary<Txn> = fc.oneof(
  fc.record({ type: fc.constantFrom(1 as const, 15 as const), path: arbPath, data: arbData, acl: arbAcl, ephemeral: fc.boolean(), parentCVersion: arbInt }),
  fc.record({ type: fc.constant(2 as const), path: arbPath }),
  fc.record({ type: fc.constant(5 as const), path: arbPath, data: arbData, version: arbInt }),
  fc.record({ type: fc.constant(13 as const), path: arbPath, version: arbInt }),
  fc.record({ type: fc.constant(-1 as const), err: arbInt }),
);
const arbTxn: fc.Arbitrary<Txn> = fc.oneof(arbLeaf, fc.record({ type: fc.constant(14 as const), txns: fc.array(arbMultiSub, { maxLength: 4 }) }));
const arbHeader = (type: number): fc.Arbitrary<TxnHeader> =>
  fc.record({ sessionId: arbLong, cxid: arbInt, zxid: arbNum, time: arbNum, type: fc.constant(type) });

/** Buffers compare by content; normalise for toEqual. */
function norm(t: unknown): unknown {
  return JSON.parse(JSON.stringify(t, (_k, v) => (typeof v === 'bigint' ? `big:${v}` : v)));
}

describe('txn codec', () => {
  it('round-trips every txn type (property)', () => {
    fc.assert(
      fc.property(
        arbTxn.chain((txn) => fc.tuple(arbHeader(txn.type), fc.constant(txn))),
        ([header, txn]) => {
          const w = new JuteWriter(16);
          writeTxn(w, header, txn);
          const r = new JuteReader(Buffer.from(w.bytes()));
          const back = readTxn(r);
          expect(r.remaining).toBe(0);
          expect(back.header).toEqual(header);
          expect(norm(back.txn)).toEqual(norm(txn));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('uses ZooKeeper layout: TxnHeader then CreateTxn', () => {
    const buf = encodeTxn(
      { sessionId: 0x1234n, cxid: 7, zxid: 0x100000001, time: 1000, type: 1 },
      { type: 1, path: '/a', data: Buffer.from('x'), acl: [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }], ephemeral: true, parentCVersion: 3 },
    );
    const expected = Buffer.concat([
      Buffer.from('0000000000001234', 'hex'), // clientId
      Buffer.from('00000007', 'hex'), // cxid
      Buffer.from('0000000100000001', 'hex'), // zxid
      Buffer.from('00000000000003e8', 'hex'), // time
      Buffer.from('00000001', 'hex'), // type
      Buffer.from('000000022f61', 'hex'), // path
      Buffer.from('0000000178', 'hex'), // data
      Buffer.from('00000001' + '0000001f' + '00000005' + Buffer.from('world').toString('hex') + '00000006' + Buffer.from('anyone').toString('hex'), 'hex'),
      Buffer.from('01', 'hex'), // ephemeral
      Buffer.from('00000003', 'hex'), // parentCVersion
    ]);
    expect(buf.toString('hex')).toBe(expected.toString('hex'));
  });

  it('encodes MultiTxn as vector<Txn{int type, buffer data}>', () => {
    const buf = encodeTxn({ sessionId: 1n, cxid: 1, zxid: 2, time: 3, type: 14 }, { type: 14, txns: [{ type: -1, err: -110 }, { type: 2, path: '/b' }] });
    const tail = buf.subarray(32).toString('hex');
    expect(tail).toBe('00000002' + 'ffffffff' + '00000004' + 'ffffff92' + '00000002' + '00000006' + '000000022f62');
  });

  it('reads a pre-3.6 closeSession without a body', () => {
    const w = new JuteWriter();
    w.writeLong(5n).writeInt(0).writeLongNumber(9).writeLongNumber(1).writeInt(-11);
    expect(readTxn(new JuteReader(Buffer.from(w.bytes()))).txn).toEqual({ type: -11, paths: [] });
  });

  it('rejects unknown types and truncation', () => {
    const w = new JuteWriter();
    w.writeLong(5n).writeInt(0).writeLongNumber(9).writeLongNumber(1).writeInt(99);
    expect(() => readTxn(new JuteReader(Buffer.from(w.bytes())))).toThrow(/unknown txn type 99/);
    const full = encodeTxn({ sessionId: 1n, cxid: 1, zxid: 2, time: 3, type: 5 }, { type: 5, path: '/abc', data: Buffer.from('hello'), version: 1 });
    for (let cut = 0; cut < full.length; cut++) {
      expect(() => readTxn(new JuteReader(full.subarray(0, cut)))).toThrow();
    }
  });
});

describe('TxnHeader sessionId encoding', () => {
  it('writes the same 8 bytes as a jute long, for any sequence of (repeating) session ids', () => {
    fc.assert(
      fc.property(fc.array(arbLong, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(7), { maxLength: 30 }), (ids, picks) => {
        for (const i of [0, ...picks]) {
          const sessionId = ids[i % ids.length]!;
          const w = new JuteWriter(64);
          writeTxn(w, { sessionId, cxid: 1, zxid: 2, time: 3, type: -10 }, { type: -10, timeOut: 5 });
          const expected = new JuteWriter(8).writeLong(sessionId).bytes();
          expect(Buffer.from(w.bytes().subarray(0, 8))).toEqual(Buffer.from(expected));
        }
      }),
    );
  });
});
