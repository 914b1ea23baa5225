/** Small async helpers for tests: bounded waits and a queue of asynchronous events (watches). */

export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms: ${what}`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Collects values pushed from callbacks (watch events, state changes) and hands them out in order.
 * `next` waits a bounded time; `expectQuiet` asserts nothing more arrives for a while (one-shot
 * watches must not fire twice).
 */
export class EventQueue<T> {
  private readonly items: T[] = [];
  private waiters: Array<(item: T) => void> = [];
  /** Everything ever pushed, for failure messages. */
  readonly history: T[] = [];

  readonly push = (item: T): void => {
    this.history.push(item);
    const waiter = this.waiters.shift();
    if (waiter) waiter(item);
    else this.items.push(item);
  };

  get pending(): number {
    return this.items.length;
  }

  next(what: string, timeoutMs = 5_000): Promise<T> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise<T>((resolve, reject) => {
      const waiter = (value: T) => {
        clearTimeout(timer);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; seen so far: ${JSON.stringify(this.history)}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  async expectQuiet(what: string, quietMs = 300): Promise<void> {
    if (this.items.length === 0) await new Promise((resolve) => setTimeout(resolve, quietMs));
    if (this.items.length > 0) {
      throw new Error(`unexpected ${what}: ${JSON.stringify(this.items)}`);
    }
  }
}
