import { describe, expect, it } from '@jest/globals';
import { EventType } from '@paddock/protocol';
import type { Watcher } from './types.js';
import { WatchManager } from './watch-manager.js';

const w = (): Watcher => () => undefined;

describe('WatchManager', () => {
  it('one-shot watches fire once and are removed', () => {
    const m = new WatchManager();
    const a = w();
    m.add('data', '/x', a);
    expect([...m.materialize(EventType.NodeDataChanged, '/x')]).toEqual([a]);
    expect(m.materialize(EventType.NodeDataChanged, '/x').size).toBe(0);
    expect(m.isEmpty()).toBe(true);
  });

  it('one event per watcher even when registered by several calls', () => {
    const m = new WatchManager();
    const a = w();
    m.add('data', '/x', a);
    m.add('data', '/x', a);
    m.add('exist', '/x', a);
    expect(m.materialize(EventType.NodeCreated, '/x').size).toBe(1);
  });

  it('routes event types like ZKWatchManager', () => {
    const m = new WatchManager();
    const [d, e, c] = [w(), w(), w()];
    m.add('data', '/x', d);
    m.add('exist', '/y', e);
    m.add('child', '/x', c);
    expect([...m.materialize(EventType.NodeChildrenChanged, '/x')]).toEqual([c]);
    expect([...m.materialize(EventType.NodeCreated, '/y')]).toEqual([e]);
    m.add('child', '/x', c);
    expect(new Set(m.materialize(EventType.NodeDeleted, '/x'))).toEqual(new Set([d, c]));
    expect(m.isEmpty()).toBe(true);
  });

  it('persistent watches stay; recursive ones see descendants but not child-list changes', () => {
    const m = new WatchManager();
    const [p, r] = [w(), w()];
    m.add('persistent', '/a', p);
    m.add('persistentRecursive', '/a', r);
    expect(new Set(m.materialize(EventType.NodeDataChanged, '/a'))).toEqual(new Set([p, r]));
    expect([...m.materialize(EventType.NodeCreated, '/a/b/c')]).toEqual([r]);
    expect([...m.materialize(EventType.NodeChildrenChanged, '/a')]).toEqual([p]);
    expect(m.materialize(EventType.NodeChildrenChanged, '/a/b').size).toBe(0);
    expect(m.snapshot()).toEqual({ data: [], exist: [], child: [], persistent: ['/a'], persistentRecursive: ['/a'] });
  });

  it('a root recursive watch sees everything', () => {
    const m = new WatchManager();
    const r = w();
    m.add('persistentRecursive', '/', r);
    expect(m.materialize(EventType.NodeDeleted, '/q/r').has(r)).toBe(true);
  });

  it('removes by kind and watcher and reports the removal events', () => {
    const m = new WatchManager();
    const [a, b] = [w(), w()];
    m.add('data', '/x', a);
    m.add('exist', '/x', b);
    m.add('child', '/x', a);
    expect(m.contains('/x', 'data', b)).toBe(true);
    expect(m.removalPlan('/x', 'data', b)).toEqual({ op: 'check', wireKind: 'data' });
    expect(m.remove('/x', 'data', b)).toEqual([{ watcher: b, eventType: EventType.DataWatchRemoved }]);
    expect(m.contains('/x', 'data', b)).toBe(false);
    expect(m.removalPlan('/x', 'data', a)).toEqual({ op: 'remove', wireKind: 'data' });
    expect(m.removalPlan('/x', 'any', a)).toEqual({ op: 'remove', wireKind: 'any' });
    const removed = m.remove('/x', 'any');
    expect(removed).toEqual(
      expect.arrayContaining([
        { watcher: a, eventType: EventType.ChildWatchRemoved },
        { watcher: a, eventType: EventType.DataWatchRemoved },
      ]),
    );
    expect(removed).toHaveLength(2);
    expect(m.isEmpty()).toBe(true);
    expect(m.remove('/x', 'any')).toEqual([]);
  });

  it('collects all watchers once and clears', () => {
    const m = new WatchManager();
    const a = w();
    m.add('data', '/x', a);
    m.add('persistent', '/y', a);
    expect(m.all().size).toBe(1);
    m.clear();
    expect(m.isEmpty()).toBe(true);
  });

  it('plans removals a 3.8 server understands (persistent watches as Any, never removing what others need)', () => {
    const m = new WatchManager();
    const [a, b] = [w(), w()];
    m.add('persistent', '/p', a);
    expect(m.removalPlan('/p', 'persistent', a)).toEqual({ op: 'remove', wireKind: 'any' });
    m.add('data', '/p', b);
    expect(m.removalPlan('/p', 'persistent', a)).toEqual({ op: 'local', wireKind: 'any' });
    // removing the data watch must not drop the persistent watch, which the server keeps in its data table
    expect(m.removalPlan('/p', 'data', b)).toEqual({ op: 'check', wireKind: 'data' });
    m.add('child', '/c', a);
    m.add('data', '/c', b);
    expect(m.removalPlan('/c', 'children')).toEqual({ op: 'remove', wireKind: 'children' });
    expect(m.removalPlan('/c', 'any', a)).toEqual({ op: 'check', wireKind: 'any' });
    expect([...m.remainingAfter('/c', 'any', a)]).toEqual(['data']);
  });
});
