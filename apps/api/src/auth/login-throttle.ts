/**
 * Brute-force brake on password logins, shared by every API instance through Redis (atomic Lua scripts, keys under
 * `paddock:login-throttle:` that expire on their own). Two budgets, both counted before the password is checked:
 *
 * - **per username + client address**: after `maxFailures` (PADDOCK_LOGIN_MAX_FAILURES, default 5) consecutive failures
 *   the pair is locked for `baseLockMs` (PADDOCK_LOGIN_LOCK_MS, default 30 s), each further failure doubling the
 *   window up to `maxLockMs` (15 min). A success clears the pair; a pair idle for `maxLockMs` after its last failure
 *   (and lock) is forgotten.
 * - **per username over all addresses**: `accountMaxFailures` (PADDOCK_LOGIN_ACCOUNT_MAX_FAILURES, default 20) failures
 *   within `accountWindowMs` (PADDOCK_LOGIN_ACCOUNT_WINDOW_MS, default 15 min, counted from the window's first failure)
 *   lock the account for `accountLockMs` (PADDOCK_LOGIN_ACCOUNT_LOCK_MS, default 60 s, at most 15 min) from every
 *   address, the right password included. Behind the console's proxy every browser has the proxy's address (and
 *   X-Forwarded-For cannot be trusted), so this is the budget that bounds guessing spread over many addresses.
 *   The lock is short, fixed and never extended while it lasts (a locked login is refused before anything is
 *   counted): an attacker can keep a victim locked out only by continuing to spend guesses, one per lock period once the
 *   window's budget is used. A success takes back its own provisional count and clears its own pair, but leaves the
 *   account's other failures and other addresses' counts alone. An admin clears a username's counts and locks with
 *   `clear` (DELETE /api/auth/throttle/{username}).
 *
 * Every attempt is counted as a failure when it is admitted, so parallel guesses cannot all slip in before the first
 * failure is recorded; a success takes its count back (an attempt that ends in another error stays counted). Timestamps come from the caller's clock (`now`: the
 * instances' clocks, which only shift a lock's end by their skew) and decide everything; key expiry only collects
 * garbage, so a fake clock works against a real Redis.
 *
 * When Redis does not answer (down, or slower than `timeoutMs`, PADDOCK_LOGIN_THROTTLE_TIMEOUT_MS, default 2 s) the
 * brake **fails closed**: `admit` throws AppError `unavailable` (503) and no one logs in with a password until Redis is
 * back. Failing open would hand unlimited guesses to whoever can make Redis slow or unreachable; failing closed costs
 * only new password logins, since sessions and API tokens are checked in the database, not here.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { AppError } from '../errors.js';

export interface LoginThrottleOptions {
  /** Consecutive failures of one username + address before its first lock (at least 1). */
  maxFailures?: number;
  baseLockMs?: number;
  maxLockMs?: number;
  /** Failures of one username within `accountWindowMs`, over all addresses, that lock the account (at least 1). */
  accountMaxFailures?: number;
  accountWindowMs?: number;
  /** Fixed, short and bounded (at most ACCOUNT_LOCK_LIMIT_MS): a locked-out victim gets back in soon. */
  accountLockMs?: number;
  /** Bound on each Redis round trip: a login never waits longer for the brake. */
  timeoutMs?: number;
  /** Key prefix; keys are `<prefix>pair:<user>|<ip>`, `<prefix>account:<user>`, `<prefix>addresses:<user>`. */
  prefix?: string;
  now?: () => number;
}

/** The longest account lock allowed: the lock is a brake, not a way to shut a user out. */
export const ACCOUNT_LOCK_LIMIT_MS = 15 * 60_000;
export const DEFAULT_PREFIX = 'paddock:login-throttle:';
export const DEFAULT_THROTTLE_TIMEOUT_MS = 2_000;

/** An admitted login; hand it back to `recordSuccess` when the password was right. */
export interface LoginAttempt {
  readonly username: string;
  readonly ip: string;
  /** The account state this attempt's provisional count produced, so a success can take exactly that back. */
  readonly accountWindowStart: number;
  readonly accountLockedBefore: number;
  readonly accountLockedAfter: number;
}

export type LoginGate =
  | { admitted: true; attempt: LoginAttempt }
  | { admitted: false; scope: 'address' | 'account'; retryAfterMs: number; retryAfterSeconds: number; message: string };

export interface ThrottleClearResult {
  username: string;
  /** Whether the account had a failure count or lock. */
  account: boolean;
  /** How many addresses' counts were dropped. */
  addresses: number;
}

// KEYS: pair, account, addresses; ARGV: now, maxFailures, baseLockMs, maxLockMs, accountMax, accountWindow,
// accountLock, ip. Returns {0, accountWaitMs, pairWaitMs} when refused (nothing counted), else
// {1, pairFailures, accountFailures, accountWindowStart, accountLockedBefore, accountLockedAfter}.
const ADMIT = `
local now = tonumber(ARGV[1])
local maxFailures, baseLock, maxLock = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local accountMax, accountWindow, accountLock = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local p = redis.call('HMGET', KEYS[1], 'failures', 'lockedUntil', 'lastFailure')
local pairFailures, pairLocked, lastFailure = tonumber(p[1]) or 0, tonumber(p[2]) or 0, tonumber(p[3]) or 0
local a = redis.call('HMGET', KEYS[2], 'failures', 'windowStart', 'lockedUntil')
local accountFailures, windowStart, accountLocked = tonumber(a[1]) or 0, tonumber(a[2]) or 0, tonumber(a[3]) or 0
if accountLocked > now or pairLocked > now then
  return {0, math.max(accountLocked - now, 0), math.max(pairLocked - now, 0)}
end
if now - math.max(lastFailure, pairLocked) >= maxLock then pairFailures = 0 end
pairFailures = pairFailures + 1
if pairFailures >= maxFailures then
  pairLocked = now + math.min(maxLock, baseLock * math.pow(2, math.min(pairFailures - maxFailures, 30)))
end
local pairTtl = math.max(pairLocked - now, 0) + maxLock
redis.call('HSET', KEYS[1], 'failures', pairFailures, 'lockedUntil', pairLocked, 'lastFailure', now)
redis.call('PEXPIRE', KEYS[1], pairTtl)
redis.call('SADD', KEYS[3], ARGV[8])
if redis.call('PTTL', KEYS[3]) < pairTtl then redis.call('PEXPIRE', KEYS[3], pairTtl) end
if windowStart == 0 or now - windowStart >= accountWindow then
  accountFailures = 0
  windowStart = now
end
accountFailures = accountFailures + 1
local lockedBefore = accountLocked
if accountFailures >= accountMax then accountLocked = now + accountLock end
redis.call('HSET', KEYS[2], 'failures', accountFailures, 'windowStart', windowStart, 'lockedUntil', accountLocked)
redis.call('PEXPIRE', KEYS[2], math.max(math.max(windowStart + accountWindow, accountLocked) - now, 1))
return {1, pairFailures, accountFailures, windowStart, lockedBefore, accountLocked}
`;

// KEYS: pair, account; ARGV: windowStart, lockedBefore, lockedAfter of the admitted attempt. Clears the pair and
// takes the attempt's provisional count (and the lock it set, unless a later failure set its own) off the account.
const SUCCEED = `
redis.call('DEL', KEYS[1])
local a = redis.call('HMGET', KEYS[2], 'failures', 'windowStart', 'lockedUntil')
if tonumber(a[2]) ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[2], 'failures', math.max((tonumber(a[1]) or 1) - 1, 0))
if tonumber(a[3]) == tonumber(ARGV[3]) then redis.call('HSET', KEYS[2], 'lockedUntil', ARGV[2]) end
return 1
`;

// KEYS: account, addresses; ARGV: the pair key prefix of this username. Returns {account existed, pairs dropped}.
// The pair keys are derived from the address set inside the script: fine on one Redis (not on a cluster).
const CLEAR = `
local dropped = 0
for _, ip in ipairs(redis.call('SMEMBERS', KEYS[2])) do dropped = dropped + redis.call('DEL', ARGV[1] .. ip) end
local account = redis.call('DEL', KEYS[1])
redis.call('DEL', KEYS[2])
return {account, dropped}
`;

/**
 * The Redis client of the brake, on the same endpoint as BullMQ's (the `connection` runtime.ts builds) but without
 * BullMQ's wait-forever settings: no offline queue (a command while disconnected fails at once instead of running
 * late, after its login was answered) and a command timeout.
 */
export function loginThrottleRedis(connection: RedisOptions, timeoutMs: number): Redis {
  const redis = new Redis({ ...connection, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: timeoutMs });
  redis.on('error', () => undefined); // reconnects on its own; each failed command is reported to its caller
  return redis;
}

export class LoginThrottle {
  private readonly maxFailures: number;
  private readonly baseLockMs: number;
  private readonly maxLockMs: number;
  private readonly accountMaxFailures: number;
  private readonly accountWindowMs: number;
  private readonly accountLockMs: number;
  readonly timeoutMs: number;
  private readonly prefix: string;
  private readonly now: () => number;

  constructor(
    private readonly redis: Redis,
    options: LoginThrottleOptions = {},
  ) {
    this.maxFailures = Math.max(1, options.maxFailures ?? 5);
    this.baseLockMs = options.baseLockMs ?? 30_000;
    this.maxLockMs = options.maxLockMs ?? 15 * 60_000;
    this.accountMaxFailures = Math.max(1, options.accountMaxFailures ?? 20);
    this.accountWindowMs = options.accountWindowMs ?? 15 * 60_000;
    this.accountLockMs = options.accountLockMs ?? 60_000;
    if (this.accountLockMs > ACCOUNT_LOCK_LIMIT_MS) throw new Error(`the account lock must be at most ${ACCOUNT_LOCK_LIMIT_MS} ms, got ${this.accountLockMs}`);
    if (this.accountWindowMs < 1 || this.maxLockMs < 1) throw new Error('the account window and the longest lock must be at least 1 ms');
    this.timeoutMs = Math.max(1, options.timeoutMs ?? DEFAULT_THROTTLE_TIMEOUT_MS);
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    this.now = options.now ?? Date.now;
  }

  /** The knobs from the environment (see the class comment); a bad value throws, so the API refuses to start. */
  static optionsFromEnv(env: Record<string, string | undefined> = process.env): LoginThrottleOptions {
    const int = (name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined => {
      const raw = env[name]?.trim();
      if (!raw) return undefined;
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
      if (n < min || n > max) throw new Error(`${name} must be between ${min} and ${max}, got ${n}`);
      return n;
    };
    const entries: Array<[keyof LoginThrottleOptions, number | undefined]> = [
      ['maxFailures', int('PADDOCK_LOGIN_MAX_FAILURES', 1)],
      ['baseLockMs', int('PADDOCK_LOGIN_LOCK_MS')],
      ['accountMaxFailures', int('PADDOCK_LOGIN_ACCOUNT_MAX_FAILURES', 1)],
      ['accountWindowMs', int('PADDOCK_LOGIN_ACCOUNT_WINDOW_MS', 1)],
      ['accountLockMs', int('PADDOCK_LOGIN_ACCOUNT_LOCK_MS', 0, ACCOUNT_LOCK_LIMIT_MS)],
      ['timeoutMs', int('PADDOCK_LOGIN_THROTTLE_TIMEOUT_MS', 1, 60_000)],
    ];
    return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
  }

  private keys(username: string, ip: string) {
    const user = encodeURIComponent(username.trim().toLowerCase());
    return { pair: `${this.prefix}pair:${user}|${ip}`, pairPrefix: `${this.prefix}pair:${user}|`, account: `${this.prefix}account:${user}`, addresses: `${this.prefix}addresses:${user}` };
  }

  /** One Redis round trip, bounded by timeoutMs; any failure becomes a 503 (the brake fails closed). */
  private async bounded<T>(what: string, command: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      return await Promise.race([command(), deadline]);
    } catch (error) {
      throw new AppError('unavailable', `${what} is unavailable: the login brute-force brake cannot reach Redis (${(error as Error).message}); sessions and API tokens still work`);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Whether this login may check its password. When admitted, the attempt already counts as a failure (hand it to
   * `recordSuccess` if the password was right); when refused, nothing was counted and the message says which lock.
   */
  async admit(username: string, ip: string): Promise<LoginGate> {
    const k = this.keys(username, ip);
    const args = [this.now(), this.maxFailures, this.baseLockMs, this.maxLockMs, this.accountMaxFailures, this.accountWindowMs, this.accountLockMs, ip];
    const reply = (await this.bounded('login', () => this.redis.eval(ADMIT, 3, k.pair, k.account, k.addresses, ...args))) as number[];
    if (reply[0] === 1) {
      return { admitted: true, attempt: { username, ip, accountWindowStart: reply[3]!, accountLockedBefore: reply[4]!, accountLockedAfter: reply[5]! } };
    }
    const [accountWaitMs, pairWaitMs] = [reply[1]!, reply[2]!];
    if (accountWaitMs >= pairWaitMs) {
      const seconds = Math.ceil(accountWaitMs / 1000);
      return {
        admitted: false,
        scope: 'account',
        retryAfterMs: accountWaitMs,
        retryAfterSeconds: seconds,
        message: `too many failed logins for ${username} from all addresses: the account is locked for ${seconds} s, even for the right password (an admin can clear it: DELETE /api/auth/throttle/${username})`,
      };
    }
    const seconds = Math.ceil(pairWaitMs / 1000);
    return { admitted: false, scope: 'address', retryAfterMs: pairWaitMs, retryAfterSeconds: seconds, message: `too many failed logins for ${username} from this address: retry in ${seconds} s` };
  }

  /**
   * The admitted attempt's password was right: clears its pair and takes its provisional count off the account.
   * The login already succeeded, so a Redis failure here is not the caller's problem: it returns false (the count
   * then stays, which errs on the safe side).
   */
  async recordSuccess(attempt: LoginAttempt): Promise<boolean> {
    const k = this.keys(attempt.username, attempt.ip);
    try {
      await this.bounded('login', () => this.redis.eval(SUCCEED, 2, k.pair, k.account, attempt.accountWindowStart, attempt.accountLockedBefore, attempt.accountLockedAfter));
      return true;
    } catch {
      return false;
    }
  }

  /** Drops a username's account count and lock and every address's count and lock (the admin's way out). */
  async clear(username: string): Promise<ThrottleClearResult> {
    const k = this.keys(username, '');
    const [account, addresses] = (await this.bounded('clearing the login throttle', () => this.redis.eval(CLEAR, 2, k.account, k.addresses, k.pairPrefix))) as [number, number];
    return { username: username.trim().toLowerCase(), account: account === 1, addresses };
  }
}
