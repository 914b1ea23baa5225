import { describe, expect, it } from '@jest/globals';
import { EmptyPushGuard } from './empty-push.js';

const id = (s: string) => s;

describe('EmptyPushGuard', () => {
  it('applies the first list and growth, refuses an empty list and keeps the last good one', () => {
    const g = new EmptyPushGuard(id);
    expect(g.offer(['a', 'b'], 0).applied).toBe(true);
    expect(g.offer(['a', 'b', 'c'], 1).applied).toBe(true);
    const r = g.offer([], 2);
    expect(r.applied).toBe(false);
    expect(r.current).toEqual(['a', 'b', 'c']);
    expect(r.protection).toMatchObject({ reason: 'empty', dropRatio: 1, since: 2, lastGood: ['a', 'b', 'c'] });
    expect(g.current).toEqual(['a', 'b', 'c']);
    // recovers as soon as an acceptable list comes
    expect(g.offer(['a', 'c'], 3).applied).toBe(true);
    expect(g.protection).toBeUndefined();
  });

  it('refuses a shrink beyond the threshold, accepts one within it', () => {
    const g = new EmptyPushGuard(id, { maxDropRatio: 0.5 });
    g.offer(['a', 'b', 'c', 'd'], 0);
    expect(g.offer(['a', 'b'], 1).applied).toBe(true); // exactly 50%
    expect(g.offer(['a', 'b', 'c', 'd'], 2).applied).toBe(true);
    expect(g.offer(['z'], 3)).toMatchObject({ applied: false, protection: { reason: 'shrink', dropRatio: 0.75 } });
    expect(g.current).toEqual(['a', 'b', 'c', 'd']);
    // counted by size: a list of new members (restarted providers) is no drop
    expect(g.offer(['w', 'x', 'y'], 4).applied).toBe(true);
    expect(g.current).toEqual(['w', 'x', 'y']);
  });

  it('accepts a persisting shrink after acceptShrinkAfterMs, never an empty list', () => {
    const g = new EmptyPushGuard(id, { maxDropRatio: 0.2, acceptShrinkAfterMs: 1000 });
    g.offer(['a', 'b', 'c'], 0);
    expect(g.offer(['a'], 100).applied).toBe(false);
    expect(g.tick(500).applied).toBe(false);
    expect(g.offer(['a'], 900).protection?.since).toBe(100);
    expect(g.tick(1100)).toMatchObject({ applied: true, current: ['a'] });
    expect(g.offer([], 2000).applied).toBe(false);
    expect(g.tick(10_000).applied).toBe(false);
    expect(g.acceptPending()).toMatchObject({ applied: true, current: [] });
  });

  it('allowEmpty and maxDropRatio 1 turn protection off', () => {
    const g = new EmptyPushGuard(id, { allowEmpty: true, maxDropRatio: 1 });
    g.offer(['a', 'b'], 0);
    expect(g.offer([], 1).applied).toBe(true);
    expect(() => new EmptyPushGuard(id, { maxDropRatio: 2 })).toThrow(RangeError);
  });
});
