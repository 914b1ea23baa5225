/**
 * Retry policies (Curator's RetryPolicy family) and `withRetry`, which re-runs an operation only for errors
 * that leave its outcome worth retrying: ConnectionLoss, OperationTimeout, SessionMoved.
 */
import { isRetryable } from './errors.js';

export interface RetryPolicy {
  /**
   * The delay (ms) before retry number `retryCount + 1`, or undefined to give up.
   * `retryCount` is how many retries were already made (0 before the first retry); `elapsedMs` is the time
   * since the first attempt started.
   */
  nextDelay(retryCount: number, elapsedMs: number): number | undefined;
}

export interface ExponentialBackoffOptions {
  /** Delay before the first retry, before jitter. Default 100 ms. */
  baseDelayMs?: number;
  /** Upper bound of any single delay. Default 30 s. */
  maxDelayMs?: number;
  /** Give up after this many retries. Default 10. */
  maxRetries?: number;
  /** Give up once this much time passed since the first attempt (optional). */
  maxElapsedMs?: number;
  /**
   * Fraction of each delay that is randomised: 0 = none, 1 = "full jitter" (uniform in [0, delay]).
   * Default 0.5: uniform in [delay/2, delay].
   */
  jitter?: number;
  /** Random source in [0, 1) (tests). */
  random?: () => number;
}

/**
 * delay(n) = min(maxDelayMs, baseDelayMs * 2^n), of which a `jitter` fraction is random; never more than
 * maxRetries retries, never past maxElapsedMs (the delay is cut so the last retry still happens in time).
 */
export class ExponentialBackoffRetry implements RetryPolicy {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxRetries: number;
  readonly maxElapsedMs: number | undefined;
  readonly jitter: number;
  private readonly random: () => number;

  constructor(options: ExponentialBackoffOptions = {}) {
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.maxDelayMs = options.maxDelayMs ?? 30_000;
    this.maxRetries = options.maxRetries ?? 10;
    this.maxElapsedMs = options.maxElapsedMs;
    this.jitter = Math.min(1, Math.max(0, options.jitter ?? 0.5));
    this.random = options.random ?? Math.random;
    if (this.baseDelayMs < 0 || this.maxDelayMs < 0 || this.maxRetries < 0) throw new RangeError('negative retry bound');
  }

  /** The delay before jitter for a retry count (exposed for tests and diagnostics). */
  ceiling(retryCount: number): number {
    // 2^n overflows to Infinity for large n; min() keeps it bounded
    return Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.min(retryCount, 1024));
  }

  nextDelay(retryCount: number, elapsedMs: number): number | undefined {
    if (retryCount >= this.maxRetries) return undefined;
    if (this.maxElapsedMs !== undefined && elapsedMs >= this.maxElapsedMs) return undefined;
    const ceiling = this.ceiling(retryCount);
    let delay = Math.round(ceiling * (1 - this.jitter * this.random()));
    if (this.maxElapsedMs !== undefined) delay = Math.min(delay, this.maxElapsedMs - elapsedMs);
    return Math.max(0, delay);
  }
}

/** Retries up to `n` times with a fixed delay (Curator RetryNTimes). */
export class RetryNTimes implements RetryPolicy {
  constructor(
    readonly n: number,
    readonly delayMs: number,
  ) {}

  nextDelay(retryCount: number): number | undefined {
    return retryCount < this.n ? this.delayMs : undefined;
  }
}

/** Retries with a fixed delay until `maxElapsedMs` passed since the first attempt (Curator RetryUntilElapsed). */
export class RetryUntilElapsed implements RetryPolicy {
  constructor(
    readonly maxElapsedMs: number,
    readonly delayMs: number,
  ) {}

  nextDelay(_retryCount: number, elapsedMs: number): number | undefined {
    if (elapsedMs >= this.maxElapsedMs) return undefined;
    return Math.min(this.delayMs, this.maxElapsedMs - elapsedMs);
  }
}

export const exponentialBackoff = (options?: ExponentialBackoffOptions): RetryPolicy => new ExponentialBackoffRetry(options);
export const retryNTimes = (n: number, delayMs: number): RetryPolicy => new RetryNTimes(n, delayMs);
export const retryUntilElapsed = (maxElapsedMs: number, delayMs: number): RetryPolicy => new RetryUntilElapsed(maxElapsedMs, delayMs);
export const retryOneTime = (delayMs: number): RetryPolicy => new RetryNTimes(1, delayMs);
export const noRetry: RetryPolicy = { nextDelay: () => undefined };

export interface WithRetryOptions {
  /** Which errors to retry. Default: {@link isRetryable} (ConnectionLoss, OperationTimeout, SessionMoved). */
  isRetryable?: (error: unknown) => boolean;
  /** Called before each sleep. */
  onRetry?: (error: unknown, retryCount: number, delayMs: number) => void;
  /** Stops retrying (the last error is thrown) once aborted; also cuts a sleep short. */
  signal?: AbortSignal;
  /** Clock and sleep (tests). */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Runs `fn` and, while it fails with a retryable error, sleeps as the policy says and runs it again.
 * `fn` gets the attempt number (0 for the first). Non-retryable errors, and the last error once the policy
 * gives up, are thrown unchanged.
 */
export async function withRetry<T>(policy: RetryPolicy, fn: (attempt: number) => Promise<T>, options: WithRetryOptions = {}): Promise<T> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const retryable = options.isRetryable ?? isRetryable;
  const started = now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (!retryable(error) || options.signal?.aborted) throw error;
      const delay = policy.nextDelay(attempt, now() - started);
      if (delay === undefined) throw error;
      options.onRetry?.(error, attempt, delay);
      await sleep(delay, options.signal);
      if (options.signal?.aborted) throw error;
    }
  }
}
