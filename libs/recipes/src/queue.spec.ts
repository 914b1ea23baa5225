import { describe, expect, it } from '@jest/globals';
import { decodePriority, encodePriority, queueOrder } from './queue.js';
import { RandomStrategy, RoundRobinStrategy, StickyStrategy, newServiceInstance } from './service-discovery.js';
import { depthBelow, isUnder } from './tree-cache.js';

describe('queue ordering', () => {
  it('FIFO by sequence', () => {
    expect(queueOrder(['queue-0000000010', 'queue-0000000002', 'other', 'queue-0000000005'])).toEqual([
      'queue-0000000002',
      'queue-0000000005',
      'queue-0000000010',
    ]);
  });
  it('priority names sort by priority (lower first), then FIFO', () => {
    const n = (p: number, s: number) => `queue-${encodePriority(p)}-${String(s).padStart(10, '0')}`;
    const names = [n(5, 1), n(-3, 2), n(5, 0), n(0, 3), n(2 ** 31 - 1, 4), n(-(2 ** 31), 5)];
    expect(queueOrder(names)).toEqual([n(-(2 ** 31), 5), n(-3, 2), n(0, 3), n(5, 0), n(5, 1), n(2 ** 31 - 1, 4)]);
    expect(decodePriority(n(-3, 2))).toBe(-3);
    expect(() => encodePriority(2 ** 31)).toThrow(RangeError);
  });
});

describe('provider strategies', () => {
  const list = ['a', 'b', 'c'].map((id) => newServiceInstance({ name: 's', id }));
  it('round-robin cycles', () => {
    const s = new RoundRobinStrategy();
    expect([1, 2, 3, 4].map(() => s.getInstance(list)?.id)).toEqual(['a', 'b', 'c', 'a']);
    expect(s.getInstance([])).toBeUndefined();
  });
  it('random uses its source', () => {
    expect(new RandomStrategy(() => 0.99).getInstance(list)?.id).toBe('c');
  });
  it('sticky keeps its instance while it is listed', () => {
    const s = new StickyStrategy();
    const first = s.getInstance(list)!;
    expect(s.getInstance(list)).toEqual(first);
    const next = s.getInstance(list.filter((i) => i.id !== first.id))!;
    expect(next.id).not.toBe(first.id);
    expect(s.getInstance(list)!.id).toBe(next.id);
  });
});

describe('tree paths', () => {
  it('depth and containment', () => {
    expect(depthBelow('/a', '/a')).toBe(0);
    expect(depthBelow('/a', '/a/b/c')).toBe(2);
    expect(depthBelow('/', '/x')).toBe(1);
    expect(isUnder('/a', '/ab')).toBe(false);
    expect(isUnder('/a', '/a/b')).toBe(true);
  });
});
