import { describe, it, expect } from '@jest/globals';
import { CONTAINER_EPHEMERAL_OWNER, JuteReader, JuteWriter, type Stat } from '@paddock/protocol';
import { DataTree, StatsTrack, ttlOwner } from './data-tree.js';
import { EPOCH, OPEN, applyAll, createTxn, hdr } from './helpers.spec.js';
import { PendingChanges, prepWrite, type WriteRequest } from './prep.js';
import type { Txn } from './txn.js';

/** The Stat a client sees (cversion as ZooKeeper reports it: 2 * creates - numChildren). */
function stat(tree: DataTree, path: string): Stat {
  const n = tree.getNode(path);
  if (!n) throw new Error(`no node ${path}`);
  return tree.statOf(n);
}

/** The internal cversion (count of child creates): what snapshots store and sequential names / parentCVersion use. */
function internalCversion(tree: DataTree, path: string): number {
  const n = tree.getNode(path);
  if (!n) throw new Error(`no node ${path}`);
  return tree.statPersistedOf(n).cversion;
}

/** Decodes the 68-byte Stat that writeStat produces. */
function wireStat(tree: DataTree, path: string): Stat {
  const w = new JuteWriter(8);
  tree.writeStat(w, tree.getNode(path)!);
  expect(w.offset).toBe(68);
  const r = new JuteReader(Buffer.from(w.bytes()));
  return {
    czxid: r.readLongNumber(), mzxid: r.readLongNumber(), ctime: r.readLongNumber(), mtime: r.readLongNumber(),
    version: r.readInt(), cversion: r.readInt(), aversion: r.readInt(), ephemeralOwner: r.readLong(),
    dataLength: r.readInt(), numChildren: r.readInt(), pzxid: r.readLongNumber(),
  };
}

describe('DataTree: initial state', () => {
  it('has /, /zookeeper, /zookeeper/quota, /zookeeper/config', () => {
    const t = new DataTree();
    expect(t.childrenOf(t.getNode('/')!)).toEqual(['zookeeper']);
    expect(t.childrenOf(t.getNode('/zookeeper')!).sort()).toEqual(['config', 'quota']);
    expect(t.aclOf(t.getNode('/zookeeper/config')!)).toEqual([{ perms: 1, id: { scheme: 'world', id: 'anyone' } }]);
    expect(t.aclOf(t.getNode('/')!)).toEqual(OPEN);
    expect(stat(t, '/zookeeper/config').aversion).toBe(-1);
    // like a fresh ZooKeeper: no creates, one child (/zookeeper) -> reported cversion 2 * 0 - 1 = -1
    expect(stat(t, '/')).toEqual({
      czxid: 0, mzxid: 0, ctime: 0, mtime: 0, version: 0, cversion: -1, aversion: 0, ephemeralOwner: 0n, dataLength: 0, numChildren: 1, pzxid: 0,
    });
    expect(internalCversion(t, '/')).toBe(0);
    // like ZooKeeper's mntr on a fresh server: the "" alias of the root is counted
    expect(t.nodeCount).toBe(5);
    expect(t.approximateDataSize).toBe(44);
    expect(t.allChildrenNumber('/')).toBe(3);
    expect(t.getNode('')).toBe(t.getNode('/'));
  });
});

describe('DataTree.apply: create', () => {
  it('sets every stat field and bumps the parent', () => {
    const t = new DataTree();
    const z = EPOCH + 1;
    const r = t.apply(hdr(z, 15, 1n, 5000), createTxn('/a', 1, 'hello', { type: 15 }));
    expect(r.err).toBe(0);
    expect(r.path).toBe('/a');
    expect(r.stat).toEqual({
      czxid: z, mzxid: z, ctime: 5000, mtime: 5000, version: 0, cversion: 0, aversion: 0, ephemeralOwner: 0n, dataLength: 5, numChildren: 0, pzxid: z,
    });
    expect(r.triggers).toEqual([
      { type: 1, path: '/a' },
      { type: 4, path: '/' },
    ]);
    const root = stat(t, '/');
    expect(internalCversion(t, '/')).toBe(1);
    expect(root.cversion).toBe(0); // reported: 2 * 1 create - 2 children
    expect(root.pzxid).toBe(z);
    expect(root.numChildren).toBe(2);
    expect(root.mzxid).toBe(0);
    expect(t.dataOf(t.getNode('/a')!)!.toString()).toBe('hello');
    expect(t.lastProcessedZxid).toBe(z);
    expect(t.nodeCount).toBe(6);
    expect(t.approximateDataSize).toBe(44 + 2 + 5);
  });

  it('stores null data as null and copies data out of the txn buffer', () => {
    const t = new DataTree();
    const src = Buffer.from('abc');
    applyAll(t, 1, [createTxn('/n', 1, null), { ...createTxn('/c', 2), data: src } as Txn]);
    expect(t.dataOf(t.getNode('/n')!)).toBeNull();
    src[0] = 0x7a;
    expect(t.dataOf(t.getNode('/c')!)!.toString()).toBe('abc');
  });

  it('ephemeral owner comes from the header session; container and TTL markers', () => {
    const t = new DataTree();
    t.apply(hdr(1, 1, 0xabcn), createTxn('/e', 1, 'x', { ephemeral: true }));
    t.apply(hdr(2, 19), { type: 19, path: '/c', data: null, acl: OPEN, parentCVersion: 2 });
    t.apply(hdr(3, 21), { type: 21, path: '/t', data: null, acl: OPEN, parentCVersion: 3, ttl: 500n });
    expect(stat(t, '/e').ephemeralOwner).toBe(0xabcn);
    // the markers are internal (snapshots, reaper); clients see 0, as with ZooKeeper 3.8
    expect(t.statPersistedOf(t.getNode('/c')!).ephemeralOwner).toBe(CONTAINER_EPHEMERAL_OWNER);
    expect(t.statPersistedOf(t.getNode('/t')!).ephemeralOwner).toBe(ttlOwner(500n));
    expect(stat(t, '/c').ephemeralOwner).toBe(0n);
    expect(stat(t, '/t').ephemeralOwner).toBe(0n);
    expect(ttlOwner(500n)).toBe(BigInt.asIntN(64, 0xff000000000001f4n));
    expect(t.getEphemerals(0xabcn)).toEqual(['/e']);
    expect(t.ephemeralCount).toBe(1);
    expect(t.containerPaths()).toEqual(['/c']);
    expect(t.ttlPaths()).toEqual(['/t']);
  });

  it('errors: NoNode parent, NodeExists (no triggers)', () => {
    const t = new DataTree();
    expect(t.apply(hdr(1, 1), createTxn('/x/y', 1)).err).toBe(-101);
    applyAll(t, 2, [createTxn('/a', 1)]);
    const r = t.apply(hdr(3, 1), createTxn('/a', 2));
    expect(r.err).toBe(-110);
    expect(r.triggers).toEqual([]);
  });

  it('sequential naming relies on the parentCVersion the txn carries; delete does not bump the internal cversion', () => {
    const t = new DataTree();
    applyAll(t, 1, [createTxn('/p', 1), createTxn('/p/a', 1), createTxn('/p/b', 2)]);
    t.apply(hdr(4, 2), { type: 2, path: '/p/a' });
    expect(internalCversion(t, '/p')).toBe(2);
    const p = stat(t, '/p');
    expect(p.cversion).toBe(3); // reported: 2 creates + 1 delete = 2 * 2 - 1
    expect(p.pzxid).toBe(4);
    expect(p.numChildren).toBe(1);
  });

  it('parentCVersion -1 means current + 1', () => {
    const t = new DataTree();
    applyAll(t, 1, [createTxn('/p', -1), createTxn('/p/a', -1), createTxn('/p/b', -1)]);
    expect(internalCversion(t, '/p')).toBe(2);
    expect(stat(t, '/p').cversion).toBe(2); // reported: 2 * 2 - 2 children
  });

  it('does not lower cversion when the txn carries a smaller one (int overflow keeps MAX)', () => {
    const t = new DataTree();
    applyAll(t, 1, [createTxn('/p', 1), createTxn('/p/a', 2147483647), createTxn('/p/b', -2147483648)]);
    expect(internalCversion(t, '/p')).toBe(2147483647);
    expect(stat(t, '/p').pzxid).toBe(2);
    // reported with Java int arithmetic, as DataNode.copyStat: 2147483647 * 2 - 2 wraps to -4
    expect(wireStat(t, '/p').cversion).toBe(-4);
  });
});

describe('DataTree.apply: delete / setData / setACL / check', () => {
  it('delete sets pzxid only, fires NodeDeleted + NodeChildrenChanged', () => {
    const t = new DataTree();
    applyAll(t, 1, [createTxn('/a', 1), createTxn('/a/b', 1)]);
    const r = t.apply(hdr(3, 2), { type: 2, path: '/a/b' });
    // NodeDeleted carries the deleted node's ACL so delivery can still be filtered by READ permission
    expect(r).toEqual({ err: 0, path: '/a/b', triggers: [{ type: 2, path: '/a/b', acl: OPEN }, { type: 4, path: '/a' }] });
    const a = stat(t, '/a');
    expect(internalCversion(t, '/a')).toBe(1);
    expect(a.cversion).toBe(2); // reported: 1 create + 1 delete = 2 * 1 - 0
    expect(a.pzxid).toBe(3);
    expect(a.numChildren).toBe(0);
    expect(t.getNode('/a/b')).toBeUndefined();
    expect(t.nodeCount).toBe(6);
  });

  it('setData sets version from the txn, mzxid/mtime from the header', () => {
    const t = new DataTree();
    applyAll(t, 1, [createTxn('/a', 1, 'x')]);
    const r = t.apply(hdr(7, 5, 1n, 9999), { type: 5, path: '/a', data: Buffer.from('longer'), version: 1 });
    expect(r.err).toBe(0);
    expect(r.triggers).toEqual([{ type: 3, path: '/a' }]);
    expect(r.stat).toMatchObject({ czxid: 1, mzxid: 7, mtime: 9999, version: 1, dataLength: 6, pzxid: 1 });
    expect(t.approximateDataSize).toBe(44 + 2 + 6);
  });

  it('setACL sets aversion and interns ACLs', () => {
    const t = new DataTree();
    applyAll(t, 1, [createTxn('/a', 1), createTxn('/b', 2)]);
    const acl = [{ perms: 1, id: { scheme: 'digest', id: 'u:p' } }];
    const before = t.aclCacheSize;
    const r = t.apply(hdr(3, 7), { type: 7, path: '/a', acl, version: 1 });
    expect(r.triggers).toEqual([]);
    expect(r.stat!.aversion).toBe(1);
    expect(t.aclOf(t.getNode('/a')!)).toEqual(acl);
    t.apply(hdr(4, 7), { type: 7, path: '/b', acl, version: 1 });
    expect(t.aclOf(t.getNode('/a')!)).toBe(t.aclOf(t.getNode('/b')!));
    expect(t.aclCacheSize).toBe(before); // OPEN entry released, digest entry added
  });

  it('check and error txns change nothing', () => {
    const t = new DataTree();
    const d0 = t.digest();
    expect(t.apply(hdr(1, 13), { type: 13, path: '/', version: 1 }).err).toBe(0);
    expect(t.apply(hdr(2, -1), { type: -1, err: -101 })).toEqual({ err: -101, triggers: [] });
    expect(t.apply(hdr(3, -10), { type: -10, timeOut: 3000 }).err).toBe(0);
    expect(t.digest()).toBe(d0);
    expect(t.lastProcessedZxid).toBe(3);
  });

  it('tolerates replay: delete of a missing node still moves pzxid; setData on a missing node is an error', () => {
    const t = new DataTree();
    applyAll(t, 1, [createTxn('/a', 1)]);
    const r = t.apply(hdr(5, 2), { type: 2, path: '/a/gone' });
    expect(r.err).toBe(-101);
    expect(r.triggers).toEqual([]);
    expect(stat(t, '/a').pzxid).toBe(5);
    expect(t.apply(hdr(6, 5), { type: 5, path: '/nope', data: null, version: 1 }).err).toBe(-101);
    expect(t.apply(hdr(7, 7), { type: 7, path: '/nope', acl: OPEN, version: 1 }).err).toBe(-101);
  });

  it('tolerates replay: create of an existing node still raises the parent cversion/pzxid', () => {
    const t = new DataTree();
    applyAll(t, 1, [createTxn('/a', 1), createTxn('/a/b', 1)]);
    const r = t.apply(hdr(9, 1), createTxn('/a/b', 5));
    expect(r.err).toBe(-110);
    expect(internalCversion(t, '/a')).toBe(5);
    expect(stat(t, '/a')).toMatchObject({ cversion: 9, pzxid: 9 }); // reported: 2 * 5 - 1 child
    // a lower one does nothing
    t.apply(hdr(10, 1), createTxn('/a/b', 3));
    expect(internalCversion(t, '/a')).toBe(5);
    expect(stat(t, '/a')).toMatchObject({ cversion: 9, pzxid: 9 });
  });
});

describe('DataTree.apply: sessions', () => {
  it('closeSession deletes the listed paths and any other ephemerals of the session', () => {
    const t = new DataTree();
    applyAll(t, 1, [createTxn('/p', 1)]);
    t.apply(hdr(2, 1, 7n), createTxn('/p/e1', 1, 'x', { ephemeral: true }));
    t.apply(hdr(3, 1, 7n), createTxn('/p/e2', 2, 'x', { ephemeral: true }));
    t.apply(hdr(4, 1, 8n), createTxn('/p/other', 3, 'x', { ephemeral: true }));
    const r = t.apply(hdr(5, -11, 7n), { type: -11, paths: ['/p/e1', '/p/missing'] });
    expect(r.err).toBe(0);
    expect(r.triggers).toEqual([
      { type: 2, path: '/p/e1', acl: OPEN },
      { type: 4, path: '/p' },
      { type: 2, path: '/p/e2', acl: OPEN },
      { type: 4, path: '/p' },
    ]);
    expect(t.getEphemerals(7n)).toEqual([]);
    expect(t.getEphemerals(8n)).toEqual(['/p/other']);
    expect(t.ephemeralCount).toBe(1);
    expect(internalCversion(t, '/p')).toBe(3);
    // reported: 3 creates + 2 deletes = 2 * 3 - 1 child
    expect(stat(t, '/p')).toMatchObject({ cversion: 5, pzxid: 5, numChildren: 1 });
  });

  it('ephemeralPathsByPrefix is a plain string-prefix match; "" and "/" mean all', () => {
    const t = new DataTree();
    applyAll(t, 1, [createTxn('/app', 1)]);
    t.apply(hdr(2, 1, 7n), createTxn('/app/e', 1, 'x', { ephemeral: true }));
    t.apply(hdr(3, 1, 7n), createTxn('/apple', 2, 'x', { ephemeral: true }));
    expect(t.ephemeralPathsByPrefix('/app', 7n).sort()).toEqual(['/app/e', '/apple']);
    expect(t.ephemeralPathsByPrefix('/app/', 7n)).toEqual(['/app/e']);
    expect(t.ephemeralPathsByPrefix('', 7n)).toHaveLength(2);
    expect(t.ephemeralPathsByPrefix(' / ', 7n)).toHaveLength(2);
    expect(t.ephemeralPathsByPrefix('/', 9n)).toEqual([]);
  });
});

describe('DataTree.apply: multi', () => {
  it('applies every op with one zxid and reports per-op results', () => {
    const t = new DataTree();
    applyAll(t, 1, [createTxn('/a', 1, 'x')]);
    const r = t.apply(hdr(2, 14), {
      type: 14,
      txns: [
        createTxn('/a/b', 1),
        { type: 19, path: '/c', data: null, acl: OPEN, parentCVersion: 2 },
        { type: 5, path: '/a', data: Buffer.from('y'), version: 1 },
        { type: 13, path: '/a', version: 2 },
        { type: 2, path: '/a/b' },
      ],
    });
    expect(r.err).toBe(0);
    expect(r.multi!.map((m) => m.type)).toEqual([1, 15, 5, 13, 2]);
    expect(r.multi![0]).toEqual({ type: 1, path: '/a/b' });
    expect(r.triggers.map((x) => `${x.type}${x.path}`)).toEqual(['1/a/b', '4/a', '1/c', '4/', '3/a', '2/a/b', '4/a']);
    expect(internalCversion(t, '/a')).toBe(1);
    // reported: the multi's create + delete of /a/b = 2 * 1 - 0
    expect(stat(t, '/a')).toMatchObject({ mzxid: 2, pzxid: 2, cversion: 2, version: 1 });
    expect(t.lastProcessedZxid).toBe(2);
  });

  it('a failed multi changes nothing; results are 0 before, the code, -2 after (err 0)', () => {
    const t = new DataTree();
    applyAll(t, 1, [createTxn('/a', 1)]);
    const d0 = t.digest();
    const r = t.apply(hdr(2, 14), {
      type: 14,
      txns: [createTxn('/a/b', 1), { type: -1, err: -110 }, { type: 2, path: '/a' }],
    });
    expect(r.err).toBe(0);
    expect(r.triggers).toEqual([]);
    expect(r.multi).toEqual([
      { type: -1, err: 0 },
      { type: -1, err: -110 },
      { type: -1, err: -2 },
    ]);
    expect(t.digest()).toBe(d0);
  });
});

describe('DataTree: stat encoding, ACL, children, counts', () => {
  it('writeStat writes the 68-byte Stat identical to statOf', () => {
    const t = new DataTree();
    t.apply(hdr(EPOCH + 3, 1, -5n, 1_700_000_000_123), createTxn('/e', 1, 'abc', { ephemeral: true }));
    const s = wireStat(t, '/e');
    expect(s).toEqual(stat(t, '/e'));
    expect(s.ephemeralOwner).toBe(-5n);
    // a parent: the reported cversion, not the internal one
    t.apply(hdr(EPOCH + 4, 2), { type: 2, path: '/e' });
    expect(wireStat(t, '/')).toEqual(stat(t, '/'));
    expect(wireStat(t, '/').cversion).toBe(1); // 2 * 1 create - 1 child
    expect(internalCversion(t, '/')).toBe(1);
  });

  it('reports cversion as ZooKeeper 3.8 does (2 * creates - numChildren) and names sequentials from the internal count', () => {
    // observed on a real ZooKeeper 3.8.0: a fresh "/" reports -1; 3 child creates + 1 delete report 4, next suffix 0000000003
    const t = new DataTree();
    expect(stat(t, '/').cversion).toBe(-1);
    expect(wireStat(t, '/').cversion).toBe(-1);
    expect(internalCversion(t, '/')).toBe(0);

    const pending = new PendingChanges(t);
    let zxid = EPOCH;
    const write = (op: number, req: WriteRequest): Txn => {
      zxid++;
      const txn = prepWrite(pending, { sessionId: 1n, authIds: [], zxid, time: 1000, extendedTypesEnabled: true }, op, req);
      expect(t.apply(hdr(zxid, txn.type), txn).err).toBe(0);
      pending.committed(zxid);
      return txn;
    };
    write(1, { path: '/p', data: null, acl: OPEN, flags: 0 });
    for (const c of ['a', 'b', 'c']) write(1, { path: `/p/${c}`, data: null, acl: OPEN, flags: 0 });
    write(2, { path: '/p/a', version: -1 });

    expect(stat(t, '/p')).toMatchObject({ cversion: 4, numChildren: 2 });
    expect(wireStat(t, '/p').cversion).toBe(4);
    expect(internalCversion(t, '/p')).toBe(3);
    const seq = write(1, { path: '/p/s-', data: null, acl: OPEN, flags: 2 });
    expect((seq as { path: string }).path).toBe('/p/s-0000000003');
    expect(internalCversion(t, '/p')).toBe(4);
    expect(stat(t, '/p')).toMatchObject({ cversion: 5, numChildren: 3 });
  });

  it('allChildrenNumber counts descendants', () => {
    const t = new DataTree();
    applyAll(t, 1, [createTxn('/a', 1), createTxn('/a/b', 1), createTxn('/a/b/c', 1), createTxn('/a/d', 2), createTxn('/ab', 2)]);
    expect(t.allChildrenNumber('/a')).toBe(3);
    expect(t.allChildrenNumber('/a/b/c')).toBe(0);
    expect(t.allChildrenNumber('/nope')).toBe(0);
    expect(t.allChildrenNumber('/')).toBe(8);
  });

  it('deleted nodes cannot be read through stale references', () => {
    const t = new DataTree();
    applyAll(t, 1, [createTxn('/a', 1)]);
    const n = t.getNode('/a')!;
    t.apply(hdr(2, 2), { type: 2, path: '/a' });
    expect(() => t.statOf(n)).toThrow(/deleted/);
  });

  it('finds nodes by walking names: malformed paths find nothing, "" is the root', () => {
    const t = new DataTree();
    applyAll(t, 1, [createTxn('/a', 1), createTxn('/a/b', 1), createTxn('/a/b/c', 1)]);
    expect(t.getNode('')).toBe(t.getNode('/'));
    expect(t.getNode('/a/b/c')).toBeDefined();
    for (const bad of ['a', 'a/b', '//a', '/a//b', '/a/', '/a/b/', '/a/b/c/', '/a/x/c', '/x', '/a/b/c/d']) expect(t.getNode(bad)).toBeUndefined();
    expect(t.has('/a/b')).toBe(true);
    expect(t.has('/a/b/')).toBe(false);
  });

  it('a parent deleted and created again is looked up afresh (not through the cached old one)', () => {
    const t = new DataTree();
    applyAll(t, 1, [createTxn('/p', 1), createTxn('/p/q', 1), createTxn('/p/q/x', 1, 'old')]);
    expect(t.getNode('/p/q/x')).toBeDefined(); // caches /p/q as the last parent
    t.apply(hdr(4, 2), { type: 2, path: '/p/q/x' });
    t.apply(hdr(5, 2), { type: 2, path: '/p/q' });
    expect(t.getNode('/p/q/x')).toBeUndefined();
    applyAll(t, 6, [createTxn('/p/q', 2), createTxn('/p/q/x', 1, 'new')]);
    expect(t.dataOf(t.getNode('/p/q/x')!)!.toString()).toBe('new');
    expect(t.childrenOf(t.getNode('/p/q')!)).toEqual(['x']);
    expect(t.nodeCount).toBe(5 + 3);
  });

  it('counts nodes and approximate data size like ZooKeeper (root under "" and "/")', () => {
    const t = new DataTree();
    expect(t.nodeCount).toBe(5);
    const fresh = t.approximateDataSize;
    applyAll(t, 1, [createTxn('/ab', 1, 'xyz'), createTxn('/ab/cd', 1, '12')]);
    expect(t.approximateDataSize).toBe(fresh + '/ab'.length + 3 + '/ab/cd'.length + 2);
    expect(t.nodeCount).toBe(7);
    t.apply(hdr(3, 2), { type: 2, path: '/ab/cd' });
    expect(t.approximateDataSize).toBe(fresh + '/ab'.length + 3);
    expect(t.nodeCount).toBe(6);
  });

  it('reuses stat slots and grows past the initial column capacity', () => {
    const t = new DataTree();
    const txns: Txn[] = [];
    for (let i = 0; i < 3000; i++) txns.push(createTxn(`/n${i}`, i + 1, String(i)));
    applyAll(t, 1, txns);
    expect(stat(t, '/n2999')).toMatchObject({ czxid: 3000, version: 0 });
    expect(stat(t, '/n0')).toMatchObject({ czxid: 1 });
    for (let i = 0; i < 3000; i += 2) t.apply(hdr(4000 + i, 2), { type: 2, path: `/n${i}` });
    applyAll(t, 9000, [createTxn('/fresh', 5000)]);
    expect(stat(t, '/fresh')).toMatchObject({ czxid: 9000, version: 0, cversion: 0, aversion: 0 });
    expect(stat(t, '/n1')).toMatchObject({ czxid: 2 });
  });
});

describe('DataTree: digest', () => {
  it('is order independent and sensitive to data, stat and ACL', () => {
    const a = new DataTree();
    const b = new DataTree();
    a.apply(hdr(1, 1), createTxn('/x', 1, 'one'));
    a.apply(hdr(2, 1), createTxn('/y', 2, 'two'));
    // same final state built in another order: create /y's node first with explicit parentCVersion
    b.apply(hdr(2, 1), createTxn('/y', 2, 'two'));
    b.apply(hdr(1, 1), createTxn('/x', 1, 'one'));
    // root pzxid differs (2 vs 1 last applied) -> align it by applying same later txn on both
    a.apply(hdr(3, 2), { type: 2, path: '/zz' });
    b.apply(hdr(3, 2), { type: 2, path: '/zz' });
    expect(a.digest()).toBe(b.digest());
    b.apply(hdr(4, 5), { type: 5, path: '/x', data: Buffer.from('ONE'), version: 1 });
    a.apply(hdr(4, 5), { type: 5, path: '/x', data: Buffer.from('one'), version: 1 });
    expect(a.digest()).not.toBe(b.digest());
    const c = new DataTree();
    const d = new DataTree();
    c.apply(hdr(1, 1), createTxn('/x', 1, 'one'));
    d.apply(hdr(1, 1), createTxn('/x', 1, 'one', { acl: [{ perms: 1, id: { scheme: 'world', id: 'anyone' } }] }));
    expect(c.digest()).not.toBe(d.digest());
  });
});

describe('DataTree: containers and TTL candidates', () => {
  it('containers: used and empty, or never used beyond maxNeverUsed', () => {
    const t = new DataTree();
    t.apply(hdr(1, 19, 1n, 1000), { type: 19, path: '/used', data: null, acl: OPEN, parentCVersion: 1 });
    t.apply(hdr(2, 19, 1n, 1000), { type: 19, path: '/fresh', data: null, acl: OPEN, parentCVersion: 2 });
    t.apply(hdr(3, 1, 1n, 1000), createTxn('/used/c', 1));
    expect(t.containersToDelete(5000, 0)).toEqual([]);
    t.apply(hdr(4, 2, 1n, 1000), { type: 2, path: '/used/c' });
    expect(t.containersToDelete(5000, 0)).toEqual(['/used']);
    expect(t.containersToDelete(5000, 3000).sort()).toEqual(['/fresh', '/used']);
    expect(t.containersToDelete(3000, 3000)).toEqual(['/used']);
  });

  it('TTL nodes expire when childless and now - mtime > ttl', () => {
    const t = new DataTree();
    t.apply(hdr(1, 21, 1n, 1000), { type: 21, path: '/t', data: null, acl: OPEN, parentCVersion: 1, ttl: 100n });
    expect(t.ttlExpired(1100)).toEqual([]);
    expect(t.ttlExpired(1101)).toEqual(['/t']);
    t.apply(hdr(2, 1, 1n, 1000), createTxn('/t/c', 1));
    expect(t.ttlExpired(5000)).toEqual([]);
  });

  it('without extended types a 0xFF.. owner is a plain ephemeral', () => {
    const t = new DataTree({ extendedTypesEnabled: false });
    t.apply(hdr(1, 21, 1n, 1000), { type: 21, path: '/t', data: null, acl: OPEN, parentCVersion: 1, ttl: 100n });
    expect(t.ttlPaths()).toEqual([]);
    expect(t.getEphemerals(ttlOwner(100n))).toEqual(['/t']);
  });
});

describe('DataTree: quotas', () => {
  it('maintains zookeeper_stats for paths with zookeeper_limits', () => {
    const t = new DataTree();
    applyAll(t, 1, [createTxn('/app', 1, 'abc'), createTxn('/app/x', 1, '12345')]);
    applyAll(t, 10, [
      createTxn('/zookeeper/quota/app', 1, null),
      createTxn('/zookeeper/quota/app/zookeeper_limits', 1, 'count=10,bytes=100'),
      createTxn('/zookeeper/quota/app/zookeeper_stats', 2, 'count=0,bytes=0'),
    ]);
    const statData = (): string => t.dataOf(t.getNode('/zookeeper/quota/app/zookeeper_stats')!)!.toString();
    expect(statData()).toBe('count=2,bytes=8');
    expect(t.maxPrefixWithQuota('/app/x/y')).toBe('/app');
    expect(t.maxPrefixWithQuota('/apple')).toBeNull();
    applyAll(t, 20, [createTxn('/app/y', 2, 'zz')]);
    expect(statData()).toBe('count=3,bytes=10');
    t.apply(hdr(21, 5), { type: 5, path: '/app/x', data: Buffer.from('1'), version: 1 });
    expect(statData()).toBe('count=3,bytes=6');
    t.apply(hdr(22, 2), { type: 2, path: '/app/y' });
    expect(statData()).toBe('count=2,bytes=4');
    t.apply(hdr(23, 2), { type: 2, path: '/zookeeper/quota/app/zookeeper_limits' });
    expect(t.maxPrefixWithQuota('/app/x')).toBeNull();
  });

  it('StatsTrack round-trips the ZooKeeper text format', () => {
    const s = new StatsTrack('count=4,bytes=5=;countHardLimit=10;byteHardLimit=20');
    expect(s.count).toBe(4);
    expect(s.bytes).toBe(5);
    expect(s.countHardLimit).toBe(10);
    expect(s.byteHardLimit).toBe(20);
    expect(s.toString()).toBe('count=4,bytes=5=;byteHardLimit=20;countHardLimit=10');
    expect(new StatsTrack('count=-1,bytes=-1').toString()).toBe('count=-1,bytes=-1');
    expect(new StatsTrack('').count).toBe(-1);
  });
});
