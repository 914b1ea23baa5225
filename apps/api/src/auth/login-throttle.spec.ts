import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { AppError } from '../errors.js';
import { startPrivateRedis, type RedisEndpoint } from '../runtime/redis.js';
import { DEFAULT_PREFIX, LoginThrottle, loginThrottleRedis, type LoginGate, type LoginThrottleOptions } from './login-throttle.js';

/** Against a real redis-server (a private one per suite); time is a fake clock handed to the throttle. */
describe('login throttle (real redis-server, fake clock)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'paddock-login-throttle-'));
  let endpoint: RedisEndpoint;
  const clients: Redis[] = [];
  let suite = 0;

  beforeAll(async () => {
    endpoint = await startPrivateRedis(dir, () => undefined);
  }, 30_000);

  afterAll(async () => {
    // the one whose redis-server was stopped was disconnected by its test
    await Promise.all(clients.filter((c) => c.status === 'ready').map((c) => c.quit()));
    await endpoint?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const connect = async (target: RedisEndpoint = endpoint, timeoutMs = 2_000): Promise<Redis> => {
    // a short disconnectTimeout: the client of a stopped redis-server otherwise keeps a 2 s timer after disconnect()
    const redis = loginThrottleRedis({ host: target.host, port: target.port, disconnectTimeout: 100 }, timeoutMs);
    clients.push(redis);
    await redis.connect();
    return redis;
  };

  /** A throttle on its own key prefix (tests do not see each other's counts) with a fake clock. */
  async function throttleWith(options: LoginThrottleOptions, redis?: Redis) {
    const clock = { now: 1_000_000 };
    const prefix = `${DEFAULT_PREFIX}spec-${++suite}:`;
    const throttle = new LoginThrottle(redis ?? (await connect()), { prefix, now: () => clock.now, ...options });
    return { throttle, clock, prefix };
  }

  const admitted = (gate: LoginGate) => {
    if (!gate.admitted) throw new Error(`expected to be admitted, got: ${gate.message}`);
    return gate.attempt;
  };
  const refusal = (gate: LoginGate) => {
    if (gate.admitted) throw new Error('expected a refusal');
    return gate;
  };

  it('locks a username + address after maxFailures failures, doubling the lock up to the cap; a success clears the pair', async () => {
    const { throttle, clock } = await throttleWith({ maxFailures: 4, baseLockMs: 1_000, maxLockMs: 5_000, accountMaxFailures: 1_000 });
    for (let i = 0; i < 4; i++) admitted(await throttle.admit('Root', '10.0.0.1'));
    expect(refusal(await throttle.admit('root', '10.0.0.1'))).toEqual({
      admitted: false,
      scope: 'address',
      retryAfterMs: 1_000,
      retryAfterSeconds: 1,
      message: 'too many failed logins for root from this address: retry in 1 s',
    });
    // other addresses and other users are not affected
    admitted(await throttle.admit('root', '10.0.0.2'));
    admitted(await throttle.admit('vera', '10.0.0.1'));
    clock.now += 1_000;
    admitted(await throttle.admit('root', '10.0.0.1'));
    expect(refusal(await throttle.admit('root', '10.0.0.1')).retryAfterMs).toBe(2_000);
    clock.now += 1_999;
    expect(refusal(await throttle.admit('root', '10.0.0.1')).retryAfterMs).toBe(1);
    clock.now += 1;
    admitted(await throttle.admit('root', '10.0.0.1'));
    expect(refusal(await throttle.admit('root', '10.0.0.1')).retryAfterMs).toBe(4_000);
    clock.now += 4_000;
    admitted(await throttle.admit('root', '10.0.0.1'));
    expect(refusal(await throttle.admit('root', '10.0.0.1')).retryAfterMs).toBe(5_000);
    clock.now += 5_000;
    expect(await throttle.recordSuccess(admitted(await throttle.admit('root', '10.0.0.1')))).toBe(true);
    for (let i = 0; i < 3; i++) admitted(await throttle.admit('root', '10.0.0.1'));
    admitted(await throttle.admit('root', '10.0.0.1'));
    expect(refusal(await throttle.admit('root', '10.0.0.1')).retryAfterMs).toBe(1_000);
  });

  it('forgets a pair idle for the longest lock after its last failure and lock', async () => {
    const { throttle, clock } = await throttleWith({ maxFailures: 2, baseLockMs: 1_000, maxLockMs: 10_000, accountMaxFailures: 1_000 });
    admitted(await throttle.admit('a', 'ip'));
    clock.now += 10_000;
    admitted(await throttle.admit('a', 'ip')); // the first failure was forgotten: this is failure 1 again
    admitted(await throttle.admit('a', 'ip'));
    expect(refusal(await throttle.admit('a', 'ip')).retryAfterMs).toBe(1_000);
    clock.now += 1_000 + 9_999;
    admitted(await throttle.admit('a', 'ip')); // still remembered: failure 3 doubles the lock
    expect(refusal(await throttle.admit('a', 'ip')).retryAfterMs).toBe(2_000);
  });

  it('locks the account from every address after accountMaxFailures failures in the window, even for the right password', async () => {
    const { throttle, clock } = await throttleWith({ maxFailures: 3, baseLockMs: 1_000, accountMaxFailures: 6, accountWindowMs: 60_000, accountLockMs: 5_000 });
    // address A is locked after its 3 failures; a success from B does not reset A's count, nor the account's
    for (let i = 0; i < 3; i++) admitted(await throttle.admit('olga', '10.0.0.1'));
    expect(refusal(await throttle.admit('olga', '10.0.0.1')).scope).toBe('address');
    await throttle.recordSuccess(admitted(await throttle.admit('olga', '10.0.0.2')));
    expect(refusal(await throttle.admit('olga', '10.0.0.1')).scope).toBe('address');
    // three more failures from three addresses: 6 in the window
    for (const ip of ['10.0.0.3', '10.0.0.4', '10.0.0.5']) admitted(await throttle.admit('olga', ip));
    const locked = refusal(await throttle.admit('olga', '10.0.0.9'));
    expect(locked).toEqual({
      admitted: false,
      scope: 'account',
      retryAfterMs: 5_000,
      retryAfterSeconds: 5,
      message: 'too many failed logins for olga from all addresses: the account is locked for 5 s, even for the right password (an admin can clear it: DELETE /api/auth/throttle/olga)',
    });
    // the address that just succeeded is locked out too; other accounts are not
    expect(refusal(await throttle.admit('olga', '10.0.0.2')).scope).toBe('account');
    admitted(await throttle.admit('vera', '10.0.0.9'));
    // refused attempts do not extend the lock: it ends 5 s after the 6th failure
    clock.now += 4_000;
    expect(refusal(await throttle.admit('olga', '10.0.0.9')).retryAfterMs).toBe(1_000);
    clock.now += 1_000;
    // still in the window with the budget spent: each further failure locks again (one guess per lock period)...
    admitted(await throttle.admit('olga', '10.0.0.9'));
    expect(refusal(await throttle.admit('olga', '10.0.0.8')).retryAfterMs).toBe(5_000);
    // ...and once the window is over the budget is back
    clock.now += 60_000;
    for (let i = 0; i < 5; i++) admitted(await throttle.admit('olga', `10.0.1.${i}`));
  });

  it('a success takes back its own provisional count, including the account lock it set', async () => {
    const { throttle } = await throttleWith({ maxFailures: 100, accountMaxFailures: 3, accountLockMs: 5_000 });
    admitted(await throttle.admit('root', '10.0.0.1'));
    admitted(await throttle.admit('root', '10.0.0.2'));
    // the third attempt reaches the budget when admitted; its right password takes that back
    expect(await throttle.recordSuccess(admitted(await throttle.admit('root', '10.0.0.3')))).toBe(true);
    admitted(await throttle.admit('root', '10.0.0.4'));
    expect(refusal(await throttle.admit('root', '10.0.0.5')).scope).toBe('account');
  });

  it('counts parallel attempts before their passwords are checked: a burst gets only the budget', async () => {
    const { throttle } = await throttleWith({ maxFailures: 5, accountMaxFailures: 1_000 });
    const gates = await Promise.all(Array.from({ length: 40 }, () => throttle.admit('root', '10.0.0.1')));
    expect(gates.filter((g) => g.admitted)).toHaveLength(5);
  });

  it('two throttles (two API instances) on one Redis share the counts', async () => {
    const { throttle: first, clock, prefix } = await throttleWith({ maxFailures: 100, accountMaxFailures: 4, accountLockMs: 3_000 });
    const second = new LoginThrottle(await connect(), { prefix, now: () => clock.now, maxFailures: 100, accountMaxFailures: 4, accountLockMs: 3_000 });
    admitted(await first.admit('root', '10.0.0.1'));
    admitted(await second.admit('root', '10.0.0.2'));
    admitted(await first.admit('root', '10.0.0.3'));
    admitted(await second.admit('root', '10.0.0.4'));
    expect(refusal(await first.admit('root', '10.0.0.5')).scope).toBe('account');
    expect(refusal(await second.admit('root', '10.0.0.6')).scope).toBe('account');
  });

  it('keeps its state under the prefix in keys that expire on their own', async () => {
    const redis = await connect();
    const { throttle, prefix } = await throttleWith({ maxFailures: 2, baseLockMs: 1_000, maxLockMs: 8_000, accountWindowMs: 20_000, accountLockMs: 4_000 }, redis);
    admitted(await throttle.admit('ttl', '10.0.0.1'));
    admitted(await throttle.admit('ttl', '10.0.0.1'));
    const keys = (await redis.keys(`${prefix}*`)).sort();
    expect(keys).toEqual([`${prefix}account:ttl`, `${prefix}addresses:ttl`, `${prefix}pair:ttl|10.0.0.1`]);
    // pair: its 1 s lock + 8 s idle; its address set at least as long; account: its 20 s window
    const ttl = async (key: string) => redis.pttl(key);
    expect(await ttl(`${prefix}pair:ttl|10.0.0.1`)).toBeGreaterThan(8_000);
    expect(await ttl(`${prefix}pair:ttl|10.0.0.1`)).toBeLessThanOrEqual(9_000);
    expect(await ttl(`${prefix}addresses:ttl`)).toBeGreaterThan(8_000);
    expect(await ttl(`${prefix}account:ttl`)).toBeGreaterThan(19_000);
    expect(await ttl(`${prefix}account:ttl`)).toBeLessThanOrEqual(20_000);
  });

  it('clear drops the account count and lock and every address of that username, and nothing else', async () => {
    const { throttle } = await throttleWith({ maxFailures: 2, accountMaxFailures: 4, accountLockMs: 60_000 });
    for (const ip of ['10.0.0.1', '10.0.0.1', '10.0.0.2', '10.0.0.3']) admitted(await throttle.admit('Olga', ip));
    admitted(await throttle.admit('vera', '10.0.0.1'));
    admitted(await throttle.admit('vera', '10.0.0.1'));
    expect(refusal(await throttle.admit('olga', '10.0.0.4')).scope).toBe('account');
    expect(await throttle.clear('OLGA')).toEqual({ username: 'olga', account: true, addresses: 3 });
    admitted(await throttle.admit('olga', '10.0.0.1'));
    // vera's pair lock stays
    expect(refusal(await throttle.admit('vera', '10.0.0.1')).scope).toBe('address');
    expect(await throttle.clear('nobody')).toEqual({ username: 'nobody', account: false, addresses: 0 });
  });

  it('fails closed within its timeout when Redis hangs or is gone (503), and recovers when it is back', async () => {
    const own = await startPrivateRedis(dir, () => undefined);
    const pid = Number(/pid (\d+)/.exec(own.describe)![1]);
    try {
      const redis = await connect(own, 300);
      const { throttle } = await throttleWith({ timeoutMs: 300 }, redis);
      admitted(await throttle.admit('root', '10.0.0.1'));
      process.kill(pid, 'SIGSTOP'); // accepts nothing, answers nothing: a hung Redis
      try {
        const started = Date.now();
        const error = await throttle.admit('root', '10.0.0.1').then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(AppError);
        expect(error).toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/^login is unavailable: the login brute-force brake cannot reach Redis \(.+\); sessions and API tokens still work$/) });
        // bounded: 300 ms plus scheduling slack on a loaded machine, never the default wait-forever
        expect(Date.now() - started).toBeLessThan(5_000);
        await expect(throttle.clear('root')).rejects.toMatchObject({ kind: 'unavailable' });
        // a success that cannot be recorded does not fail the login
        expect(await throttle.recordSuccess({ username: 'root', ip: '10.0.0.1', accountWindowStart: 0, accountLockedBefore: 0, accountLockedAfter: 0 })).toBe(false);
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      // back: the client reconnects (if it dropped the connection) and the brake works again
      const deadline = Date.now() + 20_000;
      for (;;) {
        const gate = await throttle.admit('root', '10.0.0.2').catch(() => undefined);
        if (gate) {
          expect(gate.admitted).toBe(true);
          break;
        }
        if (Date.now() > deadline) throw new Error('the throttle did not recover after Redis came back');
        await new Promise((r) => setTimeout(r, 100));
      }
      // gone for good: refused at once (no offline queue), not after a timeout
      await own.close();
      const started = Date.now();
      await expect(throttle.admit('root', '10.0.0.3')).rejects.toMatchObject({ kind: 'unavailable' });
      expect(Date.now() - started).toBeLessThan(5_000);
      redis.disconnect(); // stops its reconnect attempts
    } finally {
      try {
        process.kill(pid, 'SIGCONT'); // in case an assertion failed while it was stopped
      } catch {
        // already gone
      }
      await own.close();
    }
  }, 60_000);

  it('reads its knobs from the environment and rejects bad values', () => {
    expect(() => LoginThrottle.optionsFromEnv({ PADDOCK_LOGIN_LOCK_MS: 'soon' })).toThrow(/PADDOCK_LOGIN_LOCK_MS must be a non-negative integer, got "soon"/);
    expect(() => LoginThrottle.optionsFromEnv({ PADDOCK_LOGIN_ACCOUNT_LOCK_MS: String(16 * 60_000) })).toThrow(/PADDOCK_LOGIN_ACCOUNT_LOCK_MS must be between 0 and 900000, got 960000/);
    expect(() => LoginThrottle.optionsFromEnv({ PADDOCK_LOGIN_MAX_FAILURES: '0' })).toThrow(/PADDOCK_LOGIN_MAX_FAILURES must be between 1/);
    expect(LoginThrottle.optionsFromEnv({})).toEqual({});
    expect(
      LoginThrottle.optionsFromEnv({
        PADDOCK_LOGIN_MAX_FAILURES: '1',
        PADDOCK_LOGIN_LOCK_MS: '7000',
        PADDOCK_LOGIN_ACCOUNT_MAX_FAILURES: '9',
        PADDOCK_LOGIN_ACCOUNT_WINDOW_MS: '60000',
        PADDOCK_LOGIN_ACCOUNT_LOCK_MS: '30000',
        PADDOCK_LOGIN_THROTTLE_TIMEOUT_MS: '500',
      }),
    ).toEqual({ maxFailures: 1, baseLockMs: 7_000, accountMaxFailures: 9, accountWindowMs: 60_000, accountLockMs: 30_000, timeoutMs: 500 });
  });
});
