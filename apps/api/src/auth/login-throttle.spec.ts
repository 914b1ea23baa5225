import { describe, expect, it } from '@jest/globals';
import { LoginThrottle } from './login-throttle.js';

describe('login throttle', () => {
  it('locks a username + IP after maxFailures failures, doubling the window up to the cap', () => {
    let now = 1_000_000;
    const throttle = new LoginThrottle({ maxFailures: 4, baseLockMs: 1_000, maxLockMs: 5_000, now: () => now });
    for (let i = 0; i < 3; i++) throttle.recordFailure('Root', '10.0.0.1');
    expect(throttle.retryAfterMs('root', '10.0.0.1')).toBe(0);
    throttle.recordFailure('root', '10.0.0.1');
    expect(throttle.retryAfterMs('root', '10.0.0.1')).toBe(1_000);
    // other addresses and other users are not affected
    expect(throttle.retryAfterMs('root', '10.0.0.2')).toBe(0);
    expect(throttle.retryAfterMs('vera', '10.0.0.1')).toBe(0);
    now += 1_000;
    throttle.recordFailure('root', '10.0.0.1');
    expect(throttle.retryAfterMs('root', '10.0.0.1')).toBe(2_000);
    now += 2_000;
    throttle.recordFailure('root', '10.0.0.1');
    expect(throttle.retryAfterMs('root', '10.0.0.1')).toBe(4_000);
    now += 4_000;
    throttle.recordFailure('root', '10.0.0.1');
    expect(throttle.retryAfterMs('root', '10.0.0.1')).toBe(5_000);
    now += 5_000;
    throttle.recordSuccess('root', '10.0.0.1');
    throttle.recordFailure('root', '10.0.0.1');
    expect(throttle.retryAfterMs('root', '10.0.0.1')).toBe(0);
  });

  it('forgets failures older than the cap and bounds its memory', () => {
    let now = 0;
    const throttle = new LoginThrottle({ maxFailures: 2, baseLockMs: 1_000, maxLockMs: 10_000, maxEntries: 2, now: () => now });
    throttle.recordFailure('a', 'ip');
    now += 10_000;
    throttle.recordFailure('a', 'ip');
    expect(throttle.retryAfterMs('a', 'ip')).toBe(0);
    throttle.recordFailure('a', 'ip');
    expect(throttle.retryAfterMs('a', 'ip')).toBe(1_000);
    throttle.recordFailure('b', 'ip');
    throttle.recordFailure('c', 'ip');
    // 'a' failed least recently and was dropped to stay within two entries
    expect(throttle.retryAfterMs('a', 'ip')).toBe(0);
  });

  it('reads its knobs from the environment and rejects bad values', () => {
    expect(() => LoginThrottle.fromEnv({ PADDOCK_LOGIN_LOCK_MS: 'soon' })).toThrow(/PADDOCK_LOGIN_LOCK_MS must be a non-negative integer/);
    const throttle = LoginThrottle.fromEnv({ PADDOCK_LOGIN_MAX_FAILURES: '1', PADDOCK_LOGIN_LOCK_MS: '7000' });
    throttle.recordFailure('x', 'ip');
    expect(throttle.retryAfterMs('x', 'ip')).toBeGreaterThan(6_000);
  });
});
