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
    // persistent and recursive watches are held by both the data and the child manager, as in ZooKeeper 3.8
    expect(m.watchCount).toBe(4);
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
    expect(m.watchCount).toBe(2);
    expect([...m.pathsByWatcher().keys()]).toEqual(['c2']);
  });

  it('a watcher has one mode per path and manager: the last registration wins (ZooKeeper 3.8)', () => {
    const m = new WatchManager<string>();
    m.add('persistent', '/a', 'c1');
    m.add('data', '/a', 'c1'); // back to one-shot in the data manager
    expect(fired(m, EventType.NodeDataChanged, '/a')).toEqual(['c1']);
    expect(fired(m, EventType.NodeDataChanged, '/a')).toEqual([]);
    // the child manager still holds the persistent half
    expect(fired(m, EventType.NodeChildrenChanged, '/a')).toEqual(['c1']);
    expect(fired(m, EventType.NodeChildrenChanged, '/a')).toEqual(['c1']);
    m.add('child', '/b', 'c2');
    m.add('persistent', '/b', 'c2'); // one-shot upgraded to persistent
    expect(fired(m, EventType.NodeChildrenChanged, '/b')).toEqual(['c2']);
    expect(fired(m, EventType.NodeChildrenChanged, '/b')).toEqual(['c2']);
  });

  it('checkWatches answers for the path, whoever holds the watch (ZooKeeper 3.8 containsWatcher)', () => {
    const m = new WatchManager<string>();
    m.add('data', '/a', 'other');
    expect(m.contains('/a', WatcherType.Data, 'me')).toBe(true);
    expect(m.contains('/a', WatcherType.Children, 'me')).toBe(false);
    expect(m.remove('/a', WatcherType.Data, 'me')).toBe(false);
    // a recursive watch on a parent does not make the child path watched
    m.add('recursive', '/r', 'me');
    expect(m.contains('/r/x', WatcherType.Data, 'me')).toBe(false);
    expect(m.contains('', WatcherType.Any, 'me')).toBe(false);
  });

  it('recursive watches: descendants fire, one-shot watches on parents do not', () => {
    const m = new WatchManager<string>();
    m.add('recursive', '/r', 'rec');
    m.add('data', '/r', 'one');
    expect(fired(m, EventType.NodeCreated, '/r/x/y')).toEqual(['rec']);
    expect(fired(m, EventType.NodeChildrenChanged, '/r')).toEqual([]);
    expect(fired(m, EventType.NodeDeleted, '/r')).toEqual(['one', 'rec']);
  });

  it('wchs/wchc/wchp views cover the data manager only, as ZooKeeper 3.8 dumps them', () => {
    const m = new WatchManager<string>();
    m.add('data', '/a', 'c1');
    m.add('child', '/b', 'c2');
    expect(m.watcherCount).toBe(1);
    expect(m.watchedPathCount).toBe(1);
    expect(m.dataWatchCount).toBe(1);
    expect(m.watchCount).toBe(2);
    expect([...m.watchersByPath().keys()]).toEqual(['/a']);
  });
});
