/**
 * Brute-force brake on password logins, per username + client IP, in memory (one API instance; several instances
 * each keep their own count, which multiplies the allowed guesses by the instance count; move it to Redis then).
 *
 * After `maxFailures` consecutive failures the pair is locked for `baseLockMs`, and each failure after that doubles
 * the window (`baseLockMs * 2^(n - maxFailures)`, capped at `maxLockMs`); while locked, logins answer 429 with
 * Retry-After without looking at the password. A success clears the pair; an idle pair is forgotten after `maxLockMs`.
 */
export interface LoginThrottleOptions {
  /** Consecutive failures allowed before the first lock (at least 1). */
  maxFailures?: number;
  baseLockMs?: number;
  maxLockMs?: number;
  /** Bound on remembered pairs (the oldest are dropped first). */
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  failures: number;
  lockedUntil: number;
  lastFailure: number;
}

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly maxFailures: number;
  private readonly baseLockMs: number;
  private readonly maxLockMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: LoginThrottleOptions = {}) {
    this.maxFailures = Math.max(1, options.maxFailures ?? 5);
    this.baseLockMs = options.baseLockMs ?? 30_000;
    this.maxLockMs = options.maxLockMs ?? 15 * 60_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  static fromEnv(env: Record<string, string | undefined> = process.env): LoginThrottle {
    const int = (name: string): number | undefined => {
      const raw = env[name]?.trim();
      if (!raw) return undefined;
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
      return n;
    };
    const options: LoginThrottleOptions = {};
    const max = int('PADDOCK_LOGIN_MAX_FAILURES');
    const base = int('PADDOCK_LOGIN_LOCK_MS');
    if (max !== undefined) options.maxFailures = max;
    if (base !== undefined) options.baseLockMs = base;
    return new LoginThrottle(options);
  }

  private key(username: string, ip: string): string {
    return `${username.trim().toLowerCase()}\u0000${ip}`;
  }

  /** Milliseconds until this pair may try again (0: now). */
  retryAfterMs(username: string, ip: string): number {
    const entry = this.entries.get(this.key(username, ip));
    return entry ? Math.max(0, entry.lockedUntil - this.now()) : 0;
  }

  recordFailure(username: string, ip: string): void {
    const key = this.key(username, ip);
    const now = this.now();
    const prior = this.entries.get(key);
    const entry: Entry = prior && now - prior.lastFailure < this.maxLockMs ? prior : { failures: 0, lockedUntil: 0, lastFailure: now };
    entry.failures++;
    entry.lastFailure = now;
    const over = entry.failures - this.maxFailures;
    if (over >= 0) entry.lockedUntil = now + Math.min(this.maxLockMs, this.baseLockMs * 2 ** Math.min(over, 30));
    // re-insert so Map order is least-recently-failed first, then bound the memory
    this.entries.delete(key);
    this.entries.set(key, entry);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break;
      this.entries.delete(oldest);
    }
  }

  recordSuccess(username: string, ip: string): void {
    this.entries.delete(this.key(username, ip));
  }
}
