/**
 * PathChildrenCache (Curator): the children of one path with their data; events `childAdded`, `childUpdated`,
 * `childRemoved`, `initialized` and connection events. A TreeCache of depth 1 whose events are about children.
 */
import { EventEmitter } from 'node:events';
import type { ClientLike } from './framework.js';
import { TreeCache, depthBelow, type ChildData, type TreeCacheOptions } from './tree-cache.js';

export type PathChildrenCacheEvents = {
  childAdded: [data: ChildData];
  childUpdated: [data: ChildData];
  childRemoved: [data: ChildData];
  initialized: [];
  connectionSuspended: [];
  connectionReconnected: [];
  connectionLost: [];
  error: [error: unknown];
};

export class PathChildrenCache extends EventEmitter<PathChildrenCacheEvents> {
  private readonly tree: TreeCache;

  constructor(
    client: ClientLike,
    readonly path: string,
    options: Omit<TreeCacheOptions, 'maxDepth'> = {},
  ) {
    super();
    this.tree = new TreeCache(client, path, { ...options, maxDepth: 1 });
    const isChild = (d: ChildData) => depthBelow(path, d.path) === 1;
    this.tree.on('added', (d) => isChild(d) && this.emit('childAdded', d));
    this.tree.on('updated', (d) => isChild(d) && this.emit('childUpdated', d));
    this.tree.on('removed', (d) => isChild(d) && this.emit('childRemoved', d));
    this.tree.on('initialized', () => this.emit('initialized'));
    this.tree.on('event', (e) => {
      if (e.type === 'connectionSuspended' || e.type === 'connectionReconnected' || e.type === 'connectionLost') this.emit(e.type);
    });
    this.tree.on('error', (e) => this.listenerCount('error') > 0 && this.emit('error', e));
  }

  start(): Promise<void> {
    return this.tree.start();
  }

  close(): Promise<void> {
    return this.tree.close();
  }

  get usesPersistentWatches(): boolean {
    return this.tree.usesPersistentWatches;
  }

  /** The children, sorted by path. */
  getCurrentData(): ChildData[] {
    return [...(this.tree.getCurrentChildren(this.path)?.values() ?? [])];
  }

  /** One child by full path. */
  getChild(path: string): ChildData | undefined {
    return depthBelow(this.path, path) === 1 ? this.tree.getCurrentData(path) : undefined;
  }
}
