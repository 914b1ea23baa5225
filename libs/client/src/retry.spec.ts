import { describe, expect, it } from '@jest/globals';
import { ConnectionLossError, NoNodeError, OperationTimeoutError, SessionExpiredError, SessionMovedError } from './errors.js';
import { ExponentialBackoffRetry, RetryNTimes, RetryUntilElapsed, withRetry } from './retry.js';

describe('ExponentialBackoffRetry', () => {
  it('doubles from the base up to the cap without jitter', () => {
    const p = new ExponentialBackoffRetry({ baseDelayMs: 100, maxDelayMs: 1000, maxRetries: 8, jitter: 0 });
    expect([0, 1, 2, 3, 4, 5].map((n) => p.nextDelay(n, 0))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(p.nextDelay(8, 0)).toBeUndefined();
  });

  it('keeps jittered delays inside [(1 - jitter) * ceiling, ceiling]', () => {
    for (const jitter of [0.25, 0.5, 1]) {
      const p = new ExponentialBackoffRetry({ baseDelayMs: 50, maxDelayMs: 5000, maxRetries: 100, jitter });
      for (let n = 0; n < 20; n++) {
        const d = p.nextDelay(n, 0)!;
        const c = p.ceiling(n);
        expect(d).toBeGreaterThanOrEqual(Math.floor((1 - jitter) * c));
        expect(d).toBeLessThanOrEqual(c);
      }
    }
  });

  it('uses the random source for jitter and never overflows', () => {
    const lo = new ExponentialBackoffRetry({ baseDelayMs: 100, jitter: 1, random: () => 0.999999, maxRetries: 5000 });
    const hi = new ExponentialBackoffRetry({ baseDelayMs: 100, jitter: 1, random: () => 0, maxRetries: 5000 });
    expect(lo.nextDelay(3, 0)).toBe(0);
    expect(hi.nextDelay(3, 0)).toBe(800);
    expect(hi.nextDelay(4000, 0)).toBe(30_000);
  });

  it('stops at maxElapsedMs and shortens the last delay', () => {
    const p = new ExponentialBackoffRetry({ baseDelayMs: 1000, jitter: 0, maxElapsedMs: 1500 });
    expect(p.nextDelay(0, 1200)).toBe(300);
    expect(p.nextDelay(0, 1500)).toBeUndefined();
  });
});

describe('RetryNTimes / RetryUntilElapsed', () => {
  it('retries n times with a fixed delay', () => {
    const p = new RetryNTimes(2, 10);
    expect([0, 1, 2].map((n) => p.nextDelay(n))).toEqual([10, 10, undefined]);
  });
  it('retries until the time is up', () => {
    const p = new RetryUntilElapsed(100, 30);
    expect(p.nextDelay(0, 0)).toBe(30);
    expect(p.nextDelay(5, 90)).toBe(10);
    expect(p.nextDelay(6, 100)).toBeUndefined();
  });
});

describe('withRetry', () => {
  const fakeTime = () => {
    let now = 0;
    const sleeps: number[] = [];
    return { sleeps, now: () => now, sleep: async (ms: number) => void (sleeps.push(ms), (now += ms)) };
  };

  it('retries ConnectionLoss, OperationTimeout and SessionMoved and returns the eventual value', async () => {
    const t = fakeTime();
    const errors = [new ConnectionLossError(), new OperationTimeoutError(), new SessionMovedError()];
    const attempts: number[] = [];
    const v = await withRetry(
      new RetryNTimes(5, 7),
      async (attempt) => {
        attempts.push(attempt);
        const e = errors.shift();
        if (e) throw e;
        return 'ok';
      },
      t,
    );
    expect(v).toBe('ok');
    expect(attempts).toEqual([0, 1, 2, 3]);
    expect(t.sleeps).toEqual([7, 7, 7]);
  });

  it('does not retry other errors', async () => {
    const t = fakeTime();
    let calls = 0;
    for (const error of [new NoNodeError('/x'), new SessionExpiredError(), new Error('plain')]) {
      await expect(
        withRetry(new RetryNTimes(5, 1), async () => {
          calls++;
          throw error;
        }, t),
      ).rejects.toBe(error);
    }
    expect(calls).toBe(3);
    expect(t.sleeps).toEqual([]);
  });

  it('gives up with the last error when the policy says so', async () => {
    const t = fakeTime();
    let calls = 0;
    await expect(
      withRetry(new RetryUntilElapsed(25, 10), async () => {
        calls++;
        throw new ConnectionLossError(undefined, `loss ${calls}`);
      }, t),
    ).rejects.toThrow('loss 4');
    expect(t.sleeps).toEqual([10, 10, 5]);
  });

  it('stops when aborted', async () => {
    const ac = new AbortController();
    let calls = 0;
    await expect(
      withRetry(new RetryNTimes(100, 1), async () => {
        if (++calls === 2) ac.abort();
        throw new ConnectionLossError();
      }, { signal: ac.signal }),
    ).rejects.toBeInstanceOf(ConnectionLossError);
    expect(calls).toBe(2);
  });
});
