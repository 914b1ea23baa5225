/**
 * SharedCount and DistributedAtomicLong (Curator): an integer in one znode, changed by optimistic
 * compare-and-set on the node version. SharedCount stores a 4-byte big-endian int and tells listeners about
 * changes; DistributedAtomicLong stores an 8-byte big-endian long and retries contended updates under a retry
 * policy, reporting success, pre- and post-value.
 */
import { EventEmitter } from 'node:events';
import { BadVersionError, NoNodeError, NodeExistsError, exponentialBackoff, type RetryPolicy } from '@paddock/client';
import { toFramework, type ClientLike, type ConnectionState, type Framework } from './framework.js';
import { ensurePath, parentOf, sleep } from './utils.js';

export interface VersionedValue<T> {
  value: T;
  /** The znode version the value was read at (-1: the node did not exist). */
  version: number;
}

export function encodeInt32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(value);
  return b;
}
export function decodeInt32(bytes: Buffer): number {
  return bytes.length >= 4 ? bytes.readInt32BE(0) : 0;
}
export function encodeInt64(value: number | bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(value));
  return b;
}
export function decodeInt64(bytes: Buffer): bigint {
  return bytes.length >= 8 ? bytes.readBigInt64BE(0) : 0n;
}

async function createIfMissing(framework: Framework, path: string, data: Buffer): Promise<void> {
  await framework.run(async (c) => {
    if (await c.exists(path)) return;
    try {
      await ensurePath(c, parentOf(path));
      await c.create(path, data);
    } catch (error) {
      if (!(error instanceof NodeExistsError)) throw error;
    }
  });
}

export type SharedCountEvents = {
  countChanged: [value: number];
  error: [error: unknown];
};

export class SharedCount extends EventEmitter<SharedCountEvents> {
  readonly framework: Framework;
  private current: VersionedValue<number>;
  private started = false;
  private readonly onConnection = (s: ConnectionState) => {
    if (s === 'reconnected') void this.read().catch((e: unknown) => this.listenerCount('error') > 0 && this.emit('error', e));
  };

  constructor(
    client: ClientLike,
    readonly path: string,
    readonly seedValue: number,
  ) {
    super();
    this.framework = toFramework(client);
    this.current = { value: seedValue, version: -1 };
  }

  /** Creates the node with the seed value if missing, reads it and starts watching. */
  async start(): Promise<void> {
    if (this.started) throw new Error('already started');
    this.started = true;
    await createIfMissing(this.framework, this.path, encodeInt32(this.seedValue));
    this.framework.on('connectionState', this.onConnection);
    await this.read();
  }

  async close(): Promise<void> {
    this.started = false;
    this.framework.off('connectionState', this.onConnection);
  }

  getCount(): number {
    return this.current.value;
  }

  getVersionedValue(): VersionedValue<number> {
    return { ...this.current };
  }

  /** Sets unconditionally. */
  async setCount(value: number): Promise<void> {
    const stat = await this.framework.run((c) => c.setData(this.path, encodeInt32(value)));
    this.update({ value, version: stat.version });
  }

  /** Sets only if the node is still at `previous.version`; false when someone changed it first. */
  async trySetCount(previous: VersionedValue<number>, value: number): Promise<boolean> {
    try {
      // not retried blindly: after a ConnectionLoss the write may have applied (a retry would say BadVersion)
      const stat = await this.framework.client.setData(this.path, encodeInt32(value), previous.version);
      this.update({ value, version: stat.version });
      return true;
    } catch (error) {
      if (error instanceof BadVersionError) {
        await this.read();
        return false;
      }
      throw error;
    }
  }

  private update(next: VersionedValue<number>): void {
    if (next.version <= this.current.version) return;
    const changed = next.value !== this.current.value;
    this.current = next;
    if (changed) this.emit('countChanged', next.value);
  }

  private async read(): Promise<void> {
    if (!this.started) return;
    const watcher = () => {
      if (this.started) void this.read().catch((e: unknown) => this.listenerCount('error') > 0 && this.emit('error', e));
    };
    try {
      const { data, stat } = await this.framework.run((c) => c.getData(this.path, { watch: watcher }));
      this.update({ value: decodeInt32(data ?? Buffer.alloc(0)), version: stat.version });
    } catch (error) {
      if (!(error instanceof NoNodeError)) throw error;
      await createIfMissing(this.framework, this.path, encodeInt32(this.seedValue));
      await this.read();
    }
  }
}

export interface AtomicValue {
  /** Whether the operation applied (false when the retry policy gave up under contention). */
  succeeded: boolean;
  preValue: bigint;
  postValue: bigint;
  /** Optimistic attempts made. */
  attempts: number;
}

export interface DistributedAtomicLongOptions {
  /** Retries of contended (BadVersion / NodeExists) attempts. Default: exponential backoff 1..50 ms, 100 retries. */
  retryPolicy?: RetryPolicy;
}

export class DistributedAtomicLong {
  readonly framework: Framework;
  private readonly policy: RetryPolicy;

  constructor(
    client: ClientLike,
    readonly path: string,
    options: DistributedAtomicLongOptions = {},
  ) {
    this.framework = toFramework(client);
    this.policy = options.retryPolicy ?? exponentialBackoff({ baseDelayMs: 1, maxDelayMs: 50, maxRetries: 100, jitter: 1 });
  }

  /** The current value (0 if the node does not exist). */
  async get(): Promise<bigint> {
    try {
      const { data } = await this.framework.run((c) => c.getData(this.path));
      return decodeInt64(data ?? Buffer.alloc(0));
    } catch (error) {
      if (error instanceof NoNodeError) return 0n;
      throw error;
    }
  }

  increment(): Promise<AtomicValue> {
    return this.add(1n);
  }
  decrement(): Promise<AtomicValue> {
    return this.add(-1n);
  }
  add(delta: number | bigint): Promise<AtomicValue> {
    const d = BigInt(delta);
    return this.modify((v) => v + d);
  }
  subtract(delta: number | bigint): Promise<AtomicValue> {
    const d = BigInt(delta);
    return this.modify((v) => v - d);
  }

  /** Sets unconditionally (still through CAS, so it reports the value it replaced). */
  trySet(value: number | bigint): Promise<AtomicValue> {
    const v = BigInt(value);
    return this.modify(() => v);
  }

  /** One CAS: applies only if the current value equals `expected`. */
  async compareAndSet(expected: number | bigint, value: number | bigint): Promise<AtomicValue> {
    const exp = BigInt(expected);
    const { value: current, version } = await this.read();
    if (current !== exp) return { succeeded: false, preValue: current, postValue: current, attempts: 1 };
    const ok = await this.tryWrite(version, BigInt(value));
    return { succeeded: ok, preValue: current, postValue: ok ? BigInt(value) : current, attempts: 1 };
  }

  /** Initializes the node if it does not exist; false if it already did. */
  async initialize(value: number | bigint): Promise<boolean> {
    try {
      await this.framework.run(async (c) => {
        await ensurePath(c, parentOf(this.path));
        await c.create(this.path, encodeInt64(value));
      });
      return true;
    } catch (error) {
      if (error instanceof NodeExistsError) return false;
      throw error;
    }
  }

  private async read(): Promise<{ value: bigint; version: number }> {
    try {
      const { data, stat } = await this.framework.run((c) => c.getData(this.path));
      return { value: decodeInt64(data ?? Buffer.alloc(0)), version: stat.version };
    } catch (error) {
      if (error instanceof NoNodeError) return { value: 0n, version: -1 };
      throw error;
    }
  }

  /** version -1 means "create". */
  private async tryWrite(version: number, value: bigint): Promise<boolean> {
    try {
      if (version < 0) {
        await this.framework.run(async (c) => {
          await ensurePath(c, parentOf(this.path));
          await c.create(this.path, encodeInt64(value));
        });
      } else {
        // not retried: after a ConnectionLoss the write may or may not have applied, and a blind retry could
        // apply the delta twice, so the (retryable) error goes to the caller instead
        await this.framework.client.setData(this.path, encodeInt64(value), version);
      }
      return true;
    } catch (error) {
      if (error instanceof BadVersionError || error instanceof NodeExistsError) return false;
      throw error;
    }
  }

  private async modify(fn: (current: bigint) => bigint): Promise<AtomicValue> {
    const started = Date.now();
    let last = 0n;
    for (let attempt = 0; ; attempt++) {
      const { value, version } = await this.read();
      last = value;
      const next = fn(value);
      if (await this.tryWrite(version, next)) return { succeeded: true, preValue: value, postValue: next, attempts: attempt + 1 };
      const delay = this.policy.nextDelay(attempt, Date.now() - started);
      if (delay === undefined) return { succeeded: false, preValue: last, postValue: last, attempts: attempt + 1 };
      if (delay > 0) await sleep(delay);
    }
  }
}
