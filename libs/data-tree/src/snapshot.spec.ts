import { describe, it, expect } from '@jest/globals';
import { JuteReader, JuteWriter, type ACL, type CreateRequest } from '@paddock/protocol';
import { digestId } from './acl.js';
import { DataTree } from './data-tree.js';
import { OPEN } from './helpers.spec.js';
import { PendingChanges, prepWrite, type WriteRequest } from './prep.js';
import { deserializeSnapshot, serializeSnapshot, serializeSnapshotToBuffer } from './snapshot.js';
import type { Txn, TxnHeader } from './txn.js';
import { encodeTxn, readTxn } from './txn.js';
import { Prng } from '@paddock/testkit';

/** Seeded PRNG from the testkit: a failing run replays from its seed. */
function rng(seed: number): () => number {
  const prng = new Prng(seed);
  return () => prng.float();
}

const ACLS: ACL[][] = [
  OPEN,
  [{ perms: 1, id: { scheme: 'world', id: 'anyone' } }],
  [{ perms: 31, id: { scheme: 'digest', id: digestId('u:p') } }, { perms: 1, id: { scheme: 'ip', id: '10.0.0.0/8' } }],
];

/** Drives a tree with random valid writes through prepWrite + apply, logging every txn. */
class Driver {
  readonly tree = new DataTree();
  readonly pending = new PendingChanges(this.tree);
  readonly log: Array<{ header: TxnHeader; txn: Txn }> = [];
  readonly sessions = new Map<bigint, number>([[0x100n, 5000], [0x200n, 6000], [0x300n, 7000]]);
  zxid = 0x100000000;
  paths: string[] = ['/'];
  aclSerial = 0;

  constructor(readonly rand: () => number) {}

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rand() * xs.length)]!;
  }

  write(op: number, req: WriteRequest, sessionId: bigint): Txn {
    const zxid = ++this.zxid;
    const time = 1_700_000_000_000 + zxid - 0x100000000;
    const txn = prepWrite(this.pending, { sessionId, authIds: [{ scheme: 'super', id: '' }], zxid, time, extendedTypesEnabled: true }, op, req);
    const header: TxnHeader = { sessionId, cxid: zxid & 0xffff, zxid, time, type: txn.type };
    // go through the codec like a real log would
    const back = readTxn(new JuteReader(encodeTxn(header, txn)));
    this.tree.apply(back.header, back.txn);
    this.pending.committed(zxid);
    this.log.push(back);
    if (txn.type === 1 || txn.type === 15 || txn.type === 19 || txn.type === 21) this.paths.push(txn.path);
    return txn;
  }

  randomParent(): string {
    for (let i = 0; i < 5; i++) {
      const p = this.pick(this.paths);
      const n = this.tree.getNode(p);
      if (n && this.tree.statOf(n).ephemeralOwner === 0n) return p;
    }
    return '/';
  }

  step(): void {
    const r = this.rand();
    const session = this.pick([0x100n, 0x200n, 0x300n]);
    if (r < 0.45) {
      const parent = this.randomParent();
      const flags = this.pick([0, 0, 0, 1, 2, 3, 4, 5]);
      const req: CreateRequest = {
        path: (parent === '/' ? '' : parent) + '/n' + Math.floor(this.rand() * 50),
        data: this.rand() < 0.1 ? null : Buffer.from('v' + this.zxid),
        acl: this.rand() < 0.05 ? [{ perms: 31, id: { scheme: 'digest', id: `new${this.aclSerial++}:x` } }] : this.pick(ACLS),
        flags,
      };
      if (flags === 5) req.ttl = 10_000n;
      this.write(flags === 4 ? 19 : flags === 5 ? 21 : 1, req, session);
    } else if (r < 0.65) {
      this.write(2, { path: this.pick(this.paths), version: -1 }, session);
    } else if (r < 0.82) {
      this.write(5, { path: this.pick(this.paths), data: Buffer.from('w' + this.zxid), version: -1 }, session);
    } else if (r < 0.9) {
      const acl = this.rand() < 0.5 ? [{ perms: 31, id: { scheme: 'digest', id: `acl${this.aclSerial++}:y` } }] : this.pick(ACLS);
      this.write(7, { path: this.pick(this.paths), acl, version: -1 }, session);
    } else if (r < 0.97) {
      const parent = this.randomParent();
      const base = parent === '/' ? '' : parent;
      this.write(
        14,
        [
          { type: 1, request: { path: base + '/m', data: null, acl: OPEN, flags: 2 } },
          { type: 5, request: { path: parent, data: Buffer.from('multi'), version: -1 } },
          { type: 2, request: { path: this.pick(this.paths), version: -1 } },
        ],
        session,
      );
    } else {
      this.write(-11, undefined, session);
    }
  }
}

describe('snapshot: round trip', () => {
  it('restores a 10k-node tree exactly (digest, stats, ACLs, ephemerals, sessions)', () => {
    const tree = new DataTree();
    let zxid = 0x200000000;
    const apply = (txn: Txn, sessionId = 0n): void => {
      zxid++;
      const r = tree.apply({ sessionId, cxid: 1, zxid, time: 1_700_000_000_000 + zxid, type: txn.type }, txn);
      expect(r.err).toBe(0);
    };
    for (let i = 0; i < 100; i++) {
      apply({ type: 1, path: `/d${i}`, data: i % 10 === 0 ? null : Buffer.from(`dir ${i}`), acl: ACLS[i % 3]!, ephemeral: false, parentCVersion: i + 1 });
      for (let j = 0; j < 99; j++) {
        const path = `/d${i}/n${j}`;
        if (j % 33 === 1) apply({ type: 1, path, data: Buffer.alloc(100, j), acl: OPEN, ephemeral: true, parentCVersion: j + 1 }, BigInt(0x1000 + (j % 3)));
        else if (j % 33 === 2) apply({ type: 19, path, data: Buffer.alloc(0), acl: OPEN, parentCVersion: j + 1 });
        else if (j % 33 === 3) apply({ type: 21, path, data: Buffer.from('ttl'), acl: OPEN, parentCVersion: j + 1, ttl: 1234n });
        else apply({ type: 1, path, data: Buffer.alloc(100, j), acl: ACLS[j % 3]!, ephemeral: false, parentCVersion: j + 1 });
      }
      apply({ type: 5, path: `/d${i}/n0`, data: Buffer.from('changed'), version: 1 });
    }
    expect(tree.nodeCount).toBeGreaterThanOrEqual(10_000);
    const sessions: Array<[bigint, number]> = [[0x1000n, 30000], [0x1001n, 30000], [0x1002n, 4000]];
    const chunks = Array.from(serializeSnapshot(tree, sessions, 64 * 1024));
    expect(chunks.length).toBeGreaterThan(10);
    const buf = Buffer.concat(chunks);
    expect(buf.equals(serializeSnapshotToBuffer(tree, sessions))).toBe(true);

    const { tree: back, sessions: sess } = deserializeSnapshot(buf, { zxid: tree.lastProcessedZxid });
    expect([...sess]).toEqual(sessions);
    // the internal (persisted) stat survives, including cversion as the count of child creates
    // ("/" has 100 creates and 101 children: internal 100, reported 99)
    for (const p of ['/', '/zookeeper', '/d7', '/d3/n0']) {
      expect(back.statPersistedOf(back.getNode(p)!)).toEqual(tree.statPersistedOf(tree.getNode(p)!));
    }
    expect(back.digest()).toBe(tree.digest());
    expect(back.nodeCount).toBe(tree.nodeCount);
    expect(back.approximateDataSize).toBe(tree.approximateDataSize);
    expect(back.ephemeralCount).toBe(tree.ephemeralCount);
    expect(back.getEphemerals(0x1001n).sort()).toEqual(tree.getEphemerals(0x1001n).sort());
    expect(back.containerPaths().sort()).toEqual(tree.containerPaths().sort());
    expect(back.ttlPaths().sort()).toEqual(tree.ttlPaths().sort());
    expect(back.lastProcessedZxid).toBe(tree.lastProcessedZxid);
    for (const p of ['/', '/zookeeper/config', '/d7', '/d7/n1', '/d99/n98', '/d3/n0']) {
      expect(back.statOf(back.getNode(p)!)).toEqual(tree.statOf(tree.getNode(p)!));
      expect(back.aclOf(back.getNode(p)!)).toEqual(tree.aclOf(tree.getNode(p)!));
    }
    expect(back.aclCacheSize).toBe(tree.aclCacheSize);
    // the restored tree keeps working
    back.apply({ sessionId: 0x1001n, cxid: 1, zxid: zxid + 1, time: 0, type: -11 }, { type: -11, paths: [] });
    expect(back.getEphemerals(0x1001n)).toEqual([]);
  });

  it('writes ZooKeeper\'s layout for a fresh tree', () => {
    const buf = serializeSnapshotToBuffer(new DataTree(), [[5n, 3000]]);
    const r = new JuteReader(buf);
    expect(r.readInt()).toBe(1);
    expect(r.readLong()).toBe(5n);
    expect(r.readInt()).toBe(3000);
    expect(r.readInt()).toBe(1); // ACL cache: READ_ACL_UNSAFE of /zookeeper/config
    const ref = r.readLong();
    expect(r.readInt()).toBe(1);
    expect([r.readInt(), r.readString(), r.readString()]).toEqual([1, 'world', 'anyone']);
    const paths: string[] = [];
    for (;;) {
      const p = r.readString()!;
      if (p === '/') break;
      paths.push(p);
      expect(r.readBuffer()).toEqual(Buffer.alloc(0));
      const aclRef = r.readLong();
      expect(aclRef).toBe(p === '/zookeeper/config' ? ref : -1n);
      r.offset += 8 * 4 + 4 * 3 + 8 + 8; // StatPersisted
    }
    expect(paths[0]).toBe('');
    expect(paths[1]).toBe('/zookeeper');
    expect(paths.slice(2).sort()).toEqual(['/zookeeper/config', '/zookeeper/quota']);
    expect(r.remaining).toBe(0);
  });

  it('rebuilds quota stats on load', () => {
    const t = new DataTree();
    const txns: Txn[] = [
      { type: 1, path: '/q', data: Buffer.from('12'), acl: OPEN, ephemeral: false, parentCVersion: 1 },
      { type: 1, path: '/zookeeper/quota/q', data: null, acl: OPEN, ephemeral: false, parentCVersion: 1 },
      { type: 1, path: '/zookeeper/quota/q/zookeeper_limits', data: Buffer.from('count=5,bytes=-1'), acl: OPEN, ephemeral: false, parentCVersion: 1 },
      { type: 1, path: '/zookeeper/quota/q/zookeeper_stats', data: Buffer.from(''), acl: OPEN, ephemeral: false, parentCVersion: 2 },
      { type: 1, path: '/q/a', data: Buffer.from('345'), acl: OPEN, ephemeral: false, parentCVersion: 1 },
    ];
    txns.forEach((txn, i) => t.apply({ sessionId: 0n, cxid: 0, zxid: i + 1, time: 0, type: txn.type }, txn));
    const { tree } = deserializeSnapshot(serializeSnapshotToBuffer(t, []));
    expect(tree.dataOf(tree.getNode('/zookeeper/quota/q/zookeeper_stats')!)!.toString()).toBe('count=2,bytes=5');
    expect(tree.maxPrefixWithQuota('/q/a')).toBe('/q');
  });
});

describe('snapshot: fuzzy', () => {
  it.each([1, 2, 3, 4, 5])('mutating between chunks then replaying the log converges (seed %i)', (seed) => {
    const d = new Driver(rng(seed));
    for (let i = 0; i < 1500; i++) d.step();
    const startZxid = d.tree.lastProcessedZxid;
    const sessions = [...d.sessions];
    const logStart = d.log.length;
    const chunks: Buffer[] = [];
    for (const chunk of serializeSnapshot(d.tree, sessions, 256)) {
      chunks.push(chunk);
      for (let i = 0; i < 3; i++) d.step();
    }
    for (let i = 0; i < 50; i++) d.step();
    expect(chunks.length).toBeGreaterThan(20);
    const { tree } = deserializeSnapshot(Buffer.concat(chunks), { zxid: startZxid });
    for (const { header, txn } of d.log.slice(logStart)) {
      expect(header.zxid).toBeGreaterThan(startZxid);
      tree.apply(header, txn);
    }
    expect(tree.lastProcessedZxid).toBe(d.tree.lastProcessedZxid);
    expect(tree.nodeCount).toBe(d.tree.nodeCount);
    expect(tree.digest()).toBe(d.tree.digest());
    expect(tree.ephemeralCount).toBe(d.tree.ephemeralCount);
    expect(tree.approximateDataSize).toBe(d.tree.approximateDataSize);
  });

  it('captures the snapshot zxid at the call, not at the first chunk', () => {
    const d = new Driver(rng(9));
    for (let i = 0; i < 200; i++) d.step();
    const startZxid = d.tree.lastProcessedZxid;
    const logStart = d.log.length;
    const gen = serializeSnapshot(d.tree, [], 128);
    for (let i = 0; i < 100; i++) d.step(); // before the first chunk is pulled
    const { tree } = deserializeSnapshot(Buffer.concat(Array.from(gen)), { zxid: startZxid });
    for (const { header, txn } of d.log.slice(logStart)) tree.apply(header, txn);
    expect(tree.digest()).toBe(d.tree.digest());
  });
});

describe('snapshot: malformed input', () => {
  const good = serializeSnapshotToBuffer(
    (() => {
      const t = new DataTree();
      t.apply({ sessionId: 0n, cxid: 0, zxid: 1, time: 0, type: 1 }, { type: 1, path: '/a', data: Buffer.from('x'), acl: ACLS[2]!, ephemeral: false, parentCVersion: 1 });
      return t;
    })(),
    [[1n, 100]],
  );

  it('throws a clear error when truncated anywhere', () => {
    expect(() => deserializeSnapshot(good)).not.toThrow();
    for (let cut = 0; cut < good.length; cut++) {
      expect(() => deserializeSnapshot(good.subarray(0, cut))).toThrow(/malformed snapshot/);
    }
  });

  it('rejects trailing bytes, orphans, unknown ACL refs and a missing root', () => {
    expect(() => deserializeSnapshot(Buffer.concat([good, Buffer.from([0])]))).toThrow(/unexpected bytes/);
    const build = (nodes: Array<[string, number]>, acls: Array<[number, ACL[]]> = []): Buffer => {
      const w = new JuteWriter();
      w.writeInt(0);
      w.writeInt(acls.length);
      for (const [ref, acl] of acls) {
        w.writeLongNumber(ref);
        w.writeVector(acl, (ww, a) => ww.writeInt(a.perms).writeString(a.id.scheme).writeString(a.id.id));
      }
      for (const [path, ref] of nodes) {
        w.writeString(path).writeBuffer(null).writeLongNumber(ref);
        for (let i = 0; i < 4; i++) w.writeLongNumber(0);
        w.writeInt(0).writeInt(0).writeInt(0).writeLongNumber(0).writeLongNumber(0);
      }
      w.writeString('/');
      return Buffer.from(w.bytes());
    };
    expect(() => deserializeSnapshot(build([['', -1], ['/a/b', -1]]))).toThrow(/unable to find parent "\/a"/);
    expect(() => deserializeSnapshot(build([['', -1], ['/a', 7]]))).toThrow(/unknown ACL 7/);
    expect(() => deserializeSnapshot(build([['/a', -1]]))).toThrow(/root/);
    expect(() => deserializeSnapshot(build([]))).toThrow(/no root/);
    expect(() => deserializeSnapshot(build([['', -1], ['/a', -1], ['/a', -1]]))).toThrow(/duplicate/);
    const ok = deserializeSnapshot(build([['', -1], ['/a', 3]], [[3, OPEN]]));
    expect(ok.tree.aclOf(ok.tree.getNode('/a')!)).toEqual(OPEN);
  });
});
