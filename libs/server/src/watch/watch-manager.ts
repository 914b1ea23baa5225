import type { WatchTrigger } from '@paddock/data-tree';
import { EventType, WatcherType } from '@paddock/protocol';

export type WatchKind = 'data' | 'child' | 'persistent' | 'recursive';

/** ZooKeeper's WatcherMode: STANDARD (one-shot), PERSISTENT, PERSISTENT_RECURSIVE. */
const enum Mode {
  Standard = 0,
  Persistent = 1,
  Recursive = 2,
}

/**
 * One of ZooKeeper 3.8's two WatchManagers (data, child), with its quirks kept:
 * - a watcher has a single mode per path: the last registration wins, so a getData watch on a path that
 *   already holds a persistent watch turns it back into a one-shot one, and addWatch turns a one-shot
 *   watch into a persistent one (3.9 keeps them apart, ZOOKEEPER-4466);
 * - `contains` answers for the path, not the watcher: any watcher on the path counts (3.8 containsWatcher);
 * - parents are only walked (for recursive watches) while the manager holds at least one recursive watch.
 */
class SingleManager<W> {
  /** path -> watchers (watchTable) */
  readonly table = new Map<string, Set<W>>();
  /** watcher -> paths (watch2Paths) */
  readonly byWatcher = new Map<W, Set<string>>();
  /** non-standard modes only (WatcherModeManager) */
  private readonly modes = new Map<W, Map<string, Mode>>();
  private recursiveQty = 0;

  add(path: string, w: W, mode: Mode): void {
    let set = this.table.get(path);
    if (!set) this.table.set(path, (set = new Set()));
    set.add(w);
    let paths = this.byWatcher.get(w);
    if (!paths) this.byWatcher.set(w, (paths = new Set()));
    paths.add(path);
    this.setMode(w, path, mode);
  }

  private modeOf(w: W, path: string): Mode {
    return this.modes.get(w)?.get(path) ?? Mode.Standard;
  }

  private setMode(w: W, path: string, mode: Mode): void {
    const old = this.modeOf(w, path);
    if (mode === Mode.Standard) {
      const m = this.modes.get(w);
      if (m) {
        m.delete(path);
        if (m.size === 0) this.modes.delete(w);
      }
    } else {
      let m = this.modes.get(w);
      if (!m) this.modes.set(w, (m = new Map()));
      m.set(path, mode);
    }
    if ((old === Mode.Recursive) !== (mode === Mode.Recursive)) this.recursiveQty += mode === Mode.Recursive ? 1 : -1;
  }

  /** The path, then (only while recursive watches exist) its ancestors up to "/". */
  private *pathAndParents(path: string): Generator<[string, boolean]> {
    if (path === '') return;
    yield [path, false];
    if (this.recursiveQty === 0) return;
    for (let p = parentOf(path); p !== null; p = parentOf(p)) yield [p, true];
  }

  /** WatchManager.triggerWatch: adds the woken watchers to `out`, consuming one-shot watches. */
  trigger(path: string, type: number, out: Set<W>): void {
    if (path === '') return;
    this.triggerAt(path, false, type, out);
    if (this.recursiveQty === 0) return;
    for (let p = parentOf(path); p !== null; p = parentOf(p)) this.triggerAt(p, true, type, out);
  }

  private triggerAt(local: string, atParent: boolean, type: number, out: Set<W>): void {
    const set = this.table.get(local);
    if (!set) return;
    if (this.modes.size === 0) {
      // only one-shot watches anywhere (the common case): every watcher of the path fires and is consumed
      if (atParent) return;
      for (const w of set) {
        out.add(w);
        this.byWatcher.get(w)?.delete(local);
      }
      this.table.delete(local);
      return;
    }
    for (const w of set) {
      const mode = this.modeOf(w, local);
      if (mode === Mode.Recursive) {
        if (type !== EventType.NodeChildrenChanged) out.add(w);
      } else if (!atParent) {
        out.add(w);
        if (mode === Mode.Standard) {
          set.delete(w);
          this.byWatcher.get(w)?.delete(local);
        }
      }
    }
    if (set.size === 0) this.table.delete(local);
  }

  /** WatchManager.containsWatcher as in 3.8: true when any watcher watches `path` (the watcher is not looked at). */
  contains(path: string, w: W): boolean {
    const recursive = this.modeOf(w, path) === Mode.Recursive;
    for (const [local, atParent] of this.pathAndParents(path)) {
      if (!atParent && this.table.has(local)) return true;
      if (recursive) return true;
    }
    return false;
  }

  /** WatchManager.removeWatcher(path, watcher). */
  remove(path: string, w: W): boolean {
    const paths = this.byWatcher.get(w);
    if (!paths || !paths.delete(path)) return false;
    const set = this.table.get(path);
    if (!set || !set.delete(w)) return false;
    if (set.size === 0) this.table.delete(path);
    this.setMode(w, path, Mode.Standard);
    return true;
  }

  removeWatcher(w: W): void {
    const paths = this.byWatcher.get(w);
    if (!paths) return;
    this.byWatcher.delete(w);
    for (const p of paths) {
      const set = this.table.get(p);
      if (set) {
        set.delete(w);
        if (set.size === 0) this.table.delete(p);
      }
      this.setMode(w, p, Mode.Standard);
    }
  }

  get size(): number {
    let n = 0;
    for (const set of this.table.values()) n += set.size;
    return n;
  }
}

/**
 * Server-side watch registry, keyed by watcher (one per client connection), as ZooKeeper 3.8's DataTree
 * pair of WatchManagers: getData/exists register in the data manager, getChildren in the child manager,
 * addWatch (persistent or recursive) and setWatches2's persistent lists in both. One event per watcher per
 * trigger.
 */
export class WatchManager<W> {
  private readonly data = new SingleManager<W>();
  private readonly child = new SingleManager<W>();

  add(kind: WatchKind, path: string, watcher: W): void {
    switch (kind) {
      case 'data':
        this.data.add(path, watcher, Mode.Standard);
        return;
      case 'child':
        this.child.add(path, watcher, Mode.Standard);
        return;
      case 'persistent':
      case 'recursive': {
        const mode = kind === 'persistent' ? Mode.Persistent : Mode.Recursive;
        this.data.add(path, watcher, mode);
        this.child.add(path, watcher, mode);
        return;
      }
    }
  }

  /**
   * Watchers woken by one trigger (deduplicated); one-shot watches are consumed. As DataTree: creates and
   * data changes go to the data manager, NodeChildrenChanged to the child manager, NodeDeleted to both.
   */
  trigger(t: WatchTrigger, out: Set<W> = new Set()): Set<W> {
    const { type, path } = t;
    if (type === EventType.NodeChildrenChanged) {
      this.child.trigger(path, type, out);
      return out;
    }
    this.data.trigger(path, type, out);
    if (type === EventType.NodeDeleted) this.child.trigger(path, type, out);
    return out;
  }

  /** WatcherType values ZooKeeper 3.8 knows (Children, Data, Any); others fail to convert (MarshallingError). */
  static isValidType(watcherType: number): boolean {
    return watcherType === WatcherType.Children || watcherType === WatcherType.Data || watcherType === WatcherType.Any;
  }

  /** checkWatches (DataTree.containsWatcher, 3.8 semantics: see SingleManager.contains). */
  contains(path: string, watcherType: number, watcher: W): boolean {
    switch (watcherType) {
      case WatcherType.Children:
        return this.child.contains(path, watcher);
      case WatcherType.Data:
        return this.data.contains(path, watcher);
      case WatcherType.Any:
        return this.child.contains(path, watcher) || this.data.contains(path, watcher);
      default:
        return false;
    }
  }

  /** removeWatches (DataTree.removeWatch): true if anything was removed. */
  remove(path: string, watcherType: number, watcher: W): boolean {
    switch (watcherType) {
      case WatcherType.Children:
        return this.child.remove(path, watcher);
      case WatcherType.Data:
        return this.data.remove(path, watcher);
      case WatcherType.Any: {
        const c = this.child.remove(path, watcher);
        const d = this.data.remove(path, watcher);
        return c || d;
      }
      default:
        return false;
    }
  }

  /** Drops every watch of a closed connection. */
  removeWatcher(watcher: W): void {
    this.data.removeWatcher(watcher);
    this.child.removeWatcher(watcher);
  }

  /** All watches, data and child manager together (mntr watch_count: DataTree.getWatchCount). */
  get watchCount(): number {
    return this.data.size + this.child.size;
  }

  /** Watches of the data manager only (wchs "Total watches", as ZooKeeper 3.8 reports it). */
  get dataWatchCount(): number {
    let n = 0;
    for (const paths of this.data.byWatcher.values()) n += paths.size;
    return n;
  }

  /** Paths in the data manager (wchs). */
  get watchedPathCount(): number {
    return this.data.table.size;
  }

  /** Connections known to the data manager (wchs). */
  get watcherCount(): number {
    return this.data.byWatcher.size;
  }

  /** path -> watchers of the data manager, for wchp (ZooKeeper 3.8 dumps the data manager only). */
  watchersByPath(): Map<string, Set<W>> {
    const out = new Map<string, Set<W>>();
    for (const [p, set] of this.data.table) out.set(p, new Set(set));
    return out;
  }

  /** watcher -> paths of the data manager, for wchc. */
  pathsByWatcher(): Map<W, Set<string>> {
    const out = new Map<W, Set<string>>();
    for (const [w, paths] of this.data.byWatcher) out.set(w, new Set(paths));
    return out;
  }
}

export function parentOf(path: string): string | null {
  if (path === '/' || path === '') return null;
  const i = path.lastIndexOf('/');
  if (i < 0) return null;
  return i === 0 ? '/' : path.slice(0, i);
}

export type { WatchTrigger };
