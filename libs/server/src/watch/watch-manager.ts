import { EventType, WatcherType } from '@paddock/protocol';

/** What a txn's apply reports; the manager maps it to the watchers it wakes. */
export interface WatchTrigger {
  type: number;
  path: string;
}

/**
 * ZooKeeper keeps two managers, data and child; a persistent watch sits in both (and removing it
 * from one leaves it in the other), a recursive one only in the data manager. Kinds mirror that.
 */
type Kind = 'data' | 'child' | 'persistentData' | 'persistentChild' | 'recursive';
export type WatchKind = 'data' | 'child' | 'persistent' | 'recursive';
const KINDS: readonly Kind[] = ['data', 'child', 'persistentData', 'persistentChild', 'recursive'];
const DATA_MANAGER: readonly Kind[] = ['data', 'persistentData', 'recursive'];
const CHILD_MANAGER: readonly Kind[] = ['child', 'persistentChild'];

/**
 * Server-side watch registry, keyed by watcher (one per client connection), as ZooKeeper's
 * WatchManager pair: data watches (getData/exists), child watches, persistent and persistent-recursive
 * watches. One-shot watches are removed when they fire; one event per watcher per trigger.
 */
export class WatchManager<W> {
  private readonly byPath: Record<Kind, Map<string, Set<W>>> = {
    data: new Map(),
    child: new Map(),
    persistentData: new Map(),
    persistentChild: new Map(),
    recursive: new Map(),
  };
  private readonly byWatcher = new Map<W, Record<Kind, Set<string>>>();

  add(kind: WatchKind, path: string, watcher: W): void {
    if (kind === 'persistent') {
      this.addKind('persistentData', path, watcher);
      this.addKind('persistentChild', path, watcher);
    } else {
      this.addKind(kind, path, watcher);
    }
  }

  private addKind(kind: Kind, path: string, watcher: W): void {
    let set = this.byPath[kind].get(path);
    if (!set) this.byPath[kind].set(path, (set = new Set()));
    set.add(watcher);
    let mine = this.byWatcher.get(watcher);
    if (!mine) this.byWatcher.set(watcher, (mine = { data: new Set(), child: new Set(), persistentData: new Set(), persistentChild: new Set(), recursive: new Set() }));
    mine[kind].add(path);
  }

  /** Watchers woken by one trigger (deduplicated); one-shot watches are consumed. */
  trigger(t: WatchTrigger, out: Set<W> = new Set()): Set<W> {
    const { type, path } = t;
    if (type === EventType.NodeChildrenChanged) {
      this.fire('child', path, out, true);
      this.fire('persistentChild', path, out, false);
      return out;
    }
    this.fire('data', path, out, true);
    if (type === EventType.NodeDeleted) {
      this.fire('child', path, out, true);
      this.fire('persistentChild', path, out, false);
    }
    this.fire('persistentData', path, out, false);
    if (this.byPath.recursive.size > 0) {
      for (let p: string | null = path; p !== null; p = parentOf(p)) this.fire('recursive', p, out, false);
    }
    return out;
  }

  private fire(kind: Kind, path: string, out: Set<W>, oneShot: boolean): void {
    const set = this.byPath[kind].get(path);
    if (!set) return;
    for (const w of set) {
      out.add(w);
      if (oneShot) this.byWatcher.get(w)?.[kind].delete(path);
    }
    if (oneShot) this.byPath[kind].delete(path);
  }

  private removeOne(kind: Kind, path: string, watcher: W): boolean {
    const set = this.byPath[kind].get(path);
    if (!set || !set.delete(watcher)) return false;
    if (set.size === 0) this.byPath[kind].delete(path);
    this.byWatcher.get(watcher)?.[kind].delete(path);
    return true;
  }

  /** The watches a checkWatches/removeWatches type addresses (ZooKeeper 3.8: a whole manager, any mode). */
  private kindsFor(watcherType: number): readonly Kind[] {
    switch (watcherType) {
      case WatcherType.Children:
        return CHILD_MANAGER;
      case WatcherType.Data:
        return DATA_MANAGER;
      case WatcherType.Any:
        return KINDS;
      case WatcherType.Persistent:
        return ['persistentData', 'persistentChild'];
      case WatcherType.PersistentRecursive:
        return ['recursive'];
      default:
        return [];
    }
  }

  /** checkWatches: does `watcher` hold a watch of this type on path? */
  contains(path: string, watcherType: number, watcher: W): boolean {
    return this.kindsFor(watcherType).some((k) => this.byPath[k].get(path)?.has(watcher) ?? false);
  }

  /** removeWatches: true if anything was removed. */
  remove(path: string, watcherType: number, watcher: W): boolean {
    let removed = false;
    for (const k of this.kindsFor(watcherType)) removed = this.removeOne(k, path, watcher) || removed;
    return removed;
  }

  /** Drops every watch of a closed connection. */
  removeWatcher(watcher: W): void {
    const mine = this.byWatcher.get(watcher);
    if (!mine) return;
    for (const k of KINDS) {
      for (const path of mine[k]) {
        const set = this.byPath[k].get(path);
        if (set && set.delete(watcher) && set.size === 0) this.byPath[k].delete(path);
      }
    }
    this.byWatcher.delete(watcher);
  }

  /** Paths watched by one watcher, per kind (for SetWatches hand-over and wchc). */
  pathsOf(watcher: W): Record<Kind, ReadonlySet<string>> | undefined {
    return this.byWatcher.get(watcher);
  }

  /** Total watches, counted as ZooKeeper's wchs does (each (path, watcher) pair per manager). */
  get watchCount(): number {
    let n = 0;
    for (const k of KINDS) for (const set of this.byPath[k].values()) n += set.size;
    return n;
  }

  get watchedPathCount(): number {
    const paths = new Set<string>();
    for (const k of KINDS) for (const p of this.byPath[k].keys()) paths.add(p);
    return paths.size;
  }

  get watcherCount(): number {
    return this.byWatcher.size;
  }

  /** path -> watchers, for wchp. */
  watchersByPath(): Map<string, Set<W>> {
    const out = new Map<string, Set<W>>();
    for (const k of KINDS) {
      for (const [p, set] of this.byPath[k]) {
        let s = out.get(p);
        if (!s) out.set(p, (s = new Set()));
        for (const w of set) s.add(w);
      }
    }
    return out;
  }

  /** watcher -> paths, for wchc. */
  pathsByWatcher(): Map<W, Set<string>> {
    const out = new Map<W, Set<string>>();
    for (const [w, mine] of this.byWatcher) {
      const s = new Set<string>();
      for (const k of KINDS) for (const p of mine[k]) s.add(p);
      if (s.size > 0) out.set(w, s);
    }
    return out;
  }
}

export function parentOf(path: string): string | null {
  if (path === '/') return null;
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}
