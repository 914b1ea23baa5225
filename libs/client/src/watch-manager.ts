/**
 * Client-side watch bookkeeping (ZKWatchManager): which watchers wait on which client path, which of them a
 * server notification triggers (and removes, for one-shot watches), what to re-register with SetWatches after a
 * reconnect, and local removal for removeWatches.
 *
 * Watchers are kept in Sets, so a watcher registered twice on a path (or by getData and exists on the same
 * path) is called once per event, as in Java.
 */
import { EventType } from '@paddock/protocol';
import { selfAndAncestors } from './paths.js';
import type { Watcher, WatcherKind } from './types.js';

export type WatchRegistrationKind = 'data' | 'exist' | 'child' | 'persistent' | 'persistentRecursive';

export interface WatchSnapshot {
  data: string[];
  exist: string[];
  child: string[];
  persistent: string[];
  persistentRecursive: string[];
}

type WatchMap = Map<string, Set<Watcher>>;

function addTo(result: Set<Watcher>, watchers: Set<Watcher> | undefined): void {
  if (watchers) for (const w of watchers) result.add(w);
}

export class WatchManager {
  readonly data: WatchMap = new Map();
  readonly exist: WatchMap = new Map();
  readonly child: WatchMap = new Map();
  readonly persistent: WatchMap = new Map();
  readonly persistentRecursive: WatchMap = new Map();

  private map(kind: WatchRegistrationKind): WatchMap {
    return this[kind];
  }

  add(kind: WatchRegistrationKind, path: string, watcher: Watcher): void {
    const map = this.map(kind);
    let set = map.get(path);
    if (!set) map.set(path, (set = new Set()));
    set.add(watcher);
  }

  /**
   * The watchers a server notification (NodeCreated..NodeChildrenChanged) for `path` triggers. One-shot
   * watches that fire are removed; persistent ones stay.
   * - NodeCreated / NodeDataChanged: data and exist watches on the path.
   * - NodeChildrenChanged: child watches on the path.
   * - NodeDeleted: data, exist and child watches on the path.
   * - all of them: persistent watches on the path; persistent recursive watches on the path or an ancestor,
   *   except for NodeChildrenChanged (recursive watches are not told about child lists).
   */
  materialize(eventType: number, path: string): Set<Watcher> {
    const result = new Set<Watcher>();
    const take = (map: WatchMap) => {
      addTo(result, map.get(path));
      map.delete(path);
    };
    switch (eventType) {
      case EventType.NodeCreated:
      case EventType.NodeDataChanged:
        take(this.data);
        take(this.exist);
        break;
      case EventType.NodeChildrenChanged:
        take(this.child);
        break;
      case EventType.NodeDeleted:
        take(this.data);
        take(this.exist);
        take(this.child);
        break;
      default:
        return result;
    }
    addTo(result, this.persistent.get(path));
    if (eventType !== EventType.NodeChildrenChanged) {
      for (const p of selfAndAncestors(path)) addTo(result, this.persistentRecursive.get(p));
    }
    return result;
  }

  isEmpty(): boolean {
    return (
      this.data.size === 0 && this.exist.size === 0 && this.child.size === 0 && this.persistent.size === 0 && this.persistentRecursive.size === 0
    );
  }

  /** The paths to re-register after a reconnect (SetWatches / SetWatches2). */
  snapshot(): WatchSnapshot {
    return {
      data: [...this.data.keys()],
      exist: [...this.exist.keys()],
      child: [...this.child.keys()],
      persistent: [...this.persistent.keys()],
      persistentRecursive: [...this.persistentRecursive.keys()],
    };
  }

  /** Every watcher, once (session-level notifications such as expiry). */
  all(): Set<Watcher> {
    const result = new Set<Watcher>();
    for (const map of [this.data, this.exist, this.child, this.persistent, this.persistentRecursive]) {
      for (const set of map.values()) addTo(result, set);
    }
    return result;
  }

  clear(): void {
    for (const map of [this.data, this.exist, this.child, this.persistent, this.persistentRecursive]) map.clear();
  }

  private mapsFor(kind: WatcherKind): Array<[WatchMap, number]> {
    switch (kind) {
      case 'children':
        return [[this.child, EventType.ChildWatchRemoved]];
      case 'data':
        return [
          [this.data, EventType.DataWatchRemoved],
          [this.exist, EventType.DataWatchRemoved],
        ];
      case 'persistent':
        return [[this.persistent, EventType.PersistentWatchRemoved]];
      case 'persistentRecursive':
        return [[this.persistentRecursive, EventType.PersistentWatchRemoved]];
      case 'any':
        return [...this.mapsFor('children'), ...this.mapsFor('data'), ...this.mapsFor('persistent'), ...this.mapsFor('persistentRecursive')];
    }
  }

  /** Whether a watch of `kind` (by `watcher`, or by anyone when undefined) is registered on `path`. */
  contains(path: string, kind: WatcherKind, watcher?: Watcher): boolean {
    for (const [map] of this.mapsFor(kind)) {
      const set = map.get(path);
      if (set && (watcher === undefined ? set.size > 0 : set.has(watcher))) return true;
    }
    return false;
  }

  /** The registration kinds that would still hold a watcher on `path` after removing `watcher`'s (or all) `kind` watches. */
  remainingAfter(path: string, kind: WatcherKind, watcher?: Watcher): Set<WatchRegistrationKind> {
    const removedMaps = new Set(this.mapsFor(kind).map(([m]) => m));
    const left = new Set<WatchRegistrationKind>();
    for (const k of ['data', 'exist', 'child', 'persistent', 'persistentRecursive'] as const) {
      const set = this[k].get(path);
      if (!set || set.size === 0) continue;
      if (!removedMaps.has(this[k])) left.add(k);
      else if (watcher !== undefined && [...set].some((w) => w !== watcher)) left.add(k);
    }
    return left;
  }

  /**
   * How to tell the server about a removal, given that ZooKeeper 3.8 servers know only the watcher types
   * Children, Data and Any (persistent types came with 3.9) and keep persistent watches in both their data and
   * child watch tables:
   * - `remove` with `wireKind`: the server-side watch can go (no other local watcher still needs it);
   * - `check`: other local watchers still need it, so only ask whether it exists (checkWatches);
   * - `local`: nothing to ask the server (a persistent watch that other local watches on the path share).
   */
  removalPlan(path: string, kind: WatcherKind, watcher?: Watcher): { op: 'remove' | 'check' | 'local'; wireKind: WatcherKind } {
    const left = this.remainingAfter(path, kind, watcher);
    const persistentLeft = left.has('persistent') || left.has('persistentRecursive');
    switch (kind) {
      case 'data':
        return { op: left.has('data') || left.has('exist') || persistentLeft ? 'check' : 'remove', wireKind: 'data' };
      case 'children':
        return { op: left.has('child') || persistentLeft ? 'check' : 'remove', wireKind: 'children' };
      case 'any':
        return { op: left.size > 0 ? 'check' : 'remove', wireKind: 'any' };
      default:
        return { op: left.size > 0 ? 'local' : 'remove', wireKind: 'any' };
    }
  }

  /**
   * Removes watches of `kind` on `path` (only `watcher`'s when given). Returns the removal events to deliver:
   * each removed watcher with DataWatchRemoved / ChildWatchRemoved / PersistentWatchRemoved (once per type).
   */
  remove(path: string, kind: WatcherKind, watcher?: Watcher): Array<{ watcher: Watcher; eventType: number }> {
    const byType = new Map<number, Set<Watcher>>();
    for (const [map, eventType] of this.mapsFor(kind)) {
      const set = map.get(path);
      if (!set) continue;
      let removed = byType.get(eventType);
      if (!removed) byType.set(eventType, (removed = new Set()));
      if (watcher === undefined) {
        addTo(removed, set);
        map.delete(path);
      } else if (set.delete(watcher)) {
        removed.add(watcher);
        if (set.size === 0) map.delete(path);
      }
    }
    const out: Array<{ watcher: Watcher; eventType: number }> = [];
    for (const [eventType, set] of byType) for (const w of set) out.push({ watcher: w, eventType });
    return out;
  }
}
