/**
 * InterProcessMutex (Curator): a re-entrant distributed lock. Each waiter holds an ephemeral-sequential node
 * (protected GUID prefix) under the lock path and watches only its immediate predecessor, so a release wakes
 * exactly one waiter. The lock dies with its holder's session.
 *
 * Re-entrancy is per holder: an `owner` key (any value; default: the mutex instance itself). Concurrent async
 * tasks of one process that must exclude each other use different instances or different owner keys.
 */
import { toFramework, type ClientLike, type Framework } from './framework.js';
import { LockInternals, deadlineOf, emptyLockStats, type LockStats } from './lock-internals.js';
import { mutexDecision, type LockDecision } from './lock-rules.js';
import { nodeName, stripProtectedPrefix } from './utils.js';

export interface AcquireOptions {
  /** Give up after this long: acquire() then resolves false. Default: wait as long as it takes. */
  timeoutMs?: number;
  /** Abort waiting: acquire() rejects with the signal's reason (an AbortError). */
  signal?: AbortSignal;
  /** Re-entrancy key (default: this instance). */
  owner?: unknown;
}

export interface MutexOptions {
  /** The node name after the protected prefix (default "lock-"). */
  lockName?: string;
  /** Data stored in the lock node (e.g. who holds it). */
  data?: Buffer | string | null;
  /** @internal: the read/write lock's decisions */
  decide?: (sorted: readonly string[], ours: string) => LockDecision;
  /** @internal */
  participates?: (name: string) => boolean;
}

interface Holding {
  path: string;
  count: number;
}

export class InterProcessMutex {
  readonly framework: Framework;
  readonly path: string;
  readonly stats: LockStats = emptyLockStats();
  private readonly internals: LockInternals;
  private readonly holdings = new Map<unknown, Holding>();
  private readonly inflight = new Map<unknown, Promise<boolean>>();
  private readonly data: Buffer | string | null;

  constructor(client: ClientLike, path: string, options: MutexOptions = {}) {
    this.framework = toFramework(client);
    this.path = path;
    this.data = options.data ?? null;
    const decide = options.decide ?? ((sorted, ours) => mutexDecision(sorted, ours, 1));
    this.internals = new LockInternals(this.framework, path, options.lockName ?? 'lock-', decide, this.stats, options.participates);
  }

  /**
   * Acquires the lock (or re-enters it for the same owner). Resolves true when held, false when `timeoutMs`
   * passed; rejects when aborted or when the session is gone.
   */
  async acquire(options: AcquireOptions = {}): Promise<boolean> {
    const owner = options.owner === undefined ? this : options.owner;
    const deadline = deadlineOf(options.timeoutMs);
    for (;;) {
      const held = this.holdings.get(owner);
      if (held) {
        held.count++;
        return true;
      }
      const pending = this.inflight.get(owner);
      if (!pending) break;
      // the same owner is already acquiring: wait for that, then re-enter
      await pending.catch(() => false);
    }
    const attempt = (async () => {
      const path = await this.internals.attempt({ signal: options.signal, deadline, data: this.data });
      if (path === undefined) return false;
      this.holdings.set(owner, { path, count: 1 });
      return true;
    })();
    this.inflight.set(owner, attempt);
    try {
      return await attempt;
    } finally {
      this.inflight.delete(owner);
    }
  }

  /** Releases one hold; the lock node goes when the last re-entrant hold of the owner is released. */
  async release(owner: unknown = this): Promise<void> {
    const held = this.holdings.get(owner);
    if (!held) throw new Error(`you do not own the lock ${this.path}`);
    held.count--;
    if (held.count > 0) return;
    this.holdings.delete(owner);
    await this.internals.release(held.path);
  }

  /** Whether any owner of this instance holds the lock. */
  isAcquiredInThisProcess(): boolean {
    return this.holdings.size > 0;
  }

  isOwnedBy(owner: unknown = this): boolean {
    return this.holdings.has(owner);
  }

  /** The re-entrancy count of an owner (0 if it does not hold the lock). */
  holdCount(owner: unknown = this): number {
    return this.holdings.get(owner)?.count ?? 0;
  }

  /** The lock node of an owner. */
  lockNodePath(owner: unknown = this): string | undefined {
    return this.holdings.get(owner)?.path;
  }

  /** Every lock node in lock order (holder first). */
  async getParticipantNodes(): Promise<string[]> {
    return this.internals.sortedChildren();
  }

  /** The lock nodes' names without their protected prefix, in order. */
  async getParticipantNames(): Promise<string[]> {
    return (await this.getParticipantNodes()).map((n) => stripProtectedPrefix(nodeName(n)));
  }
}
