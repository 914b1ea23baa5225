/**
 * Cache recipes against a started Paddock and a started Apache ZooKeeper 3.8: NodeCache, PathChildrenCache and
 * TreeCache on persistent recursive watches and on one-shot watches; initial load, events, and convergence after
 * a connection loss (changes made while the cache's client was cut off) and after a session loss; TreeCache's
 * followData (unfollowed nodes come and go, but their data changes are neither read nor reported).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { NoNodeError, type ZooKeeperClient } from '@paddock/client';
import { Framework, NodeCache, PathChildrenCache, TreeCache, depthBelow, type ChildData, type TreeCacheEvent } from '@paddock/recipes';
import type { ServerHandle } from '../support/paddock.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { killSession, until } from './recipes-support.js';
import { SERVER_OPTIONS, TARGETS, clientTracker, freshPath } from './targets.js';

jest.setTimeout(45_000);

/** path -> data of the subtree as the server has it. */
async function serverTree(client: ZooKeeperClient, root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (path: string): Promise<void> => {
    try {
      const { data } = await client.getData(path);
      out.set(path, data.toString());
      for (const child of await client.getChildren(path)) await walk(`${path}/${child}`);
    } catch (error) {
      if (!(error instanceof NoNodeError)) throw error;
    }
  };
  await walk(root);
  return out;
}

function cacheTree(cache: TreeCache): Map<string, string> {
  return new Map([...cache.snapshot()].map(([p, d]) => [p, d.data.toString()]));
}

const sorted = (m: Map<string, string>) => [...m].sort(([a], [b]) => a.localeCompare(b));

describe.each(TARGETS)('cache recipes against %s', (_kind, start) => {
  let server: ServerHandle;
  const clients = clientTracker();
  const proxies: TcpProxy[] = [];
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    server = await start(SERVER_OPTIONS);
  }, 60_000);
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((c) => c().catch(() => undefined)));
    await Promise.all(proxies.splice(0).map((p) => p.stop()));
  });
  afterAll(async () => {
    await server?.stop();
  });

  describe.each([
    ['persistent recursive watches', 'auto' as const],
    ['one-shot watches', false as const],
  ])('TreeCache on %s', (_label, useRecursiveWatches) => {
    it('loads, follows added/updated/removed, and converges after a connection loss', async () => {
      const root = freshPath('tree');
      const writer = await clients.open(server.connectString);
      await writer.create(root, 'r');
      await writer.create(`${root}/a`, 'a');
      await writer.create(`${root}/a/x`, 'ax');
      await writer.create(`${root}/b`, 'b');
      const proxy = await new TcpProxy(server.host, server.port).start();
      proxies.push(proxy);
      // a long, fixed reconnect pause: changes happen while the cache's client is cut off
      const client = await clients.open(proxy.connectString, { reconnectJitterMs: 1_000, random: () => 0.99 });
      const cache = new TreeCache(client, root, { useRecursiveWatches });
      closers.push(() => cache.close());
      const events: TreeCacheEvent[] = [];
      cache.on('event', (e) => events.push(e));
      await cache.start();
      expect(cache.usesPersistentWatches).toBe(useRecursiveWatches === 'auto');
      expect(events.map((e) => e.type)).toEqual(['added', 'added', 'added', 'added', 'initialized']);
      expect(sorted(cacheTree(cache))).toEqual(sorted(await serverTree(writer, root)));
      expect([...cache.getCurrentChildren(root)!.keys()]).toEqual(['a', 'b']);

      events.length = 0;
      await writer.create(`${root}/b/y`, 'by');
      await writer.setData(`${root}/a`, 'a2');
      await writer.delete(`${root}/a/x`);
      await until('live events applied', () => cache.getCurrentData(`${root}/a/x`) === undefined && cache.getCurrentData(`${root}/b/y`) !== undefined && cache.getCurrentData(`${root}/a`)?.data.toString() === 'a2');
      expect(events.map((e) => `${e.type} ${e.data?.path.slice(root.length)}`).sort()).toEqual(['added /b/y', 'removed /a/x', 'updated /a'].sort());

      // connection loss: the cache's client is disconnected for ~1 s while the tree changes
      events.length = 0;
      proxy.cutAll();
      await until('client disconnected', () => client.state !== 'connected', 2_000);
      await writer.create(`${root}/c`, 'c');
      await writer.create(`${root}/c/deep`, 'cd');
      await writer.setData(`${root}/b`, 'b2');
      await writer.delete(`${root}/b/y`);
      await until('client reconnected', () => client.state === 'connected', 10_000);
      const expected = sorted(await serverTree(writer, root));
      await until('cache converged', () => JSON.stringify(sorted(cacheTree(cache))) === JSON.stringify(expected), 10_000);
      const types = events.map((e) => `${e.type} ${e.data?.path.slice(root.length) ?? ''}`);
      expect(types).toEqual(expect.arrayContaining(['connectionSuspended ', 'connectionReconnected ', 'added /c', 'added /c/deep', 'updated /b', 'removed /b/y']));

      // still live after the resync
      await writer.create(`${root}/after`, 'z');
      await until('live after resync', () => cache.getCurrentData(`${root}/after`)?.data.toString() === 'z');
      // the root itself going and coming back
      await writer.delete(`${root}/after`);
      for (const p of [`${root}/c/deep`, `${root}/c`, `${root}/b`, `${root}/a`]) await writer.delete(p);
      await writer.delete(root);
      await until('root removed', () => cache.snapshot().size === 0);
      await writer.create(root, 'again');
      await until('root back', () => cache.getCurrentData(root)?.data.toString() === 'again');
    });

    it('sees the root deleted and created again at once, however the events interleave with its reads', async () => {
      const root = freshPath('tree-root-flap');
      const writer = await clients.open(server.connectString);
      await writer.create(root, 'v0');
      const cache = new TreeCache(await clients.open(server.connectString), root, { useRecursiveWatches });
      closers.push(() => cache.close());
      await cache.start();
      for (let i = 1; i <= 20; i++) {
        // no wait between the two: the re-create may land before or after the cache's read of the deletion
        await writer.delete(root);
        await writer.create(root, `v${i}`);
        await until(`root back as v${i}`, () => cache.getCurrentData(root)?.data.toString() === `v${i}`, 5_000);
      }
    });

    it('keeps unfollowed nodes coming and going without reading or reporting their data changes', async () => {
      const root = freshPath('tree-follow');
      const writer = await clients.open(server.connectString);
      await writer.create(root, 'r');
      await writer.create(`${root}/task`, 'spec');
      await writer.create(`${root}/task/state`, 's1');
      await writer.create(`${root}/task/progress`, 'p1');
      // like data-sync's master: tasks and their states followed, progress not
      const followData = (path: string) => depthBelow(root, path) < 2 || path.endsWith('/state');
      const cache = new TreeCache(await clients.open(server.connectString), root, { maxDepth: 2, useRecursiveWatches, followData });
      closers.push(() => cache.close());
      const events: string[] = [];
      cache.on('event', (e: TreeCacheEvent) => e.data && events.push(`${e.type} ${e.data.path.slice(root.length)}=${e.data.data.toString()}`));
      await cache.start();
      expect(cache.usesPersistentWatches).toBe(useRecursiveWatches === 'auto');
      expect(cache.getCurrentData(`${root}/task/progress`)?.data.toString()).toBe('p1');

      events.length = 0;
      // the unfollowed change first: once the followed one after it is in, the first one had its chance
      await writer.setData(`${root}/task/progress`, 'p2');
      await writer.setData(`${root}/task/state`, 's2');
      await until('followed state change applied', () => cache.getCurrentData(`${root}/task/state`)?.data.toString() === 's2');
      expect(events).toEqual(['updated /task/state=s2']);
      expect(cache.getCurrentData(`${root}/task/progress`)?.data.toString()).toBe('p1'); // not read again

      // unfollowed nodes still come and go (and a new one is read when it appears)
      events.length = 0;
      await writer.create(`${root}/task2`, 'spec2');
      await writer.create(`${root}/task2/progress`, 'q1');
      await writer.delete(`${root}/task/progress`);
      await until('progress nodes added and removed', () => cache.getCurrentData(`${root}/task2/progress`) !== undefined && cache.getCurrentData(`${root}/task/progress`) === undefined);
      expect(events.sort()).toEqual(['added /task2/progress=q1', 'added /task2=spec2', 'removed /task/progress=p1'].sort());

      // a followed node at depth 1 still reports its data changes
      events.length = 0;
      await writer.setData(`${root}/task2`, 'spec2b');
      await until('followed task change applied', () => cache.getCurrentData(`${root}/task2`)?.data.toString() === 'spec2b');
      expect(events).toEqual(['updated /task2=spec2b']);
    });
  });

  it('TreeCache converges after a session loss (new session of an owned framework)', async () => {
    const root = freshPath('tree-session');
    const writer = await clients.open(server.connectString);
    await writer.create(root, 'r');
    const framework = await Framework.connect(server.connectString, { sessionTimeout: 4_000, reconnectJitterMs: 50 });
    closers.push(() => framework.close());
    const cache = new TreeCache(framework, root);
    closers.push(() => cache.close());
    await cache.start();
    const old = framework.client;
    await killSession(server, old);
    await writer.create(`${root}/while-lost`, 'w');
    await until('new session', () => framework.client !== old && framework.isConnected, 15_000);
    await until('converged', () => cache.getCurrentData(`${root}/while-lost`) !== undefined, 10_000);
    await writer.create(`${root}/later`, 'l'); // the watch was set again on the new session
    await until('live on the new session', () => cache.getCurrentData(`${root}/later`) !== undefined);
  });

  it('NodeCache follows one node through creation, changes and deletion', async () => {
    const path = freshPath('node');
    const writer = await clients.open(server.connectString);
    const client = await clients.open(server.connectString);
    const cache = new NodeCache(client, path);
    closers.push(() => cache.close());
    const seen: Array<string | null> = [];
    cache.on('changed', (d) => seen.push(d ? d.data.toString() : null));
    await cache.start();
    expect(cache.getCurrentData()).toBeUndefined();
    await writer.create(path, 'v1');
    await until('created', () => cache.getCurrentData()?.data.toString() === 'v1');
    await writer.setData(path, 'v2');
    await until('changed', () => cache.getCurrentData()?.data.toString() === 'v2');
    await writer.create(`${path}/child`, 'ignored');
    await writer.delete(`${path}/child`);
    await writer.delete(path);
    await until('deleted', () => cache.getCurrentData() === undefined);
    expect(seen).toEqual(['v1', 'v2', null]);
  });

  it('PathChildrenCache reports child events only, with the initial children first', async () => {
    const path = freshPath('children');
    const writer = await clients.open(server.connectString);
    await writer.create(path);
    await writer.create(`${path}/one`, '1');
    const client = await clients.open(server.connectString);
    const cache = new PathChildrenCache(client, path);
    closers.push(() => cache.close());
    const events: string[] = [];
    const name = (d: ChildData) => d.path.slice(path.length + 1);
    cache.on('childAdded', (d) => events.push(`added ${name(d)}=${d.data}`));
    cache.on('childUpdated', (d) => events.push(`updated ${name(d)}=${d.data}`));
    cache.on('childRemoved', (d) => events.push(`removed ${name(d)}`));
    cache.on('initialized', () => events.push('initialized'));
    await cache.start();
    await writer.create(`${path}/two`, '2');
    await writer.create(`${path}/two/grandchild`, 'g'); // deeper: not reported
    await writer.setData(`${path}/one`, '1b');
    await writer.delete(`${path}/two/grandchild`);
    await writer.delete(`${path}/two`);
    await until('all events', () => events.length >= 5);
    expect(events).toEqual(['added one=1', 'initialized', 'added two=2', 'updated one=1b', 'removed two']);
    expect(cache.getCurrentData().map(name)).toEqual(['one']);
  });
});
