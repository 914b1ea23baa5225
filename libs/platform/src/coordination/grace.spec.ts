import { describe, expect, it } from '@jest/globals';
import { GraceTracker, acceptEpoch } from './grace.js';

describe('GraceTracker', () => {
  it('a blip shorter than the grace period is not a death', () => {
    const g = new GraceTracker(1000);
    g.observe(['a', 'b'], 0);
    g.observe(['b'], 100);
    expect(g.inGrace(500)).toEqual(['a']);
    expect(g.expired(1099)).toEqual([]);
    g.observe(['a', 'b'], 900);
    expect(g.inGrace(2000)).toEqual([]);
    expect(g.expired(5000)).toEqual([]);
    expect(g.isLive('a')).toBe(true);
  });

  it('expires after the grace period, gives the next deadline, and forgets', () => {
    const g = new GraceTracker(1000);
    g.observe(['a'], 0);
    g.observe([], 200);
    expect(g.nextDeadline(300)).toBe(1200);
    expect(g.expired(1199)).toEqual([]);
    expect(g.expired(1200)).toEqual(['a']);
    expect(g.nextDeadline(1200)).toBeUndefined();
    g.forget('a');
    expect(g.expired(9999)).toEqual([]);
  });

  it('expected owners that never show up start their grace when declared', () => {
    const g = new GraceTracker(500);
    g.expect(['x'], 1000);
    g.observe([], 1000);
    expect(g.inGrace(1400)).toEqual(['x']);
    expect(g.expired(1500)).toEqual(['x']);
  });
});

describe('acceptEpoch', () => {
  it('accepts equal or newer epochs and refuses older ones', () => {
    expect(acceptEpoch(3, 3)).toBe(3);
    expect(acceptEpoch(3, 4)).toBe(4);
    expect(acceptEpoch(3, 2)).toBeNull();
    expect(acceptEpoch(0, -1)).toBeNull();
  });
});
