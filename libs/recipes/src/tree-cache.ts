/**
 * TreeCache (Curator): a local copy of a subtree (data + stat of every node down to `maxDepth`) kept current with
 * watches, with events `added` / `updated` / `removed`, `initialized` after the first load, and connection events.
 *
 * - On servers with persistent watches (ZooKeeper >= 3.6, Paddock) one `addWatch(root, persistentRecursive)`
 *   (plain `persistent` for maxDepth 0) replaces the per-node watches; every notification is followed by a fresh
 *   read of that node, processed in order, so the cache converges to the server's state.
 * - Otherwise (or with `useRecursiveWatches: false`) it uses one-shot getData/getChildren/exists watches per node,
 *   re-set on every read.
 * - After a reconnect or a new session it reloads the whole subtree and diffs it against the cache (events missed
 *   while disconnected are not replayed for persistent watches), so it converges after a connection loss.
 * - `followData` leaves out the data changes of busy nodes whose shape (coming and going) is all a user needs.
 *
 * NodeCache (maxDepth 0) and PathChildrenCache (maxDepth 1) are views of it.
 */
import { EventEmitter } from 'node:events';
import { NoNodeError, ZooKeeperError, type Stat, type WatchedEvent, type Watcher, type ZooKeeperClient } from '@paddock/client';
import { toFramework, type ClientLike, type ConnectionState, type Framework } from './framework.js';
import { joinPath, parentOf } from './utils.js';

export interface ChildData {
  path: string;
  data: Buffer;
  stat: Stat;
}

export type TreeCacheEventType =
  | 'added'
  | 'updated'
  | 'removed'
  | 'initialized'
  | 'connectionSuspended'
  | 'connectionReconnected'
  | 'connectionLost';

export interface TreeCacheEvent {
  type: TreeCacheEventType;
  /** For added / updated / removed. */
  data?: ChildData;
}

export type TreeCacheEvents = {
  event: [event: TreeCacheEvent];
  added: [data: ChildData];
  updated: [data: ChildData, previous: ChildData];
  removed: [data: ChildData];
  initialized: [];
  error: [error: unknown];
};

export interface TreeCacheOptions {
  /** Deepest level cached (root = 0). Default: unlimited. */
  maxDepth?: number;
  /** 'auto' (default): persistent recursive watches when the server has them; false: one-shot watches. */
  useRecursiveWatches?: boolean | 'auto';
  /**
   * Whether the cache follows the data changes of the node at `path` (default: of every node; the root's always).
   * A node not followed is read when it appears and again by the resync after a reconnect, but a change of its data
   * costs no read and gives no `updated` event: for nodes written often whose presence is what matters, e.g.
   * members' status reports. With one-shot watches such a node has no watch of its own, so one deleted and created
   * again between two reads of its parent's children goes unseen.
   */
  followData?: (path: string) => boolean;
}

const UNIMPLEMENTED = -6;

export function depthBelow(root: string, path: string): number {
  if (path === root) return 0;
  const rest = root === '/' ? path.slice(1) : path.slice(root.length + 1);
  return rest.split('/').length;
}

export function isUnder(root: string, path: string): boolean {
  return path === root || (root === '/' ? path.startsWith('/') : path.startsWith(`${root}/`));
}

export class TreeCache extends EventEmitter<TreeCacheEvents> {
  readonly framework: Framework;
  readonly maxDepth: number;
  private readonly nodes = new Map<string, ChildData>();
  private state: 'latent' | 'started' | 'closed' = 'latent';
  private recursive = false;
  private watchedClient: ZooKeeperClient | undefined;
  private chain: Promise<void> = Promise.resolve();
  private initialized = false;
  private readonly wantRecursive: boolean | 'auto';
  private readonly followData: (path: string) => boolean;
  /** Notifications of the persistent watch. */
  private readonly persistentWatcher: Watcher = (e) => this.onPersistentEvent(e);
  /** Notifications of one-shot watches. */
  private readonly oneShotWatcher: Watcher = (e) => this.onOneShotEvent(e);
  private readonly onConnection = (s: ConnectionState) => this.connectionChanged(s);

  constructor(
    client: ClientLike,
    readonly root: string,
    options: TreeCacheOptions = {},
  ) {
    super();
    this.framework = toFramework(client);
    this.maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
    this.wantRecursive = options.useRecursiveWatches ?? 'auto';
    this.followData = options.followData ?? (() => true);
  }

  /** Loads the subtree (resolves after `initialized`) and starts watching. */
  async start(): Promise<void> {
    if (this.state !== 'latent') throw new Error('cache can only be started once');
    this.state = 'started';
    this.framework.on('connectionState', this.onConnection);
    await this.enqueue(async () => {
      await this.setupWatch();
      await this.fullSync();
    });
  }

  async close(): Promise<void> {
    if (this.state !== 'started') return;
    this.state = 'closed';
    this.framework.off('connectionState', this.onConnection);
    const client = this.watchedClient;
    if (this.recursive && client) {
      await client.removeWatches(this.root, this.persistentWatcher, this.maxDepth === 0 ? 'persistent' : 'persistentRecursive', { local: true }).catch(() => undefined);
    }
    await this.chain.catch(() => undefined);
  }

  /** Whether persistent (recursive) watches are in use. */
  get usesPersistentWatches(): boolean {
    return this.recursive;
  }

  get isInitialized(): boolean {
    return this.initialized;
  }

  getCurrentData(path: string): ChildData | undefined {
    return this.nodes.get(path);
  }

  /** The cached children of `path` by name (undefined if `path` is not cached). */
  getCurrentChildren(path: string): Map<string, ChildData> | undefined {
    if (!this.nodes.has(path)) return undefined;
    const result = new Map<string, ChildData>();
    for (const [p, d] of this.nodes) {
      if (p !== path && parentOf(p) === path) result.set(p.slice(p.lastIndexOf('/') + 1), d);
    }
    return new Map([...result].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /** Every cached node (path -> data). */
  snapshot(): Map<string, ChildData> {
    return new Map(this.nodes);
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const run = this.chain.then(async () => {
      if (this.state === 'started') await task();
    });
    this.chain = run.catch((error: unknown) => this.failed(error));
    return run;
  }

  private failed(error: unknown): void {
    if (this.state !== 'started') return;
    // connection problems are repaired by the resync after the reconnect
    if (error instanceof ZooKeeperError && (error.code === -4 || error.code === -112)) return;
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  private async setupWatch(): Promise<void> {
    const client = this.framework.client;
    this.watchedClient = client;
    if (this.wantRecursive === false) {
      this.recursive = false;
      return;
    }
    try {
      await this.framework.run((c) => c.addWatch(this.root, this.persistentWatcher, this.maxDepth === 0 ? 'persistent' : 'persistentRecursive'));
      this.recursive = true;
    } catch (error) {
      if (error instanceof ZooKeeperError && error.code === UNIMPLEMENTED && this.wantRecursive === 'auto') {
        this.recursive = false; // old server: one-shot watches
        return;
      }
      throw error;
    }
  }

  private connectionChanged(state: ConnectionState): void {
    if (this.state !== 'started') return;
    if (state === 'suspended') this.emitEvent({ type: 'connectionSuspended' });
    else if (state === 'lost') this.emitEvent({ type: 'connectionLost' });
    else if (state === 'reconnected') {
      this.emitEvent({ type: 'connectionReconnected' });
      void this.enqueue(async () => {
        if (this.framework.client !== this.watchedClient) await this.setupWatch(); // new session: watches are gone
        await this.fullSync();
      });
    }
  }

  private emitEvent(event: TreeCacheEvent, previous?: ChildData): void {
    this.emit('event', event);
    switch (event.type) {
      case 'added':
        this.emit('added', event.data!);
        break;
      case 'updated':
        this.emit('updated', event.data!, previous!);
        break;
      case 'removed':
        this.emit('removed', event.data!);
        break;
      case 'initialized':
        this.emit('initialized');
        break;
      default:
        break;
    }
  }

  private watchOpt(): { watch?: Watcher } {
    return this.recursive ? {} : { watch: this.oneShotWatcher };
  }

  /** The getData watch for `path`: none for a node whose data is not followed (its parent's children watch sees it go). */
  private dataWatchOpt(path: string): { watch?: Watcher } {
    return this.followsData(path) ? this.watchOpt() : {};
  }

  private followsData(path: string): boolean {
    return path === this.root || this.followData(path);
  }

  /** Reads the whole subtree (setting one-shot watches in that mode) and applies the difference. */
  private async fullSync(): Promise<void> {
    const fresh = new Map<string, ChildData>();
    const rootStat = await this.framework.run((c) => c.exists(this.root, this.watchOpt()));
    if (rootStat) await this.loadInto(this.root, 0, fresh);
    for (const [path, data] of fresh) this.upsert(path, data);
    const gone = [...this.nodes.keys()].filter((p) => !fresh.has(p)).sort((a, b) => b.length - a.length);
    for (const path of gone) this.removeOne(path);
    if (!this.initialized) {
      this.initialized = true;
      this.emitEvent({ type: 'initialized' });
    }
  }

  private async loadInto(path: string, depth: number, into: Map<string, ChildData>): Promise<void> {
    let node: { data: Buffer; stat: Stat };
    try {
      node = withData(await this.framework.run((c) => c.getData(path, this.dataWatchOpt(path))));
    } catch (error) {
      if (error instanceof NoNodeError) return;
      throw error;
    }
    into.set(path, { path, data: node.data, stat: node.stat });
    if (depth >= this.maxDepth) return;
    let children: string[];
    try {
      children = await this.framework.run((c) => c.getChildren(path, this.watchOpt()));
    } catch (error) {
      if (error instanceof NoNodeError) return;
      throw error;
    }
    await Promise.all(children.map((child) => this.loadInto(joinPath(path, child), depth + 1, into)));
  }

  private upsert(path: string, fresh: ChildData): void {
    const old = this.nodes.get(path);
    if (!old) {
      this.nodes.set(path, fresh);
      this.emitEvent({ type: 'added', data: fresh });
      return;
    }
    const sameNode = old.stat.czxid === fresh.stat.czxid;
    if (sameNode && fresh.stat.mzxid < old.stat.mzxid) return; // stale read
    if (sameNode && old.stat.mzxid === fresh.stat.mzxid && old.stat.version === fresh.stat.version) {
      this.nodes.set(path, fresh); // children-only change (cversion): no event
      return;
    }
    this.nodes.set(path, fresh);
    this.emitEvent({ type: 'updated', data: fresh }, old);
  }

  private removeOne(path: string): void {
    const old = this.nodes.get(path);
    if (!old) return;
    this.nodes.delete(path);
    this.emitEvent({ type: 'removed', data: old });
  }

  private removeSubtree(path: string): void {
    const doomed = [...this.nodes.keys()].filter((p) => isUnder(path, p)).sort((a, b) => b.length - a.length);
    for (const p of doomed) this.removeOne(p);
  }

  private inScope(path: string): boolean {
    return isUnder(this.root, path) && depthBelow(this.root, path) <= this.maxDepth;
  }

  /** Reads one node again (data, and in one-shot mode its children) after a notification. */
  private async refreshNode(path: string, withChildren: boolean): Promise<void> {
    let node: { data: Buffer; stat: Stat };
    try {
      node = withData(await this.framework.run((c) => c.getData(path, this.dataWatchOpt(path))));
    } catch (error) {
      if (!(error instanceof NoNodeError)) throw error;
      this.removeSubtree(path);
      if (path === this.root && !this.recursive) {
        // an exists watch to see the root come back; if it already has (created after our read), that watch will
        // not fire for it: load it now
        const stat = await this.framework.run((c) => c.exists(this.root, this.watchOpt()));
        if (stat !== null) await this.refreshNode(this.root, true);
      }
      return;
    }
    this.upsert(path, { path, data: node.data, stat: node.stat });
    if (withChildren) await this.refreshChildren(path);
  }

  /** One-shot mode: the child list of `path` changed (or must be loaded). */
  private async refreshChildren(path: string): Promise<void> {
    if (depthBelow(this.root, path) >= this.maxDepth) return;
    let children: string[];
    try {
      children = await this.framework.run((c) => c.getChildren(path, this.watchOpt()));
    } catch (error) {
      if (error instanceof NoNodeError) {
        this.removeSubtree(path);
        return;
      }
      throw error;
    }
    const names = new Set(children);
    const cached = this.getCurrentChildren(path);
    if (cached) for (const name of cached.keys()) if (!names.has(name)) this.removeSubtree(joinPath(path, name));
    for (const name of children) {
      const child = joinPath(path, name);
      if (!this.nodes.has(child)) await this.refreshNode(child, !this.recursive);
    }
  }

  private onPersistentEvent(event: WatchedEvent): void {
    if (this.state !== 'started' || !this.inScope(event.path)) return;
    switch (event.type) {
      case 'NodeDataChanged':
        if (this.followsData(event.path)) void this.enqueue(() => this.refreshNode(event.path, false));
        return;
      case 'NodeCreated':
        void this.enqueue(() => this.refreshNode(event.path, false));
        return;
      case 'NodeDeleted':
        void this.enqueue(async () => {
          // deleted, or deleted and created again: a fresh read tells
          await this.refreshNode(event.path, false);
        });
        return;
      default:
        return;
    }
  }

  private onOneShotEvent(event: WatchedEvent): void {
    if (this.state !== 'started' || this.recursive || !this.inScope(event.path)) return;
    switch (event.type) {
      case 'NodeCreated':
        void this.enqueue(() => this.refreshNode(event.path, true));
        return;
      case 'NodeDataChanged':
        void this.enqueue(() => this.refreshNode(event.path, false));
        return;
      case 'NodeChildrenChanged':
        void this.enqueue(() => this.refreshChildren(event.path));
        return;
      case 'NodeDeleted':
        void this.enqueue(() => this.refreshNode(event.path, true));
        return;
      default:
        return;
    }
  }
}

/** Caches hold a buffer for every node: a node created without data reads as empty. */
function withData(r: { data: Buffer | null; stat: Stat }): { data: Buffer; stat: Stat } {
  return { data: r.data ?? Buffer.alloc(0), stat: r.stat };
}
