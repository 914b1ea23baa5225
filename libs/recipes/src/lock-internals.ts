/**
 * The acquire loop shared by InterProcessMutex and the read/write lock (Curator LockInternals): an
 * ephemeral-sequential node with a protected GUID prefix, then: list the lock's children, ask the decision
 * function, and when not acquired watch exactly the one node it names (getData watch, so a vanished node is
 * detected at once and no watch leaks).
 */
import { NoNodeError } from '@paddock/client';
import type { Framework } from './framework.js';
import { LockNodeMissingError, sortBySequence, type LockDecision } from './lock-rules.js';
import { Wakeup, abortError, createProtected, guaranteedDelete, joinPath, nodeName, sequenceOf } from './utils.js';

export interface LockStats {
  /** Lock nodes created. */
  attempts: number;
  /** Times the lock was obtained (not counting re-entries). */
  acquisitions: number;
  /** Watches set on a predecessor. */
  watchesSet: number;
  /** Times a predecessor watch fired and woke a waiter. */
  wakeups: number;
  /** Acquire attempts that timed out. */
  timeouts: number;
  /** The nodes watched, in order (names, protected prefix included). */
  watched: string[];
}

export function emptyLockStats(): LockStats {
  return { attempts: 0, acquisitions: 0, watchesSet: 0, wakeups: 0, timeouts: 0, watched: [] };
}

export interface AttemptOptions {
  signal?: AbortSignal | undefined;
  /** Absolute time (Date.now()) after which the attempt gives up. */
  deadline?: number | undefined;
  data?: Buffer | string | null | undefined;
}

export class LockInternals {
  constructor(
    readonly framework: Framework,
    readonly dir: string,
    readonly lockName: string,
    private readonly decide: (sorted: readonly string[], ours: string) => LockDecision,
    readonly stats: LockStats = emptyLockStats(),
    /** Which children of `dir` take part (default: every sequential child). */
    private readonly participates: (name: string) => boolean = (name) => sequenceOf(name) >= 0,
  ) {}

  /** The lock's nodes in lock order. */
  async sortedChildren(): Promise<string[]> {
    let children: string[];
    try {
      children = await this.framework.run((c) => c.getChildren(this.dir));
    } catch (error) {
      if (error instanceof NoNodeError) return [];
      throw error;
    }
    return sortBySequence(children.filter(this.participates));
  }

  /** Resolves with our lock node path once held, or undefined when the deadline passed (the node is removed). */
  async attempt(options: AttemptOptions = {}): Promise<string | undefined> {
    const { signal, deadline } = options;
    if (signal?.aborted) throw abortError(signal, 'lock acquire');
    const ourPath = await createProtected(this.framework, this.dir, this.lockName, options.data ?? null, 'ephemeralSequential', signal);
    this.stats.attempts++;
    const ourName = nodeName(ourPath);
    try {
      for (;;) {
        if (signal?.aborted) throw abortError(signal, 'lock acquire');
        const sorted = await this.sortedChildren();
        const decision = this.decide(sorted, ourName);
        if (decision.acquired) {
          this.stats.acquisitions++;
          return ourPath;
        }
        if (deadline !== undefined && Date.now() >= deadline) {
          this.stats.timeouts++;
          await guaranteedDelete(this.framework, ourPath);
          return undefined;
        }
        const wakeup = new Wakeup(this.framework, { signal, deadline });
        try {
          await this.framework.run((c) => c.getData(joinPath(this.dir, decision.watch), { watch: wakeup.watcher }));
        } catch (error) {
          wakeup.dispose();
          if (error instanceof NoNodeError) continue; // gone already: re-check at once
          throw error;
        }
        this.stats.watchesSet++;
        if (this.stats.watched.length < 1000) this.stats.watched.push(decision.watch);
        const reason = await wakeup.wait();
        if (reason === 'watch') this.stats.wakeups++;
        else if (reason === 'aborted') throw abortError(signal, 'lock acquire');
        // 'timeout' is handled at the top of the loop (one last check first); 'connection': re-check
      }
    } catch (error) {
      if (!(error instanceof LockNodeMissingError)) await guaranteedDelete(this.framework, ourPath).catch(() => undefined);
      throw error;
    }
  }

  async release(path: string): Promise<void> {
    await guaranteedDelete(this.framework, path);
  }
}

export function deadlineOf(timeoutMs: number | undefined): number | undefined {
  return timeoutMs === undefined ? undefined : Date.now() + Math.max(0, timeoutMs);
}
