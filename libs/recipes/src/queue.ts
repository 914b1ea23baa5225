/**
 * DistributedQueue (FIFO) and DistributedPriorityQueue (Curator). Items are persistent-sequential nodes under the
 * queue path; consumers take the lowest node by getData + delete, and whoever deletes it owns the item (a lost
 * race just moves on to the next node), so every item is consumed exactly once. Consumers block on a children
 * watch when the queue is empty.
 *
 * Priority queue node names carry the priority before the sequence ("queue-<priority>-<seq>"), encoded so that
 * name order is priority order (lower number first), then FIFO within a priority.
 */
import { NoNodeError } from '@paddock/client';
import { toFramework, type ClientLike, type Framework } from './framework.js';
import { Wakeup, abortError, ensurePath, joinPath } from './utils.js';
import { deadlineOf } from './lock-internals.js';

export interface QueueSerializer<T> {
  serialize(item: T): Buffer;
  deserialize(bytes: Buffer): T;
}

export const jsonSerializer: QueueSerializer<unknown> = {
  serialize: (item) => Buffer.from(JSON.stringify(item), 'utf8'),
  deserialize: (bytes) => JSON.parse(bytes.toString('utf8')) as unknown,
};

export const QUEUE_PREFIX = 'queue-';

/** Sorts queue node names: for FIFO by sequence (names are "queue-<seq>"); for priority by the encoded priority, then sequence. */
export function queueOrder(names: readonly string[]): string[] {
  return names.filter((n) => n.startsWith(QUEUE_PREFIX)).sort();
}

/** Priority encoded as 8 hex digits of (priority + 2^31): name order == numeric order. */
export function encodePriority(priority: number): string {
  if (!Number.isInteger(priority) || priority < -(2 ** 31) || priority >= 2 ** 31) throw new RangeError('priority must be a 32-bit integer');
  return (priority + 2 ** 31).toString(16).padStart(8, '0');
}

export function decodePriority(name: string): number | undefined {
  const m = /^queue-([0-9a-f]{8})-\d{10}$/.exec(name);
  return m ? parseInt(m[1]!, 16) - 2 ** 31 : undefined;
}

export interface TakeOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export class DistributedQueue<T = unknown> {
  readonly framework: Framework;
  private readonly serializer: QueueSerializer<T>;

  constructor(
    client: ClientLike,
    readonly path: string,
    serializer?: QueueSerializer<T>,
  ) {
    this.framework = toFramework(client);
    this.serializer = serializer ?? (jsonSerializer as QueueSerializer<T>);
  }

  /** Adds an item at the tail; resolves with its node path. */
  put(item: T): Promise<string> {
    return this.putNamed(QUEUE_PREFIX, item);
  }

  protected async putNamed(prefix: string, item: T): Promise<string> {
    const data = this.serializer.serialize(item);
    // no protected create here: a retried put after ConnectionLoss may enqueue twice (Curator's queue has the same
    // at-least-once put); callers needing exactly-once can use putInTransaction-style ids in the payload
    return this.framework.run(async (c) => {
      try {
        return await c.create(joinPath(this.path, prefix), data, { mode: 'persistentSequential' });
      } catch (error) {
        if (!(error instanceof NoNodeError)) throw error;
        await ensurePath(c, this.path);
        return await c.create(joinPath(this.path, prefix), data, { mode: 'persistentSequential' });
      }
    });
  }

  /** Node names in consumption order. */
  async nodes(watch?: Wakeup): Promise<string[]> {
    try {
      const children = await this.framework.run((c) => c.getChildren(this.path, watch ? { watch: watch.watcher } : {}));
      return queueOrder(children);
    } catch (error) {
      if (!(error instanceof NoNodeError)) throw error;
      await this.framework.run((c) => ensurePath(c, this.path));
      return this.nodes(watch);
    }
  }

  async size(): Promise<number> {
    return (await this.nodes()).length;
  }

  /** The head item without removing it, or undefined when empty. */
  async peek(): Promise<T | undefined> {
    for (const name of await this.nodes()) {
      try {
        const { data } = await this.framework.run((c) => c.getData(joinPath(this.path, name)));
        return this.serializer.deserialize(data ?? Buffer.alloc(0));
      } catch (error) {
        if (!(error instanceof NoNodeError)) throw error;
      }
    }
    return undefined;
  }

  /** Removes and returns the head item, or undefined when empty. */
  async poll(): Promise<T | undefined> {
    const taken = await this.tryTake(await this.nodes());
    return taken?.item;
  }

  /** Removes and returns the head item, waiting for one; undefined on timeout. */
  async take(options: TakeOptions = {}): Promise<T | undefined> {
    const deadline = deadlineOf(options.timeoutMs);
    for (;;) {
      const wakeup = new Wakeup(this.framework, { signal: options.signal, deadline });
      try {
        const names = await this.nodes(wakeup);
        const taken = await this.tryTake(names);
        if (taken) return taken.item;
        const reason = await wakeup.wait();
        if (reason === 'aborted') throw abortError(options.signal, 'queue take');
        if (reason === 'timeout') return (await this.poll()) ?? undefined;
      } finally {
        wakeup.dispose();
      }
    }
  }

  private async tryTake(names: readonly string[]): Promise<{ item: T } | undefined> {
    for (const name of names) {
      const path = joinPath(this.path, name);
      let data: Buffer;
      let version: number;
      try {
        const r = await this.framework.run((c) => c.getData(path));
        data = r.data ?? Buffer.alloc(0);
        version = r.stat.version;
      } catch (error) {
        if (error instanceof NoNodeError) continue;
        throw error;
      }
      try {
        await this.framework.client.delete(path, version);
      } catch (error) {
        if (error instanceof NoNodeError) continue; // someone else took it
        throw error; // ConnectionLoss: we cannot know who got it; surface instead of risking a duplicate
      }
      return { item: this.serializer.deserialize(data) };
    }
    return undefined;
  }

  /**
   * Consumes items one at a time with `consumer` until the signal aborts (Curator's QueueConsumer). An item whose
   * consumer throws is lost, as in Curator's non-lock-safe mode.
   */
  async consume(consumer: (item: T) => Promise<void> | void, signal: AbortSignal): Promise<void> {
    for (;;) {
      if (signal.aborted) return;
      let item: T | undefined;
      try {
        item = await this.take({ signal });
      } catch (error) {
        if (signal.aborted) return;
        throw error;
      }
      if (item !== undefined) await consumer(item);
    }
  }
}

export class DistributedPriorityQueue<T = unknown> extends DistributedQueue<T> {
  /** Adds an item; lower priority numbers are taken first, FIFO within one priority. */
  putWithPriority(item: T, priority: number): Promise<string> {
    return this.putNamed(`${QUEUE_PREFIX}${encodePriority(priority)}-`, item);
  }

  /** Plain put() uses priority 0. */
  override put(item: T): Promise<string> {
    return this.putWithPriority(item, 0);
  }
}
