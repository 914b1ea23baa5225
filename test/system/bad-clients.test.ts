/**
 * One bad client never hurts the server or other sessions: malformed frames, bad lengths, unknown op
 * codes, garbage after the handshake, connection floods from one IP and stuck readers each get
 * ZooKeeper's behaviour (an error code or that connection closed), while a well-behaved session keeps
 * reading and writing throughout. Ends with a seeded fuzz of random and mutated frames over real sockets.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import net from 'node:net';
import { ErrorCode, JuteWriter, OpCode, encodeConnectRequest } from '@paddock/protocol';
import { startPaddock, type ServerHandle } from '../support/paddock.js';
import { RawClient } from '../support/raw-client.js';
import { Prng } from '@paddock/testkit';

const OPEN = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];

function connectRequestFrame(): Buffer {
  const w = new JuteWriter(64);
  encodeConnectRequest(w, { protocolVersion: 0, lastZxidSeen: 0, timeOut: 10_000, sessionId: 0n, passwd: Buffer.alloc(16), readOnly: false });
  return Buffer.from(w.bytes());
}

/** Sends bytes on a fresh socket; resolves with what came back once the server closes it (or after waitMs). */
function exchange(port: number, chunks: Buffer[], waitMs = 1500): Promise<{ closed: boolean; bytes: Buffer }> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    const got: Buffer[] = [];
    let closed = false;
    const timer = setTimeout(() => finish(), waitMs);
    const finish = () => {
      clearTimeout(timer);
      s.destroy();
      resolve({ closed, bytes: Buffer.concat(got) });
    };
    s.on('data', (d) => got.push(d));
    s.on('error', () => {});
    s.on('close', () => {
      closed = true;
      finish();
    });
    s.on('connect', async () => {
      for (const c of chunks) {
        s.write(c);
        await new Promise((r) => setTimeout(r, 5));
      }
    });
  });
}

function frame(payload: Buffer): Buffer {
  const b = Buffer.alloc(4 + payload.length);
  b.writeInt32BE(payload.length, 0);
  payload.copy(b, 4);
  return b;
}

function requestFrame(xid: number, type: number, body: Buffer = Buffer.alloc(0)): Buffer {
  const h = Buffer.alloc(8);
  h.writeInt32BE(xid, 0);
  h.writeInt32BE(type, 4);
  return frame(Buffer.concat([h, body]));
}

/** Seeded PRNG from the testkit: a failing run replays from its seed. */
function prng(seed: number): () => number {
  const prng = new Prng(seed);
  return () => prng.float();
}

describe('bad clients', () => {
  let server: ServerHandle;
  let good: RawClient;
  let counter = 0;

  /** The well-behaved session still works: a write and a read round-trip. */
  async function goodClientStillServed(): Promise<void> {
    const p = `/good-${counter++}`;
    const created = await good.request({ type: OpCode.create, request: { path: p, data: Buffer.from('ok'), acl: OPEN, flags: 0 } });
    expect(created?.err).toBe(ErrorCode.OK);
    const read = await good.request({ type: OpCode.getData, request: { path: p, watch: false } });
    expect(read?.err).toBe(ErrorCode.OK);
  }

  beforeAll(async () => {
    server = await startPaddock({ extraConfig: { maxClientCnxns: 20, 'jute.maxbuffer': 65536 } });
    good = await RawClient.connect({ port: server.port });
  }, 30_000);

  afterAll(async () => {
    good?.destroy();
    await server?.stop();
  });

  it('closes a connection that announces a negative or oversized frame', async () => {
    const neg = Buffer.alloc(4);
    neg.writeInt32BE(-5, 0);
    expect((await exchange(server.port, [neg])).closed).toBe(true);
    const huge = Buffer.alloc(4);
    huge.writeInt32BE(65537, 0);
    expect((await exchange(server.port, [huge])).closed).toBe(true);
    await goodClientStillServed();
  });

  it('answers a four-letter word that arrives in pieces', async () => {
    const r = await exchange(server.port, [Buffer.from('ru'), Buffer.from('ok')]);
    expect(r.bytes.toString()).toBe('imok');
    expect(r.closed).toBe(true);
  });

  it('closes a connection whose handshake is garbage', async () => {
    const r = await exchange(server.port, [frame(Buffer.from([1, 2, 3]))]);
    expect(r.closed).toBe(true);
    await goodClientStillServed();
  });

  it('answers an unknown op code with Unimplemented (-6) and closes', async () => {
    const r = await exchange(server.port, [connectRequestFrame(), requestFrame(1, 9999)]);
    expect(r.closed).toBe(true);
    // ConnectResponse frame, then ReplyHeader {xid 1, zxid, err -6}
    const connectLen = r.bytes.readInt32BE(0);
    const reply = r.bytes.subarray(4 + connectLen);
    expect(reply.readInt32BE(4)).toBe(1);
    expect(reply.readInt32BE(16)).toBe(ErrorCode.UNIMPLEMENTED);
    await goodClientStillServed();
  });

  it('answers a truncated request body with MarshallingError (-5) and keeps the connection', async () => {
    const r = await exchange(server.port, [connectRequestFrame(), requestFrame(1, OpCode.create, Buffer.from([0, 0, 0, 50, 47]))], 500);
    expect(r.closed).toBe(false);
    const connectLen = r.bytes.readInt32BE(0);
    const reply = r.bytes.subarray(4 + connectLen);
    expect(reply.readInt32BE(4)).toBe(1);
    expect(reply.readInt32BE(16)).toBe(ErrorCode.MARSHALLING_ERROR);
    await goodClientStillServed();
  });

  it('refuses connections beyond maxClientCnxns from one IP without hurting existing ones', async () => {
    const sockets: net.Socket[] = [];
    let refused = 0;
    await Promise.all(
      Array.from({ length: 30 }, () =>
        new Promise<void>((resolve) => {
          const s = net.connect(server.port, '127.0.0.1');
          sockets.push(s);
          s.on('error', () => {});
          s.on('close', () => {
            refused++;
            resolve();
          });
          setTimeout(resolve, 1000);
        }),
      ),
    );
    expect(refused).toBeGreaterThanOrEqual(30 - 20 + 1 - 1); // the good client holds one slot
    for (const s of sockets) s.destroy();
    await new Promise((r) => setTimeout(r, 200));
    await goodClientStillServed();
  });

  it('keeps serving others while a client never reads its replies', async () => {
    const stuck = net.connect(server.port, '127.0.0.1');
    stuck.on('error', () => {});
    await new Promise((r) => stuck.once('connect', r));
    stuck.pause(); // never read
    const getRoot = requestFrame(1, OpCode.getChildren, Buffer.from([0, 0, 0, 1, 0x2f, 0]));
    stuck.write(connectRequestFrame());
    for (let i = 0; i < 2000; i++) stuck.write(getRoot);
    await goodClientStillServed();
    stuck.destroy();
  });

  it('survives a seeded fuzz of random and mutated frames', async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
    const rand = prng(seed);
    const valid = [
      connectRequestFrame(),
      requestFrame(1, OpCode.create, Buffer.from('000000052f66757a7a0000000161000000010000001f00000005776f726c6400000006616e796f6e6500000000', 'hex')),
      requestFrame(2, OpCode.getData, Buffer.from('000000012f00', 'hex')),
      requestFrame(3, OpCode.multi, Buffer.from('00000002ff000000010000000000000001ffffffff0100ffffffff', 'hex')),
    ];
    try {
      for (let round = 0; round < 60; round++) {
        const chunks: Buffer[] = [];
        const n = 1 + Math.floor(rand() * 4);
        for (let i = 0; i < n; i++) {
          const base = Buffer.from(valid[Math.floor(rand() * valid.length)]!);
          const mode = rand();
          if (mode < 0.4) {
            for (let k = 0; k < 1 + rand() * 4; k++) base[Math.floor(rand() * base.length)] = Math.floor(rand() * 256);
            chunks.push(base);
          } else if (mode < 0.6) {
            chunks.push(base.subarray(0, Math.floor(rand() * base.length)));
          } else if (mode < 0.8) {
            const junk = Buffer.alloc(Math.floor(rand() * 64));
            for (let k = 0; k < junk.length; k++) junk[k] = Math.floor(rand() * 256);
            chunks.push(junk);
          } else {
            chunks.push(base);
          }
        }
        await exchange(server.port, chunks, 150);
      }
      await goodClientStillServed();
      expect(await server.fourLetterWord('ruok')).toBe('imok');
    } catch (err) {
      throw new Error(`fuzz failed with FUZZ_SEED=${seed}: ${(err as Error).message}`);
    }
  }, 60_000);
});
