import { describe, it, expect } from '@jest/globals';
import type { ACL, CreateRequest, Id, MultiOp } from '@paddock/protocol';
import { digestId } from './acl.js';
import { DataTree } from './data-tree.js';
import { OPEN } from './helpers.spec.js';
import { PendingChanges, prepWrite, type PrepContext, type WriteRequest } from './prep.js';
import type { Txn } from './txn.js';

const IP: Id = { scheme: 'ip', id: '127.0.0.1' };
const BOB: Id = { scheme: 'digest', id: digestId('bob:pw') };
const bobOnly = (perms = 31): ACL[] => [{ perms, id: BOB }];

/** A little server: prep with an overlay, then (optionally) apply + commit. */
class Harness {
  tree = new DataTree();
  pending = new PendingChanges(this.tree);
  zxid = 0;
  queued: Array<{ zxid: number; sessionId: bigint; txn: Txn }> = [];

  ctx(over: Partial<PrepContext> = {}): PrepContext {
    return { sessionId: 0x11n, authIds: [IP], zxid: this.zxid + 1, time: 1000 + this.zxid, extendedTypesEnabled: true, ...over };
  }

  /** prep only (pipelined: not applied yet) */
  prep(op: number, req: WriteRequest, over: Partial<PrepContext> = {}): Txn {
    const ctx = this.ctx(over);
    this.zxid = ctx.zxid;
    const txn = prepWrite(this.pending, ctx, op, req);
    this.queued.push({ zxid: ctx.zxid, sessionId: ctx.sessionId, txn });
    return txn;
  }

  /** apply + commit everything queued */
  flush(): void {
    for (const q of this.queued) {
      this.tree.apply({ sessionId: q.sessionId, cxid: 0, zxid: q.zxid, time: 1000 + q.zxid, type: q.txn.type }, q.txn);
      this.pending.committed(q.zxid);
    }
    this.queued = [];
  }

  /** prep + apply + commit */
  run(op: number, req: WriteRequest, over: Partial<PrepContext> = {}): Txn {
    const t = this.prep(op, req, over);
    this.flush();
    return t;
  }
}

const create = (path: string, flags = 0, acl: ACL[] = OPEN, data: string | null = 'x'): CreateRequest => ({
  path,
  data: data === null ? null : Buffer.from(data),
  acl,
  flags,
});
const errOf = (t: Txn): number => (t.type === -1 ? t.err : 0);

describe('prepWrite: create', () => {
  it('builds a CreateTxn with parentCVersion = cversion + 1', () => {
    const h = new Harness();
    const t = h.run(1, create('/a'));
    expect(t).toEqual({ type: 1, path: '/a', data: Buffer.from('x'), acl: OPEN, ephemeral: false, parentCVersion: 1 });
    expect(h.run(15, create('/b', 1))).toMatchObject({ type: 15, path: '/b', ephemeral: true, parentCVersion: 2 });
    expect(h.tree.statOf(h.tree.getNode('/b')!).ephemeralOwner).toBe(0x11n);
  });

  it('checks in ZooKeeper order', () => {
    const h = new Harness();
    h.run(1, create('/a'));
    h.run(1, create('/locked', 0, bobOnly()));
    h.run(1, create('/eph', 1));
    // bad flags first, even with a bad ACL and a missing parent
    expect(errOf(h.prep(1, create('/nope/x', 7, [])))).toBe(-8);
    // TTL disabled -> Unimplemented before anything else
    expect(errOf(h.prep(21, { ...create('/nope/x', 5, []), ttl: 10n }, { extendedTypesEnabled: false }))).toBe(-6);
    expect(errOf(h.prep(1, create('/a/x', 5), { extendedTypesEnabled: false }))).toBe(-6);
    // ttl range / mode -> BadArguments
    expect(errOf(h.prep(21, { ...create('/a/t', 5), ttl: 0n }))).toBe(-8);
    expect(errOf(h.prep(21, { ...create('/a/t', 5), ttl: 1n << 40n }))).toBe(-8);
    expect(errOf(h.prep(21, { ...create('/a/t', 0), ttl: 10n }))).toBe(-8);
    expect(errOf(h.prep(1, create('/a/t', 5)))).toBe(-8);
    // session check comes after the mode checks
    expect(errOf(h.prep(1, create('/nope/x', 0, []), { checkSession: () => -112 }))).toBe(-112);
    expect(errOf(h.prep(1, create('/a/x', 1), { checkSession: (_s, global) => (global ? -120 : 0) }))).toBe(-120);
    expect(errOf(h.prep(1, create('/a/x', 0), { checkSession: (_s, global) => (global ? -120 : 0) }))).toBe(0);
    expect(errOf(h.prep(1, create('/a/y', 0), { isSessionOwner: () => false }))).toBe(-118);
    // no slash -> BadArguments
    expect(errOf(h.prep(1, create('abc')))).toBe(-8);
    expect(errOf(h.prep(1, create('/a\u0000b')))).toBe(-8);
    // invalid ACL before a missing parent
    expect(errOf(h.prep(1, create('/nope/x', 0, [])))).toBe(-114);
    expect(errOf(h.prep(1, create('/nope/x', 0, [{ perms: 31, id: { scheme: 'auth', id: '' } }])))).toBe(-114);
    // missing parent before path validation of the full path
    expect(errOf(h.prep(1, create('/nope/')))).toBe(-101);
    expect(errOf(h.prep(1, create('/a//b')))).toBe(-101);
    // NoAuth on the parent before path validation and NodeExists
    expect(errOf(h.prep(1, create('/locked/')))).toBe(-102);
    // full-path validation after the parent checks
    expect(errOf(h.prep(1, create('/a/')))).toBe(-8);
    expect(errOf(h.prep(1, create('/a/.')))).toBe(-8);
    // NodeExists before NoChildrenForEphemerals
    expect(errOf(h.prep(1, create('/a')))).toBe(-110);
    expect(errOf(h.prep(1, create('/eph/c')))).toBe(-108);
    expect(errOf(h.prep(1, create('/')))).toBe(-110);
  });

  it('digest users and super can create under protected parents; auth expands to the digest id', () => {
    const h = new Harness();
    h.run(1, create('/locked', 0, bobOnly(4)));
    expect(errOf(h.prep(1, create('/locked/a'), { authIds: [IP, BOB] }))).toBe(0);
    expect(errOf(h.prep(1, create('/locked/b'), { authIds: [IP, { scheme: 'super', id: '' }] }))).toBe(0);
    expect(errOf(h.prep(1, create('/locked/c'), { skipACL: true }))).toBe(0);
    const t = h.prep(1, create('/mine', 0, [{ perms: 31, id: { scheme: 'auth', id: '' } }]), { authIds: [IP, BOB] });
    expect(t).toMatchObject({ type: 1, acl: [{ perms: 31, id: BOB }] });
  });

  it('sequential names come from the parent cversion including pending creates', () => {
    const h = new Harness();
    h.run(1, create('/q'));
    h.run(1, create('/q/x'));
    h.run(2, { path: '/q/x', version: -1 });
    const a = h.prep(1, create('/q/n-', 2));
    const b = h.prep(1, create('/q/n-', 3));
    const c = h.prep(15, create('/q/', 2)); // sequential with a trailing slash is allowed
    expect((a as { path: string }).path).toBe('/q/n-0000000001');
    expect((b as { path: string }).path).toBe('/q/n-0000000002');
    expect((c as { path: string }).path).toBe('/q/0000000003');
    h.flush();
    expect(h.tree.childrenOf(h.tree.getNode('/q')!).sort()).toEqual(['0000000003', 'n-0000000001', 'n-0000000002']);
    expect(h.pending.size).toBe(0);
  });

  it('sequential overflow: 2147483647 then -2147483648 while pending', () => {
    const h = new Harness();
    h.run(1, create('/q'));
    h.tree.apply({ sessionId: 1n, cxid: 0, zxid: 2, time: 0, type: 1 }, { type: 1, path: '/q/seed', data: null, acl: OPEN, ephemeral: false, parentCVersion: 2147483647 });
    h.zxid = 2;
    expect((h.prep(1, create('/q/s', 2)) as { path: string }).path).toBe('/q/s2147483647');
    expect((h.prep(1, create('/q/s', 2)) as { path: string }).path).toBe('/q/s-2147483648');
  });

  it('TTL and container creates', () => {
    const h = new Harness();
    expect(h.run(21, { ...create('/t', 5), ttl: 1000n })).toMatchObject({ type: 21, ttl: 1000n, parentCVersion: 1 });
    expect(h.run(19, create('/c', 4))).toMatchObject({ type: 19, path: '/c' });
    // children of TTL and container nodes are allowed
    expect(errOf(h.prep(1, create('/t/x')))).toBe(0);
    expect(errOf(h.prep(1, create('/c/x')))).toBe(0);
    // op 1 with the container flag is a plain persistent create (the op decides the txn)
    expect(h.prep(1, create('/p4', 4))).toMatchObject({ type: 1, ephemeral: false });
  });

  it('enforces hard quotas only when enforceQuota is set', () => {
    const h = new Harness();
    h.run(1, create('/app'));
    h.run(1, create('/zookeeper/quota/app', 0, OPEN, null));
    h.run(1, create('/zookeeper/quota/app/zookeeper_limits', 0, OPEN, 'count=-1,bytes=-1=;countHardLimit=2'));
    h.run(1, create('/zookeeper/quota/app/zookeeper_stats', 0, OPEN, 'count=0,bytes=0'));
    expect(h.tree.dataOf(h.tree.getNode('/zookeeper/quota/app/zookeeper_stats')!)!.toString()).toBe('count=1,bytes=1');
    expect(errOf(h.run(1, create('/app/a'), { enforceQuota: true }))).toBe(0);
    expect(errOf(h.prep(1, create('/app/b'), { enforceQuota: true }))).toBe(-125);
    expect(errOf(h.prep(1, create('/app/b')))).toBe(0);
  });
});

describe('prepWrite: delete / setData / setACL / check / deleteContainer', () => {
  it('delete: special paths, parent, ACL, node, version, NotEmpty — in that order', () => {
    const h = new Harness();
    h.run(1, create('/a'));
    h.run(1, create('/a/b'));
    h.run(1, create('/locked', 0, [{ perms: 1, id: { scheme: 'world', id: 'anyone' } }]));
    h.run(1, create('/locked/x', 0));
    expect(errOf(h.prep(2, { path: '/', version: -1 }))).toBe(-8);
    expect(errOf(h.prep(2, { path: '/zookeeper', version: -1 }))).toBe(-8);
    expect(errOf(h.prep(2, { path: '/zookeeper/quota', version: -1 }))).toBe(-8);
    expect(errOf(h.prep(2, { path: '/zookeeper/config', version: -1 }))).toBe(-8);
    expect(errOf(h.prep(2, { path: 'rel', version: -1 }))).toBe(-8);
    expect(errOf(h.prep(2, { path: '/nope/x', version: -1 }))).toBe(-101);
    expect(errOf(h.prep(2, { path: '/locked/missing', version: -1 }))).toBe(-102);
    expect(errOf(h.prep(2, { path: '/a/missing', version: -1 }))).toBe(-101);
    expect(errOf(h.prep(2, { path: '/a/', version: -1 }))).toBe(-101); // no path validation on delete
    expect(errOf(h.prep(2, { path: '/a', version: 5 }))).toBe(-103);
    expect(errOf(h.prep(2, { path: '/a', version: 0 }))).toBe(-111);
    expect(errOf(h.prep(2, { path: '/a', version: -1 }, { checkSession: () => -112 }))).toBe(-112);
    expect(h.prep(2, { path: '/a/b', version: 0 })).toEqual({ type: 2, path: '/a/b' });
    // the pending delete makes /a empty for the next request
    expect(h.prep(2, { path: '/a', version: -1 })).toEqual({ type: 2, path: '/a' });
    h.flush();
    expect(h.tree.getNode('/a')).toBeUndefined();
  });

  it('setData: path, node, WRITE, version; returns the new version', () => {
    const h = new Harness();
    h.run(1, create('/a'));
    h.run(1, create('/ro', 0, [{ perms: 1, id: { scheme: 'world', id: 'anyone' } }]));
    expect(errOf(h.prep(5, { path: '/a/', data: null, version: -1 }))).toBe(-8);
    expect(errOf(h.prep(5, { path: '/x', data: null, version: -1 }))).toBe(-101);
    expect(errOf(h.prep(5, { path: '/ro', data: null, version: 9 }))).toBe(-102);
    expect(errOf(h.prep(5, { path: '/a', data: null, version: 9 }))).toBe(-103);
    expect(h.prep(5, { path: '/a', data: Buffer.from('1'), version: 0 })).toEqual({ type: 5, path: '/a', data: Buffer.from('1'), version: 1 });
    // pipelined: the pending version is 1
    expect(errOf(h.prep(5, { path: '/a', data: null, version: 0 }))).toBe(-103);
    expect(h.prep(5, { path: '/a', data: null, version: 1 })).toMatchObject({ version: 2 });
    h.flush();
    expect(h.tree.statOf(h.tree.getNode('/a')!).version).toBe(2);
  });

  it('setACL: path, InvalidACL before NoNode, ADMIN, aversion', () => {
    const h = new Harness();
    h.run(1, create('/a'));
    h.run(1, create('/noadmin', 0, [{ perms: 15, id: { scheme: 'world', id: 'anyone' } }]));
    expect(errOf(h.prep(7, { path: '/x/', acl: OPEN, version: -1 }))).toBe(-8);
    expect(errOf(h.prep(7, { path: '/x', acl: [], version: -1 }))).toBe(-114);
    expect(errOf(h.prep(7, { path: '/x', acl: OPEN, version: -1 }))).toBe(-101);
    expect(errOf(h.prep(7, { path: '/noadmin', acl: OPEN, version: 3 }))).toBe(-102);
    expect(errOf(h.prep(7, { path: '/a', acl: OPEN, version: 3 }))).toBe(-103);
    expect(h.prep(7, { path: '/a', acl: bobOnly(), version: 0 })).toEqual({ type: 7, path: '/a', acl: bobOnly(), version: 1 });
    expect(h.prep(7, { path: '/a', acl: OPEN, version: 1 })).toMatchObject({ version: 2 });
    h.flush();
    expect(h.tree.statOf(h.tree.getNode('/a')!).aversion).toBe(2);
    expect(h.tree.aclOf(h.tree.getNode('/a')!)).toEqual(OPEN);
  });

  it('check needs READ and a matching version', () => {
    const h = new Harness();
    h.run(1, create('/a'));
    h.run(1, create('/w', 0, [{ perms: 2, id: { scheme: 'world', id: 'anyone' } }]));
    expect(errOf(h.prep(13, { path: '/w', version: -1 }))).toBe(-102);
    expect(errOf(h.prep(13, { path: '/a', version: 1 }))).toBe(-103);
    expect(h.prep(13, { path: '/a', version: 0 })).toEqual({ type: 13, path: '/a', version: 1 });
  });

  it('deleteContainer: NotEmpty, BadVersion for ephemerals, no ACL check', () => {
    const h = new Harness();
    h.run(19, create('/c', 4, [{ perms: 1, id: { scheme: 'world', id: 'anyone' } }]));
    h.run(1, create('/e', 1));
    h.run(19, create('/full', 4));
    h.run(1, create('/full/x'));
    expect(errOf(h.prep(20, { path: '/' }))).toBe(-8);
    expect(errOf(h.prep(20, { path: '/nope' }))).toBe(-101);
    expect(errOf(h.prep(20, { path: '/full' }))).toBe(-111);
    expect(errOf(h.prep(20, { path: '/e' }))).toBe(-103);
    expect(h.prep(20, { path: '/c' }, { sessionId: 0n })).toEqual({ type: 20, path: '/c' });
    h.flush();
    expect(h.tree.getNode('/c')).toBeUndefined();
  });
});

describe('prepWrite: pending overlay', () => {
  it('create then delete while pending, then create again', () => {
    const h = new Harness();
    expect(errOf(h.prep(1, create('/a')))).toBe(0);
    expect(errOf(h.prep(1, create('/a')))).toBe(-110);
    expect(errOf(h.prep(1, create('/a/b')))).toBe(0);
    expect(errOf(h.prep(2, { path: '/a', version: -1 }))).toBe(-111);
    expect(errOf(h.prep(2, { path: '/a/b', version: 0 }))).toBe(0);
    expect(errOf(h.prep(5, { path: '/a/b', data: null, version: -1 }))).toBe(-101);
    expect(errOf(h.prep(2, { path: '/a', version: 0 }))).toBe(0);
    expect(errOf(h.prep(1, create('/a')))).toBe(0);
    expect(h.pending.size).toBeGreaterThan(0);
    h.flush();
    expect(h.pending.size).toBe(0);
    expect(h.tree.getNode('/a')).toBeDefined();
    expect(h.tree.getNode('/a/b')).toBeUndefined();
    expect(h.tree.statOf(h.tree.getNode('/')!).cversion).toBe(2);
  });

  it('committed() drops only records up to the zxid', () => {
    const h = new Harness();
    h.prep(1, create('/a')); // zxid 1
    h.prep(1, create('/b')); // zxid 2
    h.pending.committed(1);
    expect(h.pending.outstanding('/a')).toBeUndefined();
    expect(h.pending.outstanding('/b')).toBeDefined();
    // the root record of zxid 2 is still the freshest view of "/"
    expect(h.pending.outstanding('')!.stat!.cversion).toBe(2);
    h.pending.clear();
    expect(h.pending.size).toBe(0);
  });
});

describe('prepWrite: multi', () => {
  it('success: one multi txn; create2 becomes create inside a multi', () => {
    const h = new Harness();
    h.run(1, create('/a'));
    const ops: MultiOp[] = [
      { type: 15, request: create('/a/s-', 2) },
      { type: 1, request: create('/a/s-', 2) },
      { type: 1, request: create('/box', 4) },
      { type: 5, request: { path: '/a', data: Buffer.from('y'), version: 0 } },
      { type: 13, request: { path: '/a', version: 1 } },
      { type: 2, request: { path: '/a/s-0000000000', version: 0 } },
    ];
    const t = h.prep(14, ops);
    expect(t.type).toBe(14);
    const subs = (t as { txns: Txn[] }).txns;
    expect(subs.map((s) => s.type)).toEqual([1, 1, 19, 5, 13, 2]);
    expect(subs.map((s) => (s as { path?: string }).path)).toEqual(['/a/s-0000000000', '/a/s-0000000001', '/box', '/a', '/a', '/a/s-0000000000']);
    h.flush();
    expect(h.tree.childrenOf(h.tree.getNode('/a')!)).toEqual(['s-0000000001']);
    expect(h.tree.containerPaths()).toEqual(['/box']);
  });

  it('failure: 0 before, own code, -2 after; the overlay is rolled back', () => {
    const h = new Harness();
    h.run(1, create('/a'));
    const before = h.prep(1, create('/a/s-', 2)); // pending, zxid 2
    expect((before as { path: string }).path).toBe('/a/s-0000000000');
    const t = h.prep(14, [
      { type: 1, request: create('/a/s-', 2) },
      { type: 1, request: create('/a/x') },
      { type: 2, request: { path: '/missing', version: -1 } },
      { type: 5, request: { path: '/a', data: null, version: -1 } },
    ]);
    expect(t).toEqual({
      type: 14,
      txns: [
        { type: -1, err: 0 },
        { type: -1, err: 0 },
        { type: -1, err: -101 },
        { type: -1, err: -2 },
      ],
    });
    // the failed multi's records are gone, the earlier pending create is still visible
    expect(errOf(h.prep(1, create('/a/x')))).toBe(0);
    expect((h.prep(1, create('/a/s-', 2)) as { path: string }).path).toBe('/a/s-0000000002');
    h.flush();
    expect(h.tree.childrenOf(h.tree.getNode('/a')!).sort()).toEqual(['s-0000000000', 's-0000000002', 'x']);
  });

  it('applying a failed multi gives per-op results and no change', () => {
    const h = new Harness();
    h.run(1, create('/a'));
    const d0 = h.tree.digest();
    const t = h.prep(14, [
      { type: 1, request: create('/a/b') },
      { type: 1, request: create('/a') },
    ]);
    const r = h.tree.apply({ sessionId: 1n, cxid: 0, zxid: h.zxid, time: 0, type: 14 }, t);
    expect(r.err).toBe(0);
    expect(r.multi).toEqual([
      { type: -1, err: 0 },
      { type: -1, err: -110 },
    ]);
    expect(h.tree.digest()).not.toBe(0n);
    // only lastProcessedZxid moved
    expect(h.tree.digest()).toBe(d0);
  });

  it('TTL flags through op create inside a multi are a MarshallingError for the whole request', () => {
    const h = new Harness();
    expect(h.prep(14, [{ type: 1, request: create('/a', 5) }])).toEqual({ type: -1, err: -5 });
    expect(h.prep(14, [{ type: 4, request: { path: '/', watch: false } }])).toEqual({ type: -1, err: -5 });
    expect(h.pending.size).toBe(0);
  });
});

describe('prepWrite: sessions', () => {
  it('closeSession lists ephemerals including pending ones and excluding pending deletes', () => {
    const h = new Harness();
    h.run(1, create('/e1', 1));
    h.run(1, create('/e2', 1));
    h.run(1, create('/other', 1), { sessionId: 0x22n });
    h.prep(1, create('/e3', 1)); // pending
    h.prep(2, { path: '/e1', version: -1 }); // pending delete
    const t = h.prep(-11, undefined);
    expect(t.type).toBe(-11);
    expect((t as { paths: string[] }).paths.sort()).toEqual(['/e2', '/e3']);
    // a later create under the session's ephemeral sees it deleted
    expect(errOf(h.prep(5, { path: '/e2', data: null, version: -1 }))).toBe(-101);
    h.flush();
    expect(h.tree.getEphemerals(0x11n)).toEqual([]);
    expect(h.tree.getEphemerals(0x22n)).toEqual(['/other']);
  });

  it('createSession carries the timeout; reconfig is disabled', () => {
    const h = new Harness();
    expect(h.prep(-10, { timeOut: 4000 })).toEqual({ type: -10, timeOut: 4000 });
    expect(h.prep(16, null)).toEqual({ type: -1, err: -123 });
    expect(h.prep(4, null)).toEqual({ type: -1, err: -6 });
  });
});
