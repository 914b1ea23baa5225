/**
 * InterProcessSemaphoreV2 (Curator): up to `maxLeases` leases at a time across processes. A lease is an
 * ephemeral-sequential node (protected GUID prefix) under `<path>/leases`; it is held while fewer than
 * `maxLeases` lease nodes precede it, and expires with its holder's session. Waiters watch the lease list and
 * re-check when it changes; waiting can be bounded (timeout) or aborted.
 */
import { NoNodeError } from '@paddock/client';
import { toFramework, type ClientLike, type Framework } from './framework.js';
import { deadlineOf } from './lock-internals.js';
import { LockNodeMissingError, mutexDecision, sortBySequence } from './lock-rules.js';
import { Wakeup, abortError, createProtected, guaranteedDelete, joinPath, nodeName, sequenceOf } from './utils.js';

export interface Lease {
  /** The lease node. */
  readonly path: string;
  /** Returns the lease. */
  close(): Promise<void>;
}

export interface SemaphoreAcquireOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export class InterProcessSemaphoreV2 {
  readonly framework: Framework;
  readonly leasesPath: string;
  private readonly active = new Set<string>();

  constructor(
    client: ClientLike,
    readonly path: string,
    readonly maxLeases: number,
    private readonly options: { data?: Buffer | string | null } = {},
  ) {
    if (!Number.isInteger(maxLeases) || maxLeases < 1) throw new RangeError('maxLeases must be >= 1');
    this.framework = toFramework(client);
    this.leasesPath = joinPath(path, 'leases');
  }

  /** One lease, or undefined when the timeout passed. */
  async acquire(options: SemaphoreAcquireOptions = {}): Promise<Lease | undefined> {
    const leases = await this.acquireMany(1, options);
    return leases?.[0];
  }

  /** `qty` leases (all or none), or undefined when the timeout passed. */
  async acquireMany(qty: number, options: SemaphoreAcquireOptions = {}): Promise<Lease[] | undefined> {
    if (qty < 1 || qty > this.maxLeases) throw new RangeError(`qty must be 1..${this.maxLeases}`);
    const deadline = deadlineOf(options.timeoutMs);
    const got: Lease[] = [];
    try {
      for (let i = 0; i < qty; i++) {
        const lease = await this.acquireOne(deadline, options.signal);
        if (!lease) {
          await this.returnAll(got);
          return undefined;
        }
        got.push(lease);
      }
      return got;
    } catch (error) {
      await this.returnAll(got);
      throw error;
    }
  }

  async returnLease(lease: Lease): Promise<void> {
    await lease.close();
  }

  async returnAll(leases: readonly Lease[]): Promise<void> {
    for (const lease of leases) await lease.close();
  }

  /** Lease node names currently present (holders first, then waiters). */
  async getParticipantNodes(): Promise<string[]> {
    try {
      const children = await this.framework.run((c) => c.getChildren(this.leasesPath));
      return sortBySequence(children.filter((n) => sequenceOf(n) >= 0));
    } catch (error) {
      if (error instanceof NoNodeError) return [];
      throw error;
    }
  }

  private async acquireOne(deadline: number | undefined, signal: AbortSignal | undefined): Promise<Lease | undefined> {
    if (signal?.aborted) throw abortError(signal, 'semaphore acquire');
    const ourPath = await createProtected(this.framework, this.leasesPath, 'lease-', this.options.data ?? null, 'ephemeralSequential', signal);
    const ourName = nodeName(ourPath);
    try {
      for (;;) {
        if (signal?.aborted) throw abortError(signal, 'semaphore acquire');
        const wakeup = new Wakeup(this.framework, { signal, deadline });
        let children: string[];
        try {
          children = await this.framework.run((c) => c.getChildren(this.leasesPath, { watch: wakeup.watcher }));
        } catch (error) {
          wakeup.dispose();
          throw error;
        }
        const sorted = sortBySequence(children.filter((n) => sequenceOf(n) >= 0));
        if (mutexDecision(sorted, ourName, this.maxLeases).acquired) {
          wakeup.dispose();
          return this.makeLease(ourPath);
        }
        if (deadline !== undefined && Date.now() >= deadline) {
          wakeup.dispose();
          await guaranteedDelete(this.framework, ourPath);
          return undefined;
        }
        const reason = await wakeup.wait();
        if (reason === 'aborted') throw abortError(signal, 'semaphore acquire');
      }
    } catch (error) {
      if (!(error instanceof LockNodeMissingError)) await guaranteedDelete(this.framework, ourPath).catch(() => undefined);
      throw error;
    }
  }

  private makeLease(path: string): Lease {
    this.active.add(path);
    let closed = false;
    return {
      path,
      close: async () => {
        if (closed) return;
        closed = true;
        this.active.delete(path);
        await guaranteedDelete(this.framework, path);
      },
    };
  }
}
