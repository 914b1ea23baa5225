/**
 * Decoder fuzzing: random and mutated bytes into the server-side decoders (FrameDecoder, RequestHeader +
 * decodeRequest, ConnectRequest) and the client-side ones (ReplyHeader + decodeResponse). They must only ever
 * throw the protocol's own errors: never RangeError/TypeError, never hang, never allocate beyond the input.
 * Iterations are bounded and the PRNG is seeded, so a failure is reproducible from the printed seed.
 */
import { describe, it, expect } from '@jest/globals';
import { JuteDecodeError, JuteReader } from './jute-reader.js';
import { JuteWriter } from './jute-writer.js';
import { readConnectRequest, readConnectResponse, readReplyHeader, readRequestHeader, writeConnectRequest } from './records.js';
import { decodeRequest, decodeResponse, encodeRequest, MultiKindError, UnknownOpCodeError, writeResponseBody, type ClientRequest, type OpResponse } from './requests.js';
import { FrameDecoder, FrameLengthError } from './framing.js';
import { Prng } from '@paddock/testkit';

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 0x7fffffff);
const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 20000);

/** Seeded PRNG from the testkit: a failing run replays from its seed. */
function mulberry32(seed: number): () => number {
  const prng = new Prng(seed);
  return () => prng.float();
}

const acl = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
const stat = { czxid: 1, mzxid: 2, ctime: 3, mtime: 4, version: 5, cversion: 6, aversion: 7, ephemeralOwner: -1n, dataLength: 8, numChildren: 9, pzxid: 10 };
const SAMPLE_REQUESTS: ClientRequest[] = [
  { type: 1, request: { path: '/a/b', data: Buffer.from('hello'), acl, flags: 0 } },
  { type: 15, request: { path: '/a', data: null, acl: [], flags: 3 } },
  { type: 19, request: { path: '/c', data: Buffer.alloc(0), acl, flags: 4 } },
  { type: 21, request: { path: '/t', data: Buffer.from('x'), acl, flags: 5, ttl: 1000n } },
  { type: 2, request: { path: '/a', version: -1 } },
  { type: 3, request: { path: '/a', watch: true } },
  { type: 4, request: { path: '/a', watch: false } },
  { type: 8, request: { path: '/', watch: true } },
  { type: 12, request: { path: '/', watch: false } },
  { type: 5, request: { path: '/a', data: Buffer.from('data'), version: 3 } },
  { type: 6, request: { path: '/a' } },
  { type: 9, request: { path: '/' } },
  { type: 103, request: { path: '/e' } },
  { type: 104, request: { path: '/' } },
  { type: 20, request: { path: '/container' } },
  { type: 7, request: { path: '/a', acl: [...acl, { perms: 1, id: { scheme: 'digest', id: 'u:h' } }], version: 0 } },
  { type: 13, request: { path: '/a', version: 1 } },
  {
    type: 14,
    ops: [
      { type: 1, request: { path: '/m', data: null, acl, flags: 2 } },
      { type: 21, request: { path: '/m2', data: null, acl, flags: 6, ttl: 5n } },
      { type: 2, request: { path: '/m', version: 0 } },
      { type: 5, request: { path: '/m', data: Buffer.from('z'), version: -1 } },
      { type: 13, request: { path: '/m', version: 0 } },
    ],
  },
  { type: 22, ops: [{ type: 4, request: { path: '/a', watch: false } }, { type: 8, request: { path: '/b', watch: true } }] },
  { type: 16, request: { joiningServers: 'server.1=x', leavingServers: null, newMembers: null, curConfigId: -1n } },
  { type: 17, request: { path: '/a', type: 3 } },
  { type: 18, request: { path: '/a', type: 1 } },
  { type: 100, request: { type: 0, scheme: 'digest', auth: Buffer.from('u:p') } },
  { type: 101, request: { relativeZxid: 9, dataWatches: ['/a'], existWatches: ['/b', '/c'], childWatches: [], persistentWatches: [], persistentRecursiveWatches: [] } },
  { type: 105, request: { relativeZxid: 9, dataWatches: [], existWatches: ['/b'], childWatches: ['/'], persistentWatches: ['/p'], persistentRecursiveWatches: ['/r'] } },
  { type: 102, request: { token: Buffer.from([1, 2, 3]) } },
  { type: 106, request: { path: '/w', mode: 1 } },
  { type: 11 },
  { type: -11 },
  { type: 107 },
];
const SAMPLE_RESPONSES: OpResponse[] = [
  { type: 1, path: '/a' },
  { type: 15, path: '/a0000000001', stat },
  { type: 3, stat },
  { type: 4, data: Buffer.from('abc'), stat },
  { type: 6, acl, stat },
  { type: 8, children: ['a', 'b'] },
  { type: 12, children: ['a'], stat },
  { type: 9, path: '/' },
  { type: 14, results: [{ type: 1, path: '/x' }, { type: 15, path: '/y', stat }, { type: 2 }, { type: 5, stat }, { type: -1, err: -101 }] },
  { type: 22, results: [{ type: 4, data: null, stat }, { type: 8, children: ['q'] }] },
  { type: 103, ephemerals: ['/e1'] },
  { type: 104, totalNumber: 42 },
  { type: 106, err: 0 },
  { type: 107, clientInfo: [{ authScheme: 'ip', user: '127.0.0.1' }] },
];

const SPECIAL_INTS = [0, 1, -1, -2, 0x7fffffff, -0x80000000, 0xfffff, 0x100000, 4, 8, 68, 255];

function encodeSamples(): { type: number; bytes: Buffer }[] {
  const out: { type: number; bytes: Buffer }[] = [];
  for (const req of SAMPLE_REQUESTS) {
    const w = new JuteWriter();
    encodeRequest(w, 7, req);
    out.push({ type: req.type, bytes: Buffer.from(w.bytes().subarray(4)) }); // frame payload
  }
  return out;
}

function mutate(src: Buffer, rnd: () => number): Buffer {
  let b = Buffer.from(src);
  const n = 1 + Math.floor(rnd() * 4);
  for (let k = 0; k < n; k++) {
    const choice = rnd();
    if (choice < 0.3 && b.length > 0) {
      b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
    } else if (choice < 0.55 && b.length >= 4) {
      const at = Math.floor(rnd() * (b.length - 3));
      b.writeInt32BE(SPECIAL_INTS[Math.floor(rnd() * SPECIAL_INTS.length)]!, at);
    } else if (choice < 0.7) {
      b = b.subarray(0, Math.floor(rnd() * (b.length + 1)));
    } else if (choice < 0.85) {
      const extra = Buffer.allocUnsafe(Math.floor(rnd() * 16));
      for (let i = 0; i < extra.length; i++) extra[i] = Math.floor(rnd() * 256);
      b = Buffer.concat([b, extra]);
    } else if (b.length > 8) {
      // change the op type in the RequestHeader
      const ops = [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 100, 101, 102, 103, 104, 105, 106, 107, -11, 0, -10, 99];
      b.writeInt32BE(ops[Math.floor(rnd() * ops.length)]!, 4);
    }
  }
  return b;
}

function randomBytes(rnd: () => number, max: number): Buffer {
  const b = Buffer.allocUnsafe(Math.floor(rnd() * max));
  for (let i = 0; i < b.length; i++) b[i] = Math.floor(rnd() * 256);
  return b;
}

function isAllowed(e: unknown): boolean {
  return e instanceof JuteDecodeError || e instanceof UnknownOpCodeError || e instanceof FrameLengthError || e instanceof MultiKindError;
}

function serverDecode(payload: Buffer): void {
  const r = new JuteReader(payload, 0, payload.length, 0xfffff);
  const h = readRequestHeader(r);
  decodeRequest(h.type, r);
}

describe(`decoder fuzz (FUZZ_SEED=${SEED})`, () => {
  console.log(`decoder fuzz seed: FUZZ_SEED=${SEED}`);

  it('mutated valid requests only ever throw protocol errors', () => {
    const rnd = mulberry32(SEED);
    const samples = encodeSamples();
    let ok = 0;
    let rejected = 0;
    const started = Date.now();
    for (let i = 0; i < ITERATIONS; i++) {
      const s = samples[Math.floor(rnd() * samples.length)]!;
      const b = mutate(s.bytes, rnd);
      try {
        serverDecode(b);
        ok++;
      } catch (e) {
        if (!isAllowed(e)) throw new Error(`iteration ${i} (seed ${SEED}) input ${b.toString('hex')}: ${String((e as Error)?.stack ?? e)}`);
        rejected++;
      }
    }
    expect(ok + rejected).toBe(ITERATIONS);
    expect(ok).toBeGreaterThan(0);
    expect(rejected).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(10000);
  });

  it('random bytes with every op type only ever throw protocol errors', () => {
    const rnd = mulberry32(SEED ^ 0x5a5a5a5a);
    const types = [...new Set(SAMPLE_REQUESTS.map((r) => r.type)), 0, -1, -10, 10, 99, 0x7fffffff];
    for (let i = 0; i < ITERATIONS / 2; i++) {
      const body = randomBytes(rnd, 64);
      const type = types[Math.floor(rnd() * types.length)]!;
      try {
        decodeRequest(type, new JuteReader(body, 0, body.length, 0xfffff));
      } catch (e) {
        if (!isAllowed(e)) throw new Error(`iteration ${i} (seed ${SEED}) type ${type} body ${body.toString('hex')}: ${String(e)}`);
      }
    }
  });

  it('mutated replies into the client-side decoders only ever throw protocol errors', () => {
    const rnd = mulberry32(SEED ^ 0x1234567);
    const encoded = SAMPLE_RESPONSES.map((resp) => {
      const w = new JuteWriter();
      writeResponseBody(w, resp);
      return { type: resp.type, bytes: Buffer.from(w.bytes()) };
    });
    for (let i = 0; i < ITERATIONS / 2; i++) {
      const s = encoded[Math.floor(rnd() * encoded.length)]!;
      const b = mutate(s.bytes, rnd);
      try {
        decodeResponse(s.type, new JuteReader(b));
        readReplyHeader(new JuteReader(b));
        readConnectResponse(new JuteReader(b));
      } catch (e) {
        if (!isAllowed(e)) throw new Error(`iteration ${i} (seed ${SEED}) type ${s.type} body ${b.toString('hex')}: ${String(e)}`);
      }
    }
  });

  it('mutated ConnectRequests only ever throw JuteDecodeError', () => {
    const rnd = mulberry32(SEED ^ 0x7777);
    const w = new JuteWriter();
    writeConnectRequest(w, { protocolVersion: 0, lastZxidSeen: 5, timeOut: 30000, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false });
    const base = Buffer.from(w.bytes());
    for (let i = 0; i < ITERATIONS / 4; i++) {
      const b = mutate(base, rnd);
      try {
        readConnectRequest(new JuteReader(b, 0, b.length, 0xfffff));
      } catch (e) {
        if (!(e instanceof JuteDecodeError)) throw new Error(`iteration ${i} (seed ${SEED}) ${b.toString('hex')}: ${String(e)}`);
      }
    }
  });

  it('random chunk streams into FrameDecoder only ever throw FrameLengthError, and account for every byte', () => {
    const rnd = mulberry32(SEED ^ 0x2468);
    for (let i = 0; i < 2000; i++) {
      const d = new FrameDecoder(rnd() < 0.5 ? 64 : 0xfffff);
      let fed = 0;
      let out = 0;
      try {
        for (let c = 0; c < 8; c++) {
          // mostly small lengths so that frames complete; sometimes raw noise
          const chunk = rnd() < 0.5 ? randomBytes(rnd, 40) : Buffer.from([0, 0, 0, Math.floor(rnd() * 20), ...randomBytes(rnd, 30)]);
          fed += chunk.length;
          for (const f of d.push(chunk)) out += 4 + f.length;
          expect(out + d.pendingBytes).toBe(fed);
        }
      } catch (e) {
        if (!(e instanceof FrameLengthError)) throw e;
      }
    }
  });

  it('lengths from the input never allocate beyond the input', () => {
    // vector count 0x7fffffff, buffer length 0x7fffffff, string length 0x7ffffffe in tiny frames
    const hdr = (type: number) => {
      const b = Buffer.alloc(8);
      b.writeInt32BE(1, 0);
      b.writeInt32BE(type, 4);
      return b;
    };
    const huge = Buffer.from([0x7f, 0xff, 0xff, 0xff]);
    const cases = [
      Buffer.concat([hdr(101), Buffer.alloc(8), huge]), // setWatches vector count
      Buffer.concat([hdr(1), Buffer.from([0, 0, 0, 1, 0x2f]), huge]), // create data length
      Buffer.concat([hdr(4), huge]), // getData path length
      Buffer.concat([hdr(7), Buffer.from([0, 0, 0, 1, 0x2f]), huge]), // setACL acl count
    ];
    for (const c of cases) {
      const before = process.memoryUsage().arrayBuffers;
      expect(() => serverDecode(c)).toThrow(JuteDecodeError);
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
    }
  });
});
