/**
 * The promise API of @paddock/client against a started Paddock and a started Apache ZooKeeper 3.8:
 * every op, all create modes, typed errors with codes and paths, versions, watches (callbacks and async
 * iterators), multi / transaction / multiRead, and chroot.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import {
  BadVersionError,
  CREATOR_ALL_ACL,
  InvalidPathError,
  NoNodeError,
  NodeExistsError,
  NotEmptyError,
  NoWatcherError,
  OPEN_ACL_UNSAFE,
  Perms,
  READ_ACL_UNSAFE,
  TransactionError,
  ZooKeeperClient,
  ZooKeeperError,
  digestId,
  ops,
  type WatchedEvent,
} from '@paddock/client';
import { EventQueue, withTimeout } from '../support/async.js';
import type { ServerHandle } from '../support/paddock.js';
import { SERVER_OPTIONS, TARGETS, clientTracker, freshPath } from './targets.js';

jest.setTimeout(60_000);

async function expectZkError(promise: Promise<unknown>, code: number, path: string | undefined, cls?: abstract new (...a: never[]) => Error) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ZooKeeperError);
  if (cls) expect(error).toBeInstanceOf(cls);
  expect(error).toMatchObject({ code, path });
  return error as ZooKeeperError;
}

describe.each(TARGETS)('client API against %s', (kind, start) => {
  let server: ServerHandle;
  const clients = clientTracker();
  let zk: ZooKeeperClient;

  beforeAll(async () => {
    server = await start(SERVER_OPTIONS);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  beforeEach(async () => {
    zk = await clients.open(server.connectString);
  });

  describe('create', () => {
    it('persistent, ephemeral and sequential modes', async () => {
      const base = freshPath('modes');
      expect(await zk.create(base, 'root')).toBe(base);
      expect(await zk.create(`${base}/p`, 'x', { mode: 'persistent' })).toBe(`${base}/p`);
      expect(await zk.create(`${base}/e`, null, { mode: 'ephemeral' })).toBe(`${base}/e`);
      const ps = await zk.create(`${base}/ps-`, 'a', { mode: 'persistentSequential' });
      const es = await zk.create(`${base}/es-`, 'b', { mode: 'ephemeralSequential' });
      expect(ps).toMatch(new RegExp(`^${base}/ps-\\d{10}$`));
      expect(es).toMatch(new RegExp(`^${base}/es-\\d{10}$`));
      expect(Number(es.slice(-10))).toBeGreaterThan(Number(ps.slice(-10)));
      const { path: trailing } = await zk.create2(`${base}/`, undefined, { mode: 'persistentSequential' });
      expect(trailing).toMatch(new RegExp(`^${base}/\\d{10}$`));

      expect((await zk.exists(`${base}/p`))!.ephemeralOwner).toBe(0n);
      expect((await zk.exists(`${base}/e`))!.ephemeralOwner).toBe(zk.sessionId);
      expect((await zk.exists(es))!.ephemeralOwner).toBe(zk.sessionId);
      expect((await zk.getData(`${base}/p`)).data.toString()).toBe('x');
      expect((await zk.getEphemerals(base)).sort()).toEqual([`${base}/e`, es].sort());
    });

    it('create2 returns the stat; container and TTL nodes carry their owner markers', async () => {
      const base = freshPath('create2');
      const made = await zk.create2(base, 'data');
      expect(made.path).toBe(base);
      expect(made.stat).toMatchObject({ version: 0, dataLength: 4, numChildren: 0, ephemeralOwner: 0n });
      expect(made.stat.czxid).toBe(made.stat.mzxid);

      expect(await zk.create(`${base}/c`, null, { mode: 'container' })).toBe(`${base}/c`);
      // servers hide the container / TTL markers from clients (DataTree.getClientEphemeralOwner): owner 0
      expect((await zk.exists(`${base}/c`))!.ephemeralOwner).toBe(0n);
      const c2 = await zk.create2(`${base}/c2`, null, { mode: 'container' });
      expect(c2.stat.ephemeralOwner).toBe(0n);

      const ttl = await zk.create2(`${base}/t`, 'x', { mode: 'persistentWithTTL', ttl: 60_000 });
      expect(ttl.path).toBe(`${base}/t`);
      expect(ttl.stat.ephemeralOwner).toBe(0n);
      const tseq = await zk.create(`${base}/ts-`, 'y', { mode: 'persistentSequentialWithTTL', ttl: 1234 });
      expect(tseq).toMatch(/\/ts-\d{10}$/);
      expect((await zk.exists(tseq))!.ephemeralOwner).toBe(0n);
      expect(await zk.getChildren(base)).toHaveLength(4);
    });

    it('rejects bad arguments on the client side', async () => {
      await expectZkError(zk.create('no-slash'), -8, 'no-slash', InvalidPathError);
      await expectZkError(zk.create('/a/', 'x'), -8, '/a/', InvalidPathError);
      await expectZkError(zk.create('/ttl', 'x', { mode: 'persistentWithTTL' }), -8, '/ttl');
      await expectZkError(zk.create('/ttl', 'x', { mode: 'persistent', ttl: 5 }), -8, '/ttl');
      await expectZkError(zk.create('/acl', 'x', { acl: [] }), -114, '/acl');
      await expectZkError(zk.getData('/a//b'), -8, '/a//b');
    });
  });

  describe('errors carry codes and paths', () => {
    it('NoNode, NodeExists, NotEmpty, NoChildrenForEphemerals, BadVersion, BadArguments', async () => {
      const base = freshPath('errors');
      await zk.create(base);
      await zk.create(`${base}/child`);
      await zk.create(`${base}/eph`, null, { mode: 'ephemeral' });

      const e = await expectZkError(zk.getData(`${base}/missing`), -101, `${base}/missing`, NoNodeError);
      expect(e.codeName).toBe('NO_NODE');
      expect(e.message).toContain(`${base}/missing`);
      await expectZkError(zk.create(`${base}/missing/x`), -101, `${base}/missing/x`, NoNodeError);
      await expectZkError(zk.create(base), -110, base, NodeExistsError);
      await expectZkError(zk.delete(base), -111, base, NotEmptyError);
      await expectZkError(zk.create(`${base}/eph/x`), -108, `${base}/eph/x`);
      await expectZkError(zk.setData(`${base}/child`, 'v', 7), -103, `${base}/child`, BadVersionError);
      await expectZkError(zk.delete(`${base}/child`, 3), -103, `${base}/child`, BadVersionError);
      await expectZkError(zk.setACL(`${base}/child`, OPEN_ACL_UNSAFE, 2), -103, `${base}/child`, BadVersionError);
      await expectZkError(zk.delete('/zookeeper'), -8, '/zookeeper');
      await expectZkError(zk.getChildren(`${base}/missing`), -101, `${base}/missing`);
      await expectZkError(zk.getACL(`${base}/missing`), -101, `${base}/missing`);
      await expectZkError(zk.getAllChildrenNumber(`${base}/missing`), -101, `${base}/missing`);
      expect(await zk.exists(`${base}/missing`)).toBeNull();
    });
  });

  describe('versions and reads', () => {
    it('setData / delete / setACL check and bump version, aversion, cversion', async () => {
      const base = freshPath('versions');
      const { stat: s0 } = await zk.create2(base, 'v0');
      const s1 = await zk.setData(base, 'v1', 0);
      expect(s1.version).toBe(1);
      expect(s1.mzxid).toBeGreaterThan(s0.mzxid);
      const s2 = await zk.setData(base, 'v2');
      expect(s2.version).toBe(2);
      const got = await zk.getData(base);
      expect(got.data.toString()).toBe('v2');
      expect(got.stat).toEqual(s2);

      const aclStat = await zk.setACL(base, READ_ACL_UNSAFE.concat(OPEN_ACL_UNSAFE.map((a) => ({ ...a, perms: Perms.ALL & ~Perms.READ }))), 0);
      expect(aclStat.aversion).toBe(1);
      const { acl, stat } = await zk.getACL(base);
      expect(stat.aversion).toBe(1);
      expect(acl).toHaveLength(2);

      await zk.create(`${base}/a`);
      await zk.create(`${base}/b`, 'bb');
      const { children, stat: parent } = await zk.getChildrenWithStat(base);
      expect(children.sort()).toEqual(['a', 'b']);
      expect(parent).toMatchObject({ numChildren: 2, cversion: 2 });
      expect((await zk.getChildren(base)).sort()).toEqual(['a', 'b']);
      await zk.create(`${base}/a/deep`);
      expect(await zk.getAllChildrenNumber(base)).toBe(3);

      const bStat = (await zk.exists(`${base}/b`))!;
      await zk.delete(`${base}/b`, bStat.version);
      expect(await zk.exists(`${base}/b`)).toBeNull();
      expect(await zk.sync(base)).toBe(base);
      expect(await zk.getData(`${base}/a`)).toMatchObject({ data: Buffer.alloc(0) });
    });

    it('whoAmI and digest ACLs', async () => {
      const base = freshPath('acl');
      expect(await zk.whoAmI()).toEqual([{ authScheme: 'ip', user: '127.0.0.1' }]);
      await zk.addAuth('digest', 'alice:secret');
      expect(await zk.whoAmI()).toEqual(expect.arrayContaining([{ authScheme: 'digest', user: 'alice' }]));
      await zk.create(base, 'private', { acl: CREATOR_ALL_ACL });
      const { acl } = await zk.getACL(base);
      expect(acl).toEqual([{ perms: Perms.ALL, id: digestId('alice', 'secret') }]);

      const other = await clients.open(server.connectString);
      await expectZkError(other.getData(base), -102, base);
      await other.addAuth('digest', 'alice:wrong');
      await expectZkError(other.setData(base, 'x'), -102, base);
      await other.addAuth('digest', 'alice:secret');
      expect((await other.getData(base)).data.toString()).toBe('private');
    });
  });

  describe('watches', () => {
    it('getData / exists / getChildren watches fire once with the right type', async () => {
      const base = freshPath('watch');
      await zk.create(base);
      const events = new EventQueue<WatchedEvent & { who: string }>();
      const tag = (who: string) => (e: WatchedEvent) => events.push({ ...e, who });

      await zk.getData(base, { watch: tag('data') });
      expect(await zk.exists(`${base}/later`, { watch: tag('exists') })).toBeNull();
      await zk.getChildren(base, { watch: tag('children') });

      const writer = await clients.open(server.connectString);
      await writer.setData(base, 'changed');
      expect(await events.next('data watch')).toMatchObject({ who: 'data', type: 'NodeDataChanged', path: base });
      await writer.create(`${base}/later`);
      const two = [await events.next('exists watch'), await events.next('child watch')];
      expect(two).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ who: 'exists', type: 'NodeCreated', path: `${base}/later` }),
          expect.objectContaining({ who: 'children', type: 'NodeChildrenChanged', path: base }),
        ]),
      );
      await writer.setData(base, 'again');
      await writer.create(`${base}/more`);
      await events.expectQuiet('one-shot watch firing twice');
      expect(zk.hasWatch(base)).toBe(false);
    });

    it('one event per watcher, NodeDeleted reaches data and child watches, default watcher', async () => {
      const base = freshPath('watch-del');
      await zk.create(base);
      const events = new EventQueue<WatchedEvent>();
      const watcher = (e: WatchedEvent) => events.push(e);
      await zk.getData(base, { watch: watcher });
      await zk.exists(base, { watch: watcher });
      await zk.getChildren(base, { watch: watcher });
      const defaults = new EventQueue<WatchedEvent>();
      zk.on('watch', defaults.push);
      await zk.exists(base, { watch: true });

      await zk.delete(base);
      expect(await events.next('deleted')).toMatchObject({ type: 'NodeDeleted', path: base });
      expect(await defaults.next('default watcher')).toMatchObject({ type: 'NodeDeleted', path: base });
      await events.expectQuiet('a second event for the same watcher');
    });

    it('persistent watch callback, removeWatches, checkWatches, NoWatcher', async () => {
      const base = freshPath('persistent');
      await zk.create(base);
      const events = new EventQueue<WatchedEvent>();
      const watcher = (e: WatchedEvent) => events.push(e);
      await zk.addWatch(base, watcher, 'persistent');
      await zk.checkWatches(base, 'any');
      const writer = await clients.open(server.connectString);
      await writer.setData(base, '1');
      await writer.setData(base, '2');
      await writer.create(`${base}/kid`);
      expect((await Promise.all([events.next('1'), events.next('2'), events.next('3')])).map((e) => e.type)).toEqual([
        'NodeDataChanged',
        'NodeDataChanged',
        'NodeChildrenChanged',
      ]);
      await zk.removeWatches(base, watcher, 'persistent');
      expect(await events.next('removal')).toMatchObject({ type: 'PersistentWatchRemoved', path: base });
      await expectZkError(zk.checkWatches(base, 'any'), -121, base, NoWatcherError);
      await expectZkError(zk.removeWatches(base, watcher, 'persistent'), -121, base, NoWatcherError);
      await writer.setData(base, '3');
      await events.expectQuiet('event after removal');

      await zk.getData(base, { watch: watcher });
      await zk.removeAllWatches(base, 'data');
      expect(await events.next('data removal')).toMatchObject({ type: 'DataWatchRemoved', path: base });
    });

    it('persistent recursive watch as an async iterator', async () => {
      const base = freshPath('recursive');
      await zk.create(base);
      const stream = zk.watch(base, { mode: 'persistentRecursive' });
      await stream.ready;
      const writer = await clients.open(server.connectString);
      const seen: WatchedEvent[] = [];
      const consumer = (async () => {
        for await (const e of stream) {
          seen.push(e);
          if (seen.length === 5) break;
        }
      })();
      await writer.create(`${base}/a`);
      await writer.create(`${base}/a/b`);
      await writer.setData(`${base}/a/b`, 'x');
      await writer.delete(`${base}/a/b`);
      await writer.setData(base, 'root');
      await withTimeout(consumer, 10_000, 'five recursive events');
      expect(seen.map((e) => [e.type, e.path])).toEqual([
        ['NodeCreated', `${base}/a`],
        ['NodeCreated', `${base}/a/b`],
        ['NodeDataChanged', `${base}/a/b`],
        ['NodeDeleted', `${base}/a/b`],
        ['NodeDataChanged', base],
      ]);
      // leaving the loop removed the watch on the server too
      await expectZkError(zk.checkWatches(base, 'any'), -121, base);
      expect(zk.hasWatch(base)).toBe(false);
    });

    it('iterators end when the client closes', async () => {
      const base = freshPath('iter-close');
      await zk.create(base);
      const stream = zk.watch(base);
      await stream.ready;
      const done = (async () => {
        const got: string[] = [];
        for await (const e of stream) got.push(e.type);
        return got;
      })();
      await zk.setData(base, 'x');
      await new Promise((r) => setTimeout(r, 200));
      await zk.close();
      expect(await withTimeout(done, 5_000, 'iterator end')).toEqual(['NodeDataChanged']);
      expect(zk.state).toBe('closed');
    });
  });

  describe('multi', () => {
    it('transaction builder commits and returns per-op results', async () => {
      const base = freshPath('txn');
      await zk.create(base, 'v0');
      const results = await zk
        .transaction()
        .create(`${base}/a`, 'a')
        .create(`${base}/s-`, null, { mode: 'persistentSequential' })
        .create(`${base}/c`, null, { mode: 'container' })
        .setData(base, 'v1', 0)
        .check(base, 1)
        .delete(`${base}/a`)
        .commit();
      expect(results.map((r) => r.type)).toEqual(['create', 'create', 'create', 'setData', 'check', 'delete']);
      expect(results[0]).toEqual({ type: 'create', path: `${base}/a` });
      expect(results[1]).toMatchObject({ type: 'create', path: expect.stringMatching(/\/s-\d{10}$/) });
      expect(results[2]).toMatchObject({ type: 'create', path: `${base}/c` });
      expect(results[3]).toMatchObject({ type: 'setData', stat: { version: 1 } });
      expect(await zk.exists(`${base}/a`)).toBeNull();
    });

    it('a failed multi applies nothing and reports every op', async () => {
      const base = freshPath('txn-fail');
      await zk.create(base);
      const error = (await zk
        .multi([ops.create(`${base}/x`), ops.setData(base, 'y', 5), ops.delete(`${base}/none`)])
        .catch((e: unknown) => e)) as TransactionError;
      expect(error).toBeInstanceOf(TransactionError);
      expect(error).toMatchObject({ code: -103, codeName: 'BAD_VERSION', path: base, failedOpIndex: 1 });
      expect(error.results.map((r) => (r.type === 'error' ? r.code : r.type))).toEqual([0, -103, -2]);
      expect(await zk.exists(`${base}/x`)).toBeNull();
      const checkFail = (await zk.transaction().check(`${base}/nope`, 0).commit().catch((e: unknown) => e)) as TransactionError;
      expect(checkFail).toMatchObject({ code: -101, path: `${base}/nope`, failedOpIndex: 0 });
      expect(await zk.multi([])).toEqual([]);
    });

    it('multiRead returns each result or error', async () => {
      const base = freshPath('multiread');
      await zk.create(base, 'root');
      await zk.create(`${base}/k`);
      const results = await zk.multiRead([ops.getData(base), ops.getChildren(base), ops.getData(`${base}/missing`)]);
      expect(results[0]).toMatchObject({ type: 'getData', data: Buffer.from('root') });
      expect(results[1]).toEqual({ type: 'getChildren', children: ['k'] });
      expect(results[2]).toMatchObject({ type: 'error', code: -101, codeName: 'NO_NODE' });
    });
  });

  describe('chroot', () => {
    it('maps paths in and out: results, events, multi, sync, ephemerals', async () => {
      const root = freshPath('chroot');
      await zk.create(root);
      const chrooted = await clients.open(`${server.connectString}/${root.slice(1)}`);
      expect(chrooted.chroot).toBe(root);
      expect(await chrooted.create('/a', 'x')).toBe('/a');
      expect((await zk.getData(`${root}/a`)).data.toString()).toBe('x');
      expect(await chrooted.create('/s-', null, { mode: 'ephemeralSequential' })).toMatch(/^\/s-\d{10}$/);
      const kids = (await chrooted.getChildren('/')).sort();
      expect(kids).toHaveLength(2);
      expect(kids[0]).toBe('a');
      expect(kids[1]).toMatch(/^s-\d{10}$/);
      expect(await chrooted.sync('/a')).toBe('/a');
      expect(await chrooted.getEphemerals('/')).toEqual([expect.stringMatching(/^\/s-\d{10}$/)]);

      const events = new EventQueue<WatchedEvent>();
      await chrooted.getData('/a', { watch: events.push });
      await chrooted.exists('/', { watch: events.push });
      const stream = chrooted.watch('/', { mode: 'persistentRecursive' });
      await stream.ready;
      await zk.setData(`${root}/a`, 'y');
      expect(await events.next('chrooted data event')).toMatchObject({ type: 'NodeDataChanged', path: '/a' });
      await zk.setData(root, 'r');
      expect(await events.next('chroot root event')).toMatchObject({ type: 'NodeDataChanged', path: '/' });
      const it2 = stream[Symbol.asyncIterator]();
      expect((await withTimeout(it2.next(), 5000, 'stream 1')).value).toMatchObject({ path: '/a' });
      expect((await withTimeout(it2.next(), 5000, 'stream 2')).value).toMatchObject({ path: '/' });
      await stream.close();

      const results = await chrooted.transaction().create('/t', 'x').create('/u-', null, { mode: 'persistentSequential' }).commit();
      expect(results[0]).toEqual({ type: 'create', path: '/t' });
      expect(results[1]).toMatchObject({ path: expect.stringMatching(/^\/u-\d{10}$/) });
      const fail = (await chrooted.transaction().create('/t').commit().catch((e: unknown) => e)) as TransactionError;
      expect(fail).toMatchObject({ code: -110, path: '/t' });
      await expectZkError(chrooted.getData('/missing'), -101, '/missing');
      expect(await zk.exists(`${root}/t`)).not.toBeNull();
    });
  });

  it(`reports the target (${kind})`, () => {
    expect(server.kind).toBe(kind);
  });
});
