import { describe, expect, it } from '@jest/globals';
import { initialSessionId, SessionTracker } from './session-tracker.js';

describe('SessionTracker', () => {
  it('expires a session only after its rounded-up deadline', () => {
    const t = new SessionTracker(1000, 1, 0);
    t.add(7n, 4000, 500); // deadline 4500 -> bucket 5000
    expect(t.expire(4999)).toEqual([]);
    expect(t.expire(5000).map((s) => s.id)).toEqual([7n]);
    expect(t.expire(9000)).toEqual([]); // returned once
  });

  it('touch moves the deadline; closing sessions cannot be touched', () => {
    const t = new SessionTracker(1000, 1, 0);
    t.add(7n, 4000, 0);
    expect(t.touch(7n, 3000)).toBe(true);
    expect(t.expire(5000)).toEqual([]);
    expect(t.expire(8000).map((s) => s.id)).toEqual([7n]);
    expect(t.touch(7n, 8000)).toBe(false);
    expect(t.touch(99n, 8000)).toBe(false);
  });

  it('allocates ids with the server id in the top byte, never the container marker', () => {
    const t = new SessionTracker(1000, 3, 1_700_000_000_000);
    const a = t.allocateId();
    const b = t.allocateId();
    expect(b).toBe(a + 1n);
    expect(BigInt.asUintN(64, a) >> 56n).toBe(3n);
    expect(initialSessionId(0, 1_700_000_000_000) > 0n).toBe(true);
  });
});
