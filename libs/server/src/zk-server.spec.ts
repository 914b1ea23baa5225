/**
 * In-process request pipeline: a ZkServer whose broadcast commits at once, and a fake connection that
 * records the frames it is sent. Pins down ZooKeeper 3.8.0 answers the differential harness found.
 */
import { describe, expect, it } from '@jest/globals';
import { JuteReader, JuteWriter, encodeRequest, readMultiResponse, readReplyHeader, type ClientRequest } from '@paddock/protocol';
import { DataTree, PendingChanges } from '@paddock/data-tree';
import type { ClientConnection } from './net/client-connection.js';
import { ZkServer } from './zk-server.js';

interface Frame {
  xid: number;
  zxid: number;
  err: number;
  body: Buffer;
}

function setup() {
  const tree = new DataTree();
  const server = new ZkServer(tree, new PendingChanges(tree), {
    serverId: 1,
    tickTime: 2000,
    minSessionTimeout: 4000,
    maxSessionTimeout: 40000,
    maxFrameLength: 0xfffff,
    extendedTypesEnabled: true,
    skipACL: false,
    superDigest: null,
    globalOutstandingLimit: 1000,
    log: () => {},
  });
  // commits after the proposing call returned, as a real (logging) broadcast does
  server.broadcast = { propose: (h, t) => queueMicrotask(() => server.commit(h, t)) };
  const frames: Frame[] = [];
  let closed = false;
  const conn = {
    sessionId: 0x1234n,
    queue: [],
    uncommittedWrites: 0,
    authIds: [{ scheme: 'ip', id: '127.0.0.1' }],
    remoteAddress: '127.0.0.1',
    lastLatency: 0,
    get isClosed() {
      return closed;
    },
    close() {
      closed = true;
    },
    describe: () => 'fake',
    recordLatency() {},
    out: {
      frame(encode: (w: JuteWriter) => void) {
        encode(this.openFrame());
        this.closeFrame();
      },
      open: new JuteWriter(64),
      openFrame() {
        this.open = new JuteWriter(64);
        return this.open;
      },
      closeFrame() {
        const r = new JuteReader(Buffer.from(this.open.bytes()));
        const h = readReplyHeader(r);
        frames.push({ ...h, body: Buffer.from(r.buf.subarray(r.offset, r.end)) });
      },
    },
  } as unknown as ClientConnection;
  const sendFrame = (frame: Buffer) => server.onRequestFrame(conn, new JuteReader(frame.subarray(4)));
  const settle = () => new Promise((r) => setImmediate(r));
  const send = async (xid: number, req: ClientRequest): Promise<Frame> => {
    const w = new JuteWriter(64);
    encodeRequest(w, xid, req);
    sendFrame(Buffer.from(w.bytes()));
    await settle();
    return frames[frames.length - 1]!;
  };
  const raw = async (xid: number, type: number, body: Buffer = Buffer.alloc(0)): Promise<Frame> => {
    const b = Buffer.alloc(12 + body.length);
    b.writeInt32BE(8 + body.length, 0);
    b.writeInt32BE(xid, 4);
    b.writeInt32BE(type, 8);
    body.copy(b, 12);
    sendFrame(b);
    await settle();
    return frames[frames.length - 1]!;
  };
  return { tree, server, conn, frames, send, raw, isClosed: () => closed };
}

const OPEN = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];

describe('ZkServer: answers as ZooKeeper 3.8.0', () => {
  it('a client-sent createSession gets MarshallingError with an error txn, and the connection stays open', async () => {
    const s = setup();
    const before = s.tree.lastProcessedZxid;
    const f = await s.raw(5, -10);
    expect(f).toMatchObject({ xid: 5, err: -5, zxid: before + 1 });
    expect(f.body.length).toBe(0);
    expect(s.isClosed()).toBe(false);
  });

  it('a client-sent deleteContainer gets BadArguments with an error txn', async () => {
    const s = setup();
    const before = s.tree.lastProcessedZxid;
    expect(await s.raw(6, 20, Buffer.from('/x'))).toMatchObject({ xid: 6, err: -8, zxid: before + 1 });
    expect(s.isClosed()).toBe(false);
  });

  it('a multiRead holding only writes gets -5 plus an empty MultiResponse; mixed kinds a bare -5', async () => {
    const s = setup();
    const create = { type: 1 as const, request: { path: '/k', data: null, acl: OPEN, flags: 0 } };
    const f = await s.send(7, { type: 22, ops: [create] });
    expect(f.err).toBe(-5);
    expect(readMultiResponse(new JuteReader(f.body))).toEqual([]);
    const g = await s.send(8, { type: 22, ops: [{ type: 4, request: { path: '/', watch: false } }, create] });
    expect(g.err).toBe(-5);
    expect(g.body.length).toBe(0);
  });

  it('checkWatches/removeWatches with a WatcherType other than 1..3 get MarshallingError', async () => {
    const s = setup();
    for (const type of [0, 4, 5, 7]) {
      expect((await s.send(1, { type: 17, request: { path: '/', type } })).err).toBe(-5);
      expect((await s.send(2, { type: 18, request: { path: '/', type } })).err).toBe(-5);
    }
    expect((await s.send(3, { type: 17, request: { path: '/', type: 3 } })).err).toBe(-121);
    expect((await s.send(4, { type: 17, request: { path: 'no-slash', type: 3 } })).err).toBe(-5);
    expect((await s.send(5, { type: 18, request: { path: 'no-slash', type: 3 } })).err).toBe(-121);
    expect(s.isClosed()).toBe(false);
  });

  it('checkWatches finds a watch another session set on the path (3.8 containsWatcher)', async () => {
    const s = setup();
    s.server.watches.add('data', '/zookeeper', 'someone else' as unknown as ClientConnection);
    expect((await s.send(1, { type: 17, request: { path: '/zookeeper', type: 2 } })).err).toBe(0);
    expect((await s.send(2, { type: 18, request: { path: '/zookeeper', type: 2 } })).err).toBe(-121);
  });

  it('addWatch with an unknown mode gets MarshallingError; exists on a path with NUL BadArguments', async () => {
    const s = setup();
    expect((await s.send(1, { type: 106, request: { path: '/', mode: 2 } })).err).toBe(-5);
    expect((await s.send(2, { type: 3, request: { path: '/a\u0000b', watch: true } })).err).toBe(-8);
  });

  it('auth: digest accepts text without a colon, ip adds the address, and the reply echoes the xid', async () => {
    const s = setup();
    const f = await s.send(-4, { type: 100, request: { type: 0, scheme: 'digest', auth: Buffer.from('nocolon') } });
    expect(f).toMatchObject({ xid: -4, zxid: 0, err: 0 });
    expect(await s.send(9, { type: 100, request: { type: 0, scheme: 'ip', auth: Buffer.from('x') } })).toMatchObject({ xid: 9, err: 0 });
    // ConcurrentHashMap order, as ZooKeeper lists them
    expect(s.conn.authIds.map((i) => i.scheme)).toEqual(['digest', 'ip']);
    expect(s.conn.authIds[0]!.id.startsWith('nocolon:')).toBe(true);
    expect((await s.send(-4, { type: 100, request: { type: 0, scheme: 'world', auth: Buffer.from('anyone') } })).err).toBe(-115);
    expect(s.isClosed()).toBe(true);
  });
});

describe('ZkServer as a quorum leader: session validation (SessionTracker.checkSession)', () => {
  const create = (path: string) => ({ type: 1 as const, request: { path, data: null, acl: OPEN, flags: 0 } });

  it('a write of an unknown or closing session gets SessionExpired (an error txn), the connection stays', async () => {
    const s = setup();
    s.server.ownerSid = 1;
    s.server.quorumSync = true;
    const f = await s.send(1, create('/a'));
    expect(f).toMatchObject({ xid: 1, err: -112 });
    expect(s.tree.getNode('/a')).toBeUndefined();
    expect(s.isClosed()).toBe(false);
    s.server.sessions.add(0x1234n, 4000, Date.now());
    expect((await s.send(2, create('/a'))).err).toBe(0);
    s.server.sessions.markClosing(0x1234n);
    expect((await s.send(3, create('/b'))).err).toBe(-112);
    expect((await s.send(4, { type: 9, request: { path: '/' } })).err).toBe(-112); // sync too
  });

  it('forwarded writes are checked against the member that owns the session: SessionMoved elsewhere', async () => {
    const s = setup();
    s.server.ownerSid = 1;
    const proposed: number[] = [];
    const commit = s.server.broadcast.propose;
    s.server.broadcast = { propose: (h, t) => (proposed.push(t.type === -1 ? t.err : 0), commit(h, t)) };
    const fwd = (sessionId: bigint, cxid: number, op: number, body: Buffer) => ({ sessionId, cxid, op, body, authIds: [], timeout: 0, err: null });
    const w = new JuteWriter(64);
    encodeRequest(w, 0, create('/f'));
    const body = Buffer.from(w.bytes()).subarray(12); // after length, xid, type
    // createSession through member 2: the session belongs to member 2
    s.server.prepForwarded({ ...fwd(0x77n, 0, -10, Buffer.alloc(0)), timeout: 4000 }, 2);
    await new Promise((r) => setImmediate(r));
    expect(s.server.sessions.get(0x77n)).toBeDefined();
    s.server.prepForwarded(fwd(0x77n, 1, 1, body), 3); // sent through member 3: moved
    s.server.prepForwarded(fwd(0x99n, 1, 1, body), 2); // unknown session
    s.server.prepForwarded(fwd(0x77n, 2, 1, body), 2); // its owner
    await new Promise((r) => setImmediate(r));
    expect(proposed).toEqual([0, -118, -112, 0]);
    expect(s.tree.getNode('/f')).toBeDefined();
    // a reconnect through member 3 (REVALIDATE) moves it there; an expired one is refused
    expect(s.server.revalidate(0x77n, 4000, 3)).toBe(true);
    expect(s.server.revalidate(0x99n, 4000, 3)).toBe(false);
    s.server.prepForwarded(fwd(0x77n, 3, 2, Buffer.from([0, 0, 0, 2, 0x2f, 0x66, 0xff, 0xff, 0xff, 0xff])), 2);
    await new Promise((r) => setImmediate(r));
    expect(proposed.at(-1)).toBe(-118);
  });

  it('learner: a SessionMoved error txn is matched to a forwarded request only when the leader said it was ours', async () => {
    const s = setup();
    const forwarded: number[] = [];
    s.server.forwarder = (req) => (forwarded.push(req.cxid), true);
    s.server.sessions.add(0x1234n, 4000, Date.now());
    const z = s.tree.lastProcessedZxid;
    const sendNoWait = (xid: number, path: string) => {
      const w = new JuteWriter(64);
      encodeRequest(w, xid, create(path));
      s.server.onRequestFrame(s.conn, new JuteReader(Buffer.from(w.bytes()).subarray(4)));
    };
    sendNoWait(1, '/mine');
    expect(forwarded).toEqual([1]);
    // another member's request of the same session with the same cxid was rejected as SessionMoved
    s.server.commit({ sessionId: 0x1234n, cxid: 1, zxid: z + 1, time: 0, type: -1 }, { type: -1, err: -118 });
    expect(s.isClosed()).toBe(false);
    // our own create commits and is answered
    s.server.commit({ sessionId: 0x1234n, cxid: 1, zxid: z + 2, time: 0, type: 1 }, { type: 1, path: '/mine', data: null, acl: OPEN, ephemeral: false, parentCVersion: 1 });
    await new Promise((r) => setImmediate(r));
    expect(s.frames.at(-1)).toMatchObject({ xid: 1, err: 0, zxid: z + 2 });
    // and once the leader says a rejection is ours, its error txn closes the connection
    sendNoWait(2, '/again');
    s.server.sessionMovedNotice(0x1234n, 2);
    s.server.commit({ sessionId: 0x1234n, cxid: 2, zxid: z + 3, time: 0, type: -1 }, { type: -1, err: -118 });
    expect(s.isClosed()).toBe(true);
  });

  it('SessionMoved closes the old connection without a reply (ZOOKEEPER-710)', async () => {
    const s = setup();
    s.server.ownerSid = 1;
    s.server.sessions.add(0x1234n, 4000, Date.now());
    expect((await s.send(1, create('/x'))).err).toBe(0);
    const before = s.frames.length;
    expect(s.server.revalidate(0x1234n, 4000, 2)).toBe(true); // the client reconnected to member 2
    await s.send(2, create('/y'));
    expect(s.frames.length).toBe(before);
    expect(s.isClosed()).toBe(true);
    expect(s.tree.getNode('/y')).toBeUndefined();
  });
});
