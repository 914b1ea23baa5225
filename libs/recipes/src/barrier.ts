/**
 * DistributedBarrier and DistributedDoubleBarrier (Curator).
 *
 * - Barrier: while the barrier node exists, waitOnBarrier() blocks; removeBarrier() releases every waiter.
 * - Double barrier: enter() blocks until `memberQty` members entered (each is an ephemeral node; the last one to
 *   arrive creates the "ready" node), leave() blocks until every member left (Curator's algorithm: the lowest
 *   member waits for the highest, the others delete their node and wait for the lowest).
 */
import { randomUUID } from 'node:crypto';
import { NoNodeError, NodeExistsError } from '@paddock/client';
import { toFramework, type ClientLike, type Framework } from './framework.js';
import { deadlineOf } from './lock-internals.js';
import { Wakeup, abortError, deleteIfExists, ensurePath, joinPath, parentOf } from './utils.js';

export interface WaitOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export class DistributedBarrier {
  readonly framework: Framework;

  constructor(
    client: ClientLike,
    readonly path: string,
  ) {
    this.framework = toFramework(client);
  }

  /** Creates the barrier node (existing is fine). */
  async setBarrier(): Promise<void> {
    await this.framework.run(async (c) => {
      try {
        await ensurePath(c, parentOf(this.path));
        await c.create(this.path);
      } catch (error) {
        if (!(error instanceof NodeExistsError)) throw error;
      }
    });
  }

  async removeBarrier(): Promise<void> {
    await this.framework.run((c) => deleteIfExists(c, this.path));
  }

  /** Resolves true once the barrier is gone, false on timeout; rejects when aborted. */
  async waitOnBarrier(options: WaitOptions = {}): Promise<boolean> {
    const deadline = deadlineOf(options.timeoutMs);
    for (;;) {
      const wakeup = new Wakeup(this.framework, { signal: options.signal, deadline });
      const stat = await this.framework.run((c) => c.exists(this.path, { watch: wakeup.watcher })).catch((e: unknown) => {
        wakeup.dispose();
        throw e;
      });
      if (!stat) {
        wakeup.dispose();
        return true;
      }
      const reason = await wakeup.wait();
      if (reason === 'aborted') throw abortError(options.signal, 'barrier wait');
      if (reason === 'timeout') return (await this.framework.run((c) => c.exists(this.path))) === null;
    }
  }
}

const READY = 'ready';

export class DistributedDoubleBarrier {
  readonly framework: Framework;
  readonly ourPath: string;
  private readonly readyPath: string;

  constructor(
    client: ClientLike,
    readonly barrierPath: string,
    readonly memberQty: number,
    readonly id: string = randomUUID(),
  ) {
    this.framework = toFramework(client);
    this.ourPath = joinPath(barrierPath, id);
    this.readyPath = joinPath(barrierPath, READY);
  }

  /** Enters; resolves true once `memberQty` members are in, false on timeout (our node is then removed). */
  async enter(options: WaitOptions = {}): Promise<boolean> {
    const deadline = deadlineOf(options.timeoutMs);
    const wakeup = new Wakeup(this.framework, { signal: options.signal, deadline });
    let readyExists = (await this.framework.run((c) => c.exists(this.readyPath, { watch: wakeup.watcher }))) !== null;
    await this.framework.run(async (c) => {
      try {
        await c.create(this.ourPath, null, { mode: 'ephemeral' });
      } catch (error) {
        if (error instanceof NodeExistsError) return;
        if (!(error instanceof NoNodeError)) throw error;
        await ensurePath(c, this.barrierPath);
        await c.create(this.ourPath, null, { mode: 'ephemeral' }).catch((e: unknown) => {
          if (!(e instanceof NodeExistsError)) throw e;
        });
      }
    });
    let current = wakeup;
    try {
      for (;;) {
        if (readyExists) return true;
        const children = (await this.framework.run((c) => c.getChildren(this.barrierPath))).filter((n) => n !== READY);
        if (children.length >= this.memberQty) {
          await this.framework.run((c) => c.create(this.readyPath)).catch((e: unknown) => {
            if (!(e instanceof NodeExistsError)) throw e;
          });
          return true;
        }
        const reason = await current.wait();
        if (reason === 'aborted') throw abortError(options.signal, 'double barrier enter');
        if (reason === 'timeout') {
          if (await this.framework.run((c) => c.exists(this.readyPath))) return true;
          await this.framework.run((c) => deleteIfExists(c, this.ourPath));
          return false;
        }
        current = new Wakeup(this.framework, { signal: options.signal, deadline });
        readyExists = (await this.framework.run((c) => c.exists(this.readyPath, { watch: current.watcher }))) !== null;
      }
    } finally {
      current.dispose();
    }
  }

  /** Leaves; resolves true once every member left, false on timeout. */
  async leave(options: WaitOptions = {}): Promise<boolean> {
    const deadline = deadlineOf(options.timeoutMs);
    let ourNodeShouldExist = true;
    const ourName = this.id;
    for (;;) {
      let children: string[];
      try {
        children = (await this.framework.run((c) => c.getChildren(this.barrierPath))).filter((n) => n !== READY).sort();
      } catch (error) {
        if (error instanceof NoNodeError) break;
        throw error;
      }
      if (children.length === 0) break;
      const ourIndex = children.indexOf(ourName);
      if (ourIndex < 0 && ourNodeShouldExist) throw new Error(`our barrier node ${this.ourPath} is missing (session expired?)`);
      if (children.length === 1) {
        if (ourNodeShouldExist && children[0] !== ourName) throw new Error(`last barrier node is not ours: ${children[0]}`);
        await this.framework.run((c) => deleteIfExists(c, this.ourPath));
        break;
      }
      const isLowest = ourIndex === 0;
      let watchPath: string;
      if (isLowest) {
        watchPath = joinPath(this.barrierPath, children[children.length - 1]!);
      } else {
        watchPath = joinPath(this.barrierPath, children[0]!);
        if (ourNodeShouldExist) {
          await this.framework.run((c) => deleteIfExists(c, this.ourPath));
          ourNodeShouldExist = false;
        }
      }
      const wakeup = new Wakeup(this.framework, { signal: options.signal, deadline });
      const stat = await this.framework.run((c) => c.exists(watchPath, { watch: wakeup.watcher }));
      if (!stat) {
        wakeup.dispose();
        continue;
      }
      const reason = await wakeup.wait();
      if (reason === 'aborted') throw abortError(options.signal, 'double barrier leave');
      if (reason === 'timeout') return false;
    }
    await this.framework.run((c) => deleteIfExists(c, this.readyPath)).catch(() => undefined);
    return true;
  }
}
