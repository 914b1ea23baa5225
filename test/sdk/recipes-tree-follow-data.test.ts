/**
 * TreeCache's `followData` against a started Paddock and a started Apache ZooKeeper 3.8 (when installed), on
 * persistent recursive and on one-shot watches: nodes whose data is not followed still come and go in the cache,
 * but their data changes are neither read nor reported, while followed siblings' changes are.
 * (The rest of TreeCache is covered in recipes-caches.test.ts.)
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { TreeCache, depthBelow, type TreeCacheEvent } from '@paddock/recipes';
import type { ServerHandle } from '../support/paddock.js';
import { until } from './recipes-support.js';
import { SERVER_OPTIONS, TARGETS, clientTracker, freshPath } from './targets.js';

jest.setTimeout(60_000);

describe.each(TARGETS)('TreeCache followData against %s', (_kind, start) => {
  let server: ServerHandle;
  const clients = clientTracker();
  const caches: TreeCache[] = [];

  beforeAll(async () => {
    server = await start(SERVER_OPTIONS);
  }, 60_000);
  afterEach(async () => {
    await Promise.all(caches.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await server?.stop();
  });

  describe.each([
    ['persistent recursive watches', 'auto' as const],
    ['one-shot watches', false as const],
  ])('on %s', (_label, useRecursiveWatches) => {
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
      caches.push(cache);
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
});
