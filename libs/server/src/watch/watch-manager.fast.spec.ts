import { describe, it, expect } from '@jest/globals';
import { EventType } from '@paddock/protocol';
import { WatchManager } from './watch-manager.js';

describe('WatchManager one-shot fast path', () => {
  it('fires every one-shot watcher once, consumes the watches and keeps other paths', () => {
    const m = new WatchManager<string>();
    for (const w of ['a', 'b', 'c']) m.add('data', '/x', w);
    m.add('data', '/y', 'a');
    const woken = m.trigger({ type: EventType.NodeDataChanged, path: '/x' });
    expect([...woken].sort()).toEqual(['a', 'b', 'c']);
    expect(m.trigger({ type: EventType.NodeDataChanged, path: '/x' }).size).toBe(0);
    expect(m.watchCount).toBe(1);
    expect(m.dataWatchCount).toBe(1);
    expect([...m.trigger({ type: EventType.NodeDataChanged, path: '/y' })]).toEqual(['a']);
  });

  it('still honours persistent and recursive watches next to one-shot ones', () => {
    const m = new WatchManager<string>();
    m.add('data', '/p/q', 'one');
    m.add('persistent', '/p/q', 'keep');
    m.add('recursive', '/p', 'tree');
    expect([...m.trigger({ type: EventType.NodeDataChanged, path: '/p/q' })].sort()).toEqual(['keep', 'one', 'tree']);
    expect([...m.trigger({ type: EventType.NodeDataChanged, path: '/p/q' })].sort()).toEqual(['keep', 'tree']);
  });
});
