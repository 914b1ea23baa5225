/**
 * Pure rules of data-sync dispatch: the retry schedule, what a failed attempt leads to, and worker choice.
 */

export interface RetryPolicy {
  /** Failed attempts after which the task is terminally failed (default 3). */
  maxAttempts: number;
  /** Delay before the 2nd attempt (default 1000 ms). */
  baseDelayMs: number;
  /** Growth per further failure (default 2). */
  factor: number;
  /** Cap (default 60 s). */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1_000, factor: 2, maxDelayMs: 60_000 };

export function normalizeRetryPolicy(p: Partial<RetryPolicy> = {}): RetryPolicy {
  const r = { ...DEFAULT_RETRY_POLICY, ...p };
  if (!Number.isInteger(r.maxAttempts) || r.maxAttempts < 1) throw new RangeError('maxAttempts must be a positive integer');
  if (!(r.baseDelayMs >= 0) || !(r.factor >= 1) || !(r.maxDelayMs >= r.baseDelayMs)) throw new RangeError('bad retry delays');
  return r;
}

/** Delay after the `failures`-th failure (1-based): base * factor^(failures-1), capped. */
export function retryDelayMs(failures: number, policy: RetryPolicy): number {
  if (failures < 1) return 0;
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * Math.pow(policy.factor, failures - 1));
}

/** After a failed attempt: retry at `at`, or give up. */
export function afterFailure(failures: number, policy: RetryPolicy, now: number): { kind: 'retry'; at: number } | { kind: 'failed' } {
  if (failures >= policy.maxAttempts) return { kind: 'failed' };
  return { kind: 'retry', at: now + retryDelayMs(failures, policy) };
}

export interface WorkerLoad {
  id: string;
  capacity: number;
  load: number;
}

/** The live worker with the lowest (load + weight) / capacity that still has room; undefined when all are full. */
export function pickWorker(workers: readonly WorkerLoad[], weight = 1, avoid?: string): WorkerLoad | undefined {
  let best: WorkerLoad | undefined;
  let bestRatio = Infinity;
  const candidates = workers.filter((w) => w.capacity > 0 && w.load + weight <= w.capacity);
  const pool = candidates.some((w) => w.id !== avoid) ? candidates.filter((w) => w.id !== avoid) : candidates;
  for (const w of [...pool].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const r = (w.load + weight) / w.capacity;
    if (r < bestRatio) {
      bestRatio = r;
      best = w;
    }
  }
  return best;
}
