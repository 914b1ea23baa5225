/**
 * NodeCache (Curator): the data of one node (or its absence), kept current; `changed` after every change.
 * A TreeCache of depth 0 (one persistent watch on servers that have them, one-shot exists/getData otherwise).
 */
import { EventEmitter } from 'node:events';
import type { ClientLike } from './framework.js';
import { TreeCache, type ChildData, type TreeCacheOptions } from './tree-cache.js';

export type NodeCacheEvents = {
  changed: [data: ChildData | undefined];
  initialized: [];
  error: [error: unknown];
};

export class NodeCache extends EventEmitter<NodeCacheEvents> {
  private readonly tree: TreeCache;

  constructor(
    client: ClientLike,
    readonly path: string,
    options: Omit<TreeCacheOptions, 'maxDepth'> = {},
  ) {
    super();
    this.tree = new TreeCache(client, path, { ...options, maxDepth: 0 });
    this.tree.on('added', (d) => this.emit('changed', d));
    this.tree.on('updated', (d) => this.emit('changed', d));
    this.tree.on('removed', () => this.emit('changed', undefined));
    this.tree.on('initialized', () => this.emit('initialized'));
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

  /** The node's data and stat, or undefined if it does not exist. */
  getCurrentData(): ChildData | undefined {
    return this.tree.getCurrentData(this.path);
  }
}
