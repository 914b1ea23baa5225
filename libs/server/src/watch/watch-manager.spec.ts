import { describe, expect, it } from '@jest/globals';
import { EventType, WatcherType } from '@paddock/protocol';
import { WatchManager } from './watch-manager.js';

const fired = (m: WatchManager<string>, type: number, path: string) => [...m.trigger({ type, path })].sort();

describe('WatchManager', () => {
  it('one-shot data watches fire once on create, change and delete', () => {
    const m = new WatchManager<string>();
    m.add('data', '/a', 'c1');
    expect(fired(m, EventType.NodeDataChanged, '/a')).toEqual(['c1']);
    expect(fired(m, EventType.NodeDataChanged, '/a')).toEqual([]);
    expect(m.watchCount).toBe(0);
  });

  it('delete wakes data and child watches once per watcher', () => {
    const m = new WatchManager<string>();
    m.add('data', '/a', 'c1');
    m.add('child', '/a', 'c1');
    m.add('child', '/a', 'c2');
    expect(fired(m, EventType.NodeDeleted, '/a')).toEqual(['c1', 'c2']);
    expect(m.watchCount).toBe(0);
  });

  it('child watches see only NodeChildrenChanged and NodeDeleted', () => {
    const m = new WatchManager<string>();
    m.add('child', '/a', 'c1');
    expect(fired(m, EventType.NodeDataChanged, '/a')).toEqual([]);
    expect(fired(m, EventType.NodeChildrenChanged, '/a')).toEqual(['c1']);
  });

  it('persistent watches stay and see children changes; recursive ones see descendants but never children changes', () => {
    const m = new WatchManager<string>();
    m.add('persistent', '/a', 'p');
    m.add('recursive', '/a', 'r');
    expect(fired(m, EventType.NodeChildrenChanged, '/a')).toEqual(['p']);
    expect(fired(m, EventType.NodeCreated, '/a/b/c')).toEqual(['r']);
    expect(fired(m, EventType.NodeDataChanged, '/a')).toEqual(['p', 'r']);
    expect(fired(m, EventType.NodeDeleted, '/a')).toEqual(['p', 'r']);
    // a persistent watch is held by both the data and the child manager, as in ZooKeeper
    expect(m.watchCount).toBe(3);
  });

  it('removing a persistent watch through one manager leaves the other half (ZooKeeper 3.8)', () => {
    const m = new WatchManager<string>();
    m.add('persistent', '/a', 'p');
    expect(m.remove('/a', WatcherType.Children, 'p')).toBe(true);
    expect(fired(m, EventType.NodeChildrenChanged, '/a')).toEqual([]);
    expect(fired(m, EventType.NodeDataChanged, '/a')).toEqual(['p']);
    expect(m.contains('/a', WatcherType.Data, 'p')).toBe(true);
    expect(m.remove('/a', WatcherType.Data, 'p')).toBe(true);
    expect(m.watchCount).toBe(0);
  });

  it('removes by type and by watcher', () => {
    const m = new WatchManager<string>();
    m.add('data', '/a', 'c1');
    m.add('child', '/a', 'c1');
    m.add('recursive', '/', 'c2');
    expect(m.contains('/a', WatcherType.Children, 'c1')).toBe(true);
    expect(m.remove('/a', WatcherType.Children, 'c1')).toBe(true);
    expect(m.remove('/a', WatcherType.Children, 'c1')).toBe(false);
    expect(m.contains('/a', WatcherType.Any, 'c1')).toBe(true);
    m.removeWatcher('c1');
    expect(m.contains('/a', WatcherType.Any, 'c1')).toBe(false);
    expect(m.watchCount).toBe(1);
    expect([...m.pathsByWatcher().keys()]).toEqual(['c2']);
  });
});
