import { describe, expect, it } from '@jest/globals';
import { afterFailure, normalizeRetryPolicy, pickWorker, retryDelayMs } from './rules.js';

describe('retry schedule', () => {
  const p = normalizeRetryPolicy({ maxAttempts: 4, baseDelayMs: 100, factor: 3, maxDelayMs: 500 });
  it('grows exponentially and is capped', () => {
    expect([0, 1, 2, 3, 4].map((n) => retryDelayMs(n, p))).toEqual([0, 100, 300, 500, 500]);
  });
  it('fails terminally after maxAttempts failures', () => {
    expect(afterFailure(1, p, 1000)).toEqual({ kind: 'retry', at: 1100 });
    expect(afterFailure(3, p, 1000)).toEqual({ kind: 'retry', at: 1500 });
    expect(afterFailure(4, p, 1000)).toEqual({ kind: 'failed' });
  });
  it('rejects bad policies', () => {
    expect(() => normalizeRetryPolicy({ maxAttempts: 0 })).toThrow(RangeError);
    expect(() => normalizeRetryPolicy({ factor: 0.5 })).toThrow(RangeError);
  });
});

describe('pickWorker', () => {
  it('picks the lowest ratio with room, avoiding the failed-over worker when possible', () => {
    const ws = [
      { id: 'a', capacity: 4, load: 2 },
      { id: 'b', capacity: 2, load: 0 },
      { id: 'c', capacity: 1, load: 1 },
    ];
    expect(pickWorker(ws)?.id).toBe('b');
    expect(pickWorker(ws, 1, 'b')?.id).toBe('a');
    expect(pickWorker([{ id: 'c', capacity: 1, load: 1 }])).toBeUndefined();
    expect(pickWorker([{ id: 'a', capacity: 1, load: 0 }], 1, 'a')?.id).toBe('a');
  });
});
