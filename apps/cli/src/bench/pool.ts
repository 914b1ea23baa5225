/**
 * The parent's side of the load generators: P node processes running worker.js, each reached
 * through IPC with request/response ids.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkerCommand, WorkerReply } from './protocol.js';
import { spawnChild, type SpawnedChild } from './servers.js';

/** worker.js next to this module; from sources (tests run TypeScript), the built copy in dist/. */
export function workerScript(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const local = path.join(here, 'worker.js');
  if (existsSync(local)) return local;
  const built = path.resolve(here, '..', '..', 'dist', 'bench', 'worker.js');
  if (existsSync(built)) return built;
  throw new Error(`load generator ${local} not found: build first (npx tsc -b)`);
}

class Worker {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  readonly ready: Promise<void>;

  constructor(
    readonly index: number,
    private readonly proc: SpawnedChild,
  ) {
    let markReady: () => void = () => undefined;
    this.ready = new Promise<void>((resolve) => (markReady = resolve));
    proc.child.on('message', (message: WorkerReply) => {
      if (message.id === 0) {
        markReady();
        return;
      }
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new Error(`load generator ${index}: ${message.error}`));
    });
    void proc.exited.then(() => {
      const error = new Error(`load generator ${index} exited\n${proc.tail()}`);
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    });
  }

  request<T>(command: WorkerCommand): Promise<T> {
    if (!this.proc.running) return Promise.reject(new Error(`load generator ${this.index} is not running\n${this.proc.tail()}`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.proc.child.send({ ...command, id });
    });
  }

  async stop(): Promise<void> {
    if (this.proc.running) this.proc.child.disconnect();
    const timer = setTimeout(() => void this.proc.kill(), 3_000);
    await this.proc.exited;
    clearTimeout(timer);
  }
}

export class WorkerPool {
  private constructor(readonly workers: readonly Worker[]) {}

  static async start(processes: number): Promise<WorkerPool> {
    const script = workerScript();
    const workers = Array.from(
      { length: processes },
      (_, index) => new Worker(index, spawnChild(process.execPath, [script], { ipc: true, env: { NODE_OPTIONS: undefined } })),
    );
    const pool = new WorkerPool(workers);
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('load generators did not start within 30 s')), 30_000).unref(),
    );
    try {
      await Promise.race([Promise.all(workers.map((w) => w.ready)), timeout]);
    } catch (error) {
      await pool.stop();
      throw error;
    }
    return pool;
  }

  get size(): number {
    return this.workers.length;
  }

  /** Sends a command to every worker, `build(index)` giving each its own, and waits for all. */
  all<T>(build: (index: number) => WorkerCommand | undefined): Promise<T[]> {
    return Promise.all(
      this.workers.flatMap((worker) => {
        const command = build(worker.index);
        return command ? [worker.request<T>(command)] : [];
      }),
    );
  }

  one<T>(index: number, command: WorkerCommand): Promise<T> {
    const worker = this.workers[index];
    if (!worker) throw new Error(`no load generator ${index}`);
    return worker.request<T>(command);
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.stop()));
  }
}

/** Splits `total` into `parts` near-equal shares (the first ones get the remainder). */
export function split(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  return Array.from({ length: parts }, (_, i) => base + (i < total % parts ? 1 : 0));
}
