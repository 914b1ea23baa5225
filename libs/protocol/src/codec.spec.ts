import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { JuteReader, JuteDecodeError } from './jute-reader.js';
import { JuteWriter } from './jute-writer.js';
import * as rec from './records.js';
import {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  MultiKindError,
  readMultiResponse,
  UnknownOpCodeError,
  writeMultiResponse,
  writeResponseBody,
  type ClientRequest,
  type OpResponse,
} from './requests.js';
import { encodeConnectRequest, encodeConnectResponse, encodeNotification, encodeReply, FrameDecoder } from './framing.js';
import type { ACL, MultiOp, MultiResult, SetWatchesRequest, Stat } from './types.js';

// ---------------------------------------------------------------- arbitraries

const int32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const longNum = fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
const long64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const str = fc.string({ unit: 'binary', maxLength: 24 });
const nullableStr = fc.option(str, { nil: null });
const buf = fc.uint8Array({ maxLength: 40 }).map((u) => Buffer.from(u));
const nullableBuf = fc.option(buf, { nil: null });
const strList = fc.array(str, { maxLength: 5 });

const idArb = fc.record({ scheme: str, id: str });
const aclArb: fc.Arbitrary<ACL> = fc.record({ perms: int32, id: idArb });
const aclList = fc.array(aclArb, { maxLength: 4 });
const statArb: fc.Arbitrary<Stat> = fc.record({
  czxid: longNum,
  mzxid: longNum,
  ctime: longNum,
  mtime: longNum,
  version: int32,
  cversion: int32,
  aversion: int32,
  ephemeralOwner: long64,
  dataLength: int32,
  numChildren: int32,
  pzxid: longNum,
});
const createArb = fc.record({ path: str, data: nullableBuf, acl: aclList, flags: int32 });
const createTTLArb = fc.record({ path: str, data: nullableBuf, acl: aclList, flags: int32, ttl: long64 });
const pathWatch = fc.record({ path: str, watch: fc.boolean() });
const pathVersion = fc.record({ path: str, version: int32 });
const setDataArb = fc.record({ path: str, data: nullableBuf, version: int32 });
const setWatches1: fc.Arbitrary<SetWatchesRequest> = fc.record({
  relativeZxid: longNum,
  dataWatches: strList,
  existWatches: strList,
  childWatches: strList,
  persistentWatches: fc.constant([] as string[]),
  persistentRecursiveWatches: fc.constant([] as string[]),
});
const setWatches2: fc.Arbitrary<SetWatchesRequest> = fc.record({
  relativeZxid: longNum,
  dataWatches: strList,
  existWatches: strList,
  childWatches: strList,
  persistentWatches: strList,
  persistentRecursiveWatches: strList,
});

const writeOp: fc.Arbitrary<MultiOp> = fc.oneof(
  fc.record({ type: fc.constantFrom(1 as const, 15 as const, 19 as const), request: createArb }),
  fc.record({ type: fc.constant(21 as const), request: createTTLArb }),
  fc.record({ type: fc.constant(2 as const), request: pathVersion }),
  fc.record({ type: fc.constant(5 as const), request: setDataArb }),
  fc.record({ type: fc.constant(13 as const), request: pathVersion }),
);
const readOp: fc.Arbitrary<MultiOp> = fc.record({ type: fc.constantFrom(4 as const, 8 as const), request: pathWatch });

export const clientRequestArb: fc.Arbitrary<ClientRequest> = fc.oneof(
  fc.record({ type: fc.constantFrom(1 as const, 15 as const, 19 as const), request: createArb }),
  fc.record({ type: fc.constant(21 as const), request: createTTLArb }),
  fc.record({ type: fc.constant(2 as const), request: pathVersion }),
  fc.record({ type: fc.constantFrom(3 as const, 4 as const, 8 as const, 12 as const), request: pathWatch }),
  fc.record({ type: fc.constant(5 as const), request: setDataArb }),
  fc.record({ type: fc.constantFrom(6 as const, 9 as const, 103 as const, 104 as const, 20 as const), request: fc.record({ path: str }) }),
  fc.record({ type: fc.constant(7 as const), request: fc.record({ path: str, acl: aclList, version: int32 }) }),
  fc.record({ type: fc.constant(13 as const), request: pathVersion }),
  fc.record({ type: fc.constant(14 as const), ops: fc.array(writeOp, { maxLength: 5 }) }),
  fc.record({ type: fc.constant(22 as const), ops: fc.array(readOp, { maxLength: 5 }) }),
  fc.record({
    type: fc.constant(16 as const),
    request: fc.record({ joiningServers: nullableStr, leavingServers: nullableStr, newMembers: nullableStr, curConfigId: long64 }),
  }),
  fc.record({ type: fc.constantFrom(17 as const, 18 as const), request: fc.record({ path: str, type: int32 }) }),
  fc.record({ type: fc.constant(100 as const), request: fc.record({ type: int32, scheme: str, auth: nullableBuf }) }),
  fc.record({ type: fc.constant(101 as const), request: setWatches1 }),
  fc.record({ type: fc.constant(105 as const), request: setWatches2 }),
  fc.record({ type: fc.constant(102 as const), request: fc.record({ token: nullableBuf }) }),
  fc.record({ type: fc.constant(106 as const), request: fc.record({ path: str, mode: int32 }) }),
  fc.record({ type: fc.constantFrom(11 as const, -11 as const, 107 as const) }),
);

const multiResultArb: fc.Arbitrary<MultiResult> = fc.oneof(
  fc.record({ type: fc.constant(1 as const), path: str }),
  fc.record({ type: fc.constant(15 as const), path: str, stat: statArb }),
  fc.record({ type: fc.constantFrom(2 as const, 13 as const) }),
  fc.record({ type: fc.constant(5 as const), stat: statArb }),
  fc.record({ type: fc.constant(4 as const), data: nullableBuf, stat: statArb }),
  fc.record({ type: fc.constant(8 as const), children: strList }),
  fc.record({ type: fc.constant(-1 as const), err: int32 }),
);

const opResponseArb: fc.Arbitrary<OpResponse> = fc.oneof(
  fc.record({ type: fc.constant(1 as const), path: str }),
  fc.record({ type: fc.constantFrom(15 as const, 19 as const, 21 as const), path: str, stat: statArb }),
  fc.record({ type: fc.constantFrom(3 as const, 5 as const, 7 as const), stat: statArb }),
  fc.record({ type: fc.constantFrom(4 as const, 16 as const), data: nullableBuf, stat: statArb }),
  fc.record({ type: fc.constant(6 as const), acl: aclList, stat: statArb }),
  fc.record({ type: fc.constant(8 as const), children: strList }),
  fc.record({ type: fc.constant(12 as const), children: strList, stat: statArb }),
  fc.record({ type: fc.constant(9 as const), path: str }),
  fc.record({ type: fc.constantFrom(14 as const, 22 as const), results: fc.array(multiResultArb, { maxLength: 5 }) }),
  fc.record({ type: fc.constant(102 as const), token: nullableBuf }),
  fc.record({ type: fc.constant(103 as const), ephemerals: strList }),
  fc.record({ type: fc.constant(104 as const), totalNumber: int32 }),
  fc.record({ type: fc.constant(106 as const), err: int32 }),
  fc.record({ type: fc.constant(107 as const), clientInfo: fc.array(fc.record({ authScheme: str, user: str }), { maxLength: 3 }) }),
  fc.record({ type: fc.constantFrom(2 as const, 11 as const, 13 as const, 17 as const, 18 as const, 20 as const, 100 as const, 101 as const, 105 as const, -11 as const) }),
);

// ---------------------------------------------------------------- helpers

function roundTrip<T>(arb: fc.Arbitrary<T>, write: (w: JuteWriter, v: T) => void, read: (r: JuteReader) => T): void {
  const w = new JuteWriter(8); // small, so growth is exercised
  fc.assert(
    fc.property(arb, (v) => {
      w.reset();
      write(w, v);
      const bytes = w.bytes();
      const r = new JuteReader(bytes);
      expect(read(r)).toEqual(v);
      expect(r.remaining).toBe(0);
      // every proper prefix is a clean JuteDecodeError (or, for optional tails, a shorter record)
      for (const cut of [0, 1, bytes.length >> 1, bytes.length - 1]) {
        if (cut < 0 || cut >= bytes.length) continue;
        try {
          read(new JuteReader(bytes, 0, cut));
        } catch (e) {
          expect(e).toBeInstanceOf(JuteDecodeError);
        }
      }
    }),
    { numRuns: 150 },
  );
}

interface RoundTripCase {
  name: string;
  run: () => void;
}
function rt<T>(name: string, arb: fc.Arbitrary<T>, write: (w: JuteWriter, v: T) => void, read: (r: JuteReader) => T): RoundTripCase {
  return { name, run: () => roundTrip(arb, write, read) };
}

const records: RoundTripCase[] = [
  rt('Id', idArb, rec.writeId, rec.readId),
  rt('ACL', aclArb, rec.writeACL, rec.readACL),
  rt('vector<ACL>', aclList, rec.writeACLList, rec.readACLList),
  rt('Stat', statArb, rec.writeStat, rec.readStat),
  rt('RequestHeader', fc.record({ xid: int32, type: int32 }), (w, v) => rec.writeRequestHeader(w, v.xid, v.type), rec.readRequestHeader),
  rt('ReplyHeader', fc.record({ xid: int32, zxid: longNum, err: int32 }), (w, v) => rec.writeReplyHeader(w, v.xid, v.zxid, v.err), rec.readReplyHeader),
  rt('MultiHeader', fc.record({ type: int32, done: fc.boolean(), err: int32 }), (w, v) => rec.writeMultiHeader(w, v.type, v.done, v.err), rec.readMultiHeader),
  rt('ConnectRequest',
    fc.record({
      protocolVersion: int32,
      lastZxidSeen: longNum,
      timeOut: int32,
      sessionId: long64,
      passwd: buf,
      readOnly: fc.option(fc.boolean(), { nil: undefined }),
    }),
    rec.writeConnectRequest,
    rec.readConnectRequest,),
  rt('ConnectResponse',
    fc.record({ protocolVersion: int32, timeOut: int32, sessionId: long64, passwd: buf, readOnly: fc.option(fc.boolean(), { nil: undefined }) }),
    rec.writeConnectResponse,
    rec.readConnectResponse,),
  rt('WatcherEvent', fc.record({ type: int32, state: int32, path: str }), rec.writeWatcherEvent, rec.readWatcherEvent),
  rt('CreateRequest', createArb, rec.writeCreateRequest, rec.readCreateRequest),
  rt('CreateTTLRequest', createTTLArb, rec.writeCreateTTLRequest, rec.readCreateTTLRequest),
  rt('DeleteRequest', pathVersion, rec.writeDeleteRequest, rec.readDeleteRequest),
  rt('Exists/GetData/GetChildren(2)Request', pathWatch, rec.writePathWatchRequest, rec.readPathWatchRequest),
  rt('SetDataRequest', setDataArb, rec.writeSetDataRequest, rec.readSetDataRequest),
  rt('GetACL/Sync/GetEphemerals/GetAllChildrenNumberRequest', fc.record({ path: str }), rec.writePathRequest, rec.readPathRequest),
  rt('SetACLRequest', fc.record({ path: str, acl: aclList, version: int32 }), rec.writeSetACLRequest, rec.readSetACLRequest),
  rt('CheckVersionRequest', pathVersion, rec.writeCheckVersionRequest, rec.readCheckVersionRequest),
  rt('ReconfigRequest',
    fc.record({ joiningServers: nullableStr, leavingServers: nullableStr, newMembers: nullableStr, curConfigId: long64 }),
    rec.writeReconfigRequest,
    rec.readReconfigRequest,),
  rt('CheckWatches/RemoveWatchesRequest', fc.record({ path: str, type: int32 }), rec.writeWatchesRequest, rec.readWatchesRequest),
  rt('AddWatchRequest', fc.record({ path: str, mode: int32 }), rec.writeAddWatchRequest, rec.readAddWatchRequest),
  rt('SetWatches', setWatches1, rec.writeSetWatches, rec.readSetWatches),
  rt('SetWatches2', setWatches2, rec.writeSetWatches2, rec.readSetWatches2),
  rt('AuthPacket', fc.record({ type: int32, scheme: str, auth: nullableBuf }), rec.writeAuthPacket, rec.readAuthPacket),
  rt('GetSASLRequest/SetSASLResponse', fc.record({ token: nullableBuf }), rec.writeSaslToken, rec.readSaslToken),
  rt('CreateResponse', fc.record({ path: str }), rec.writeCreateResponse, rec.readCreateResponse),
  rt('Create2Response', fc.record({ path: str, stat: statArb }), rec.writeCreate2Response, rec.readCreate2Response),
  rt('Exists/SetData/SetACLResponse', fc.record({ stat: statArb }), rec.writeStatResponse, rec.readStatResponse),
  rt('GetDataResponse', fc.record({ data: nullableBuf, stat: statArb }), rec.writeGetDataResponse, rec.readGetDataResponse),
  rt('GetACLResponse', fc.record({ acl: aclList, stat: statArb }), rec.writeGetACLResponse, rec.readGetACLResponse),
  rt('GetChildrenResponse', fc.record({ children: strList }), rec.writeGetChildrenResponse, rec.readGetChildrenResponse),
  rt('GetChildren2Response', fc.record({ children: strList, stat: statArb }), rec.writeGetChildren2Response, rec.readGetChildren2Response),
  rt('SyncResponse', fc.record({ path: str }), rec.writeSyncResponse, rec.readSyncResponse),
  rt('GetEphemeralsResponse', fc.record({ ephemerals: strList }), rec.writeGetEphemeralsResponse, rec.readGetEphemeralsResponse),
  rt('GetAllChildrenNumberResponse', fc.record({ totalNumber: int32 }), rec.writeGetAllChildrenNumberResponse, rec.readGetAllChildrenNumberResponse),
  rt('ClientInfo', fc.record({ authScheme: str, user: str }), rec.writeClientInfo, rec.readClientInfo),
  rt('WhoAmIResponse', fc.record({ clientInfo: fc.array(fc.record({ authScheme: str, user: str }), { maxLength: 3 }) }), rec.writeWhoAmIResponse, rec.readWhoAmIResponse),
  rt('ErrorResponse', fc.record({ err: int32 }), rec.writeErrorResponse, rec.readErrorResponse),
  rt('MultiResponse', fc.array(multiResultArb, { maxLength: 6 }), writeMultiResponse, readMultiResponse),
];

// ---------------------------------------------------------------- specs

describe('record round trips', () => {
  it.each(records)('$name', ({ run }) => run());
});

describe('ClientRequest', () => {
  it('encodeRequest -> FrameDecoder -> decodeRequest is the identity', () => {
    const w = new JuteWriter(16);
    fc.assert(
      fc.property(clientRequestArb, int32, (req, xid) => {
        w.reset();
        encodeRequest(w, xid, req);
        const frames = new FrameDecoder(0x7fffffff).push(Buffer.from(w.bytes()));
        expect(frames).toHaveLength(1);
        const r = new JuteReader(frames[0]!);
        const h = rec.readRequestHeader(r);
        expect(h).toEqual({ xid, type: req.type });
        expect(decodeRequest(h.type, r)).toEqual(req);
        expect(r.remaining).toBe(0);
      }),
      { numRuns: 1000 },
    );
  });

  it('ignores trailing bytes after the record, as ZooKeeper does', () => {
    const w = new JuteWriter();
    rec.writeDeleteRequest(w, { path: '/a', version: 3 });
    w.writeRaw(Buffer.from([1, 2, 3]));
    expect(decodeRequest(2, new JuteReader(w.bytes()))).toEqual({ type: 2, request: { path: '/a', version: 3 } });
  });

  it('unknown op codes throw UnknownOpCodeError carrying the op', () => {
    for (const op of [0, -1, -10, 10, 23, 99, 108, 0x7fffffff]) {
      const e = (() => {
        try {
          decodeRequest(op, new JuteReader(Buffer.alloc(16)));
        } catch (err) {
          return err;
        }
        return undefined;
      })();
      expect(e).toBeInstanceOf(UnknownOpCodeError);
      expect((e as UnknownOpCodeError).op).toBe(op);
    }
  });

  it('readOnly byte of ConnectRequest is optional', () => {
    const w = new JuteWriter();
    const base = { protocolVersion: 0, lastZxidSeen: 0, timeOut: 30000, sessionId: 0n, passwd: Buffer.alloc(16) };
    encodeConnectRequest(w, { ...base, readOnly: undefined });
    expect(w.offset).toBe(4 + 44);
    let r = new JuteReader(w.bytes(), 4);
    expect(rec.readConnectRequest(r).readOnly).toBeUndefined();
    w.reset();
    encodeConnectRequest(w, { ...base, readOnly: false });
    expect(w.offset).toBe(4 + 45);
    r = new JuteReader(w.bytes(), 4);
    expect(rec.readConnectRequest(r).readOnly).toBe(false);
    w.reset();
    encodeConnectResponse(w, { protocolVersion: 0, timeOut: 4000, sessionId: -1n, passwd: Buffer.alloc(16), readOnly: undefined });
    expect(w.offset).toBe(4 + 36);
    w.reset();
    encodeConnectResponse(w, { protocolVersion: 0, timeOut: 4000, sessionId: -1n, passwd: Buffer.alloc(16), readOnly: true });
    expect(w.offset).toBe(4 + 37);
    expect(rec.readConnectResponse(new JuteReader(w.bytes(), 4))).toEqual({
      protocolVersion: 0,
      timeOut: 4000,
      sessionId: -1n,
      passwd: Buffer.alloc(16),
      readOnly: true,
    });
  });

  it('Stat is 68 bytes and keeps all 64 bits of ephemeralOwner', () => {
    const w = new JuteWriter();
    const stat: Stat = {
      czxid: 0x100000001,
      mzxid: 2,
      ctime: 1700000000000,
      mtime: 1700000000001,
      version: 1,
      cversion: 2,
      aversion: 3,
      ephemeralOwner: -0x8000000000000000n,
      dataLength: 5,
      numChildren: 6,
      pzxid: 7,
    };
    rec.writeStat(w, stat);
    expect(w.offset).toBe(rec.STAT_SIZE);
    expect(w.bytes().subarray(0, 8).toString('hex')).toBe('0000000100000001');
    expect(w.bytes().subarray(44, 52).toString('hex')).toBe('8000000000000000');
    expect(rec.readStat(new JuteReader(w.bytes()))).toEqual(stat);
  });

  it('golden bytes: getData("/a", watch) with xid 7', () => {
    const w = new JuteWriter();
    encodeRequest(w, 7, { type: 4, request: { path: '/a', watch: true } });
    expect(w.bytes().toString('hex')).toBe('0000000f' + '00000007' + '00000004' + '00000002' + '2f61' + '01');
  });

  it('golden bytes: multi [check("/a", 1)] and its end marker', () => {
    const w = new JuteWriter();
    encodeRequest(w, 1, { type: 14, ops: [{ type: 13, request: { path: '/a', version: 1 } }] });
    expect(w.bytes().toString('hex')).toBe(
      '00000024' + '00000001' + '0000000e' + '0000000d' + '00' + 'ffffffff' + '00000002' + '2f61' + '00000001' + 'ffffffff' + '01' + 'ffffffff',
    );
  });
});

describe('multi decoding', () => {
  const create = { path: '/a', data: null, acl: [], flags: 0 };
  const encodeOps = (multiType: 14 | 22, ops: { type: number; body: (w: JuteWriter) => void }[]): Buffer => {
    const w = new JuteWriter();
    for (const op of ops) {
      rec.writeMultiHeader(w, op.type, false, -1);
      op.body(w);
    }
    rec.writeMultiHeader(w, -1, true, -1);
    void multiType;
    return Buffer.from(w.bytes());
  };
  const createBody = (w: JuteWriter) => rec.writeCreateRequest(w, create);
  const getDataBody = (w: JuteWriter) => rec.writePathWatchRequest(w, { path: '/a', watch: false });
  const decodeErr = (type: number, b: Buffer): unknown => {
    try {
      decodeRequest(type, new JuteReader(b));
    } catch (e) {
      return e;
    }
    return undefined;
  };

  it('an empty op list is valid for both kinds', () => {
    expect(decodeRequest(14, new JuteReader(encodeOps(14, [])))).toEqual({ type: 14, ops: [] });
    expect(decodeRequest(22, new JuteReader(encodeOps(22, [])))).toEqual({ type: 22, ops: [] });
  });

  it('ends at the first header with done=true whatever its type', () => {
    const w = new JuteWriter();
    rec.writeMultiHeader(w, 2, false, -1);
    rec.writeDeleteRequest(w, { path: '/x', version: -1 });
    rec.writeMultiHeader(w, 5, true, 0);
    expect(decodeRequest(14, new JuteReader(w.bytes()))).toEqual({ type: 14, ops: [{ type: 2, request: { path: '/x', version: -1 } }] });
  });

  it('mixing reads and writes is a MultiKindError (mixed-kinds)', () => {
    const e = decodeErr(14, encodeOps(14, [{ type: 1, body: createBody }, { type: 4, body: getDataBody }]));
    expect(e).toBeInstanceOf(MultiKindError);
    expect(e).toBeInstanceOf(JuteDecodeError);
    expect((e as MultiKindError).reason).toBe('mixed-kinds');
    expect((decodeErr(22, encodeOps(22, [{ type: 4, body: getDataBody }, { type: 1, body: createBody }])) as MultiKindError).reason).toBe('mixed-kinds');
  });

  it('reads in a multi / writes in a multiRead are a MultiKindError (wrong-kind)', () => {
    expect((decodeErr(14, encodeOps(14, [{ type: 4, body: getDataBody }])) as MultiKindError).reason).toBe('wrong-kind');
    expect((decodeErr(22, encodeOps(22, [{ type: 1, body: createBody }])) as MultiKindError).reason).toBe('wrong-kind');
  });

  it('an op type that cannot appear in a multi is a MultiKindError (invalid-op)', () => {
    for (const t of [3, 6, 7, 9, 12, 14, 16, 20, 22, 100, 0, -1]) {
      const e = decodeErr(14, encodeOps(14, [{ type: t, body: getDataBody }]));
      expect(e).toBeInstanceOf(MultiKindError);
      expect((e as MultiKindError).reason).toBe('invalid-op');
      expect((e as MultiKindError).opType).toBe(t);
    }
  });

  it('a missing end marker is a JuteDecodeError', () => {
    const b = encodeOps(14, [{ type: 1, body: createBody }]);
    const e = decodeErr(14, b.subarray(0, b.length - 9));
    expect(e).toBeInstanceOf(JuteDecodeError);
    expect(e).not.toBeInstanceOf(MultiKindError);
  });
});

describe('responses', () => {
  it('writeResponseBody -> decodeResponse is the identity for every op', () => {
    const w = new JuteWriter(16);
    fc.assert(
      fc.property(opResponseArb, (resp) => {
        w.reset();
        writeResponseBody(w, resp);
        const r = new JuteReader(w.bytes());
        expect(decodeResponse(resp.type, r)).toEqual(resp);
        expect(r.remaining).toBe(0);
      }),
      { numRuns: 1000 },
    );
  });

  it('encodeReply writes the body only when err == 0', () => {
    const w = new JuteWriter();
    const stat = { czxid: 1, mzxid: 1, ctime: 0, mtime: 0, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n, dataLength: 0, numChildren: 0, pzxid: 1 };
    encodeReply(w, 5, 9, 0, { type: 3, stat });
    expect(w.offset).toBe(4 + 16 + 68);
    w.reset();
    encodeReply(w, 5, 9, -101, { type: 3, stat });
    expect(w.bytes().toString('hex')).toBe('00000010' + '00000005' + '0000000000000009' + 'ffffff9b');
  });

  it('encodeNotification: header {-1, -1, 0} then WatcherEvent', () => {
    const w = new JuteWriter();
    encodeNotification(w, { type: 1, state: 3, path: '/a' });
    expect(w.bytes().toString('hex')).toBe('0000001e' + 'ffffffff' + 'ffffffffffffffff' + '00000000' + '00000001' + '00000003' + '00000002' + '2f61');
  });

  it('multi result headers carry err 0 except for error results', () => {
    const w = new JuteWriter();
    writeMultiResponse(w, [{ type: 2 }, { type: -1, err: -101 }]);
    expect(w.bytes().toString('hex')).toBe('00000002' + '00' + '00000000' + 'ffffffff' + '00' + 'ffffff9b' + 'ffffff9b' + 'ffffffff' + '01' + 'ffffffff');
  });

  it('rejects result types ZooKeeper would reject', () => {
    const w = new JuteWriter();
    rec.writeMultiHeader(w, 19, false, 0);
    expect(() => readMultiResponse(new JuteReader(w.bytes()))).toThrow(JuteDecodeError);
  });
});
