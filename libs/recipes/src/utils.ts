/** Helpers shared by the recipes: paths, sequence names, protected (GUID-prefixed) creates, bounded waits. */
import { randomUUID } from 'node:crypto';
import {
  NoNodeError,
  NodeExistsError,
  NotEmptyError,
  ZooKeeperError,
  isRetryable,
  type CreateMode,
  type Watcher,
  type ZooKeeperClient,
} from '@paddock/client';
import type { ConnectionState, Framework } from './framework.js';

export function joinPath(parent: string, child: string): string {
  return parent === '/' ? `/${child}` : `${parent}/${child}`;
}

export function nodeName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** The 10-digit sequence suffix of a sequential node name, or -1 if there is none. */
export function sequenceOf(name: string): number {
  const m = /(\d{10})$/.exec(name);
  return m ? Number(m[1]) : -1;
}

/** Curator's protected-mode prefix: "_c_" + GUID + "-". */
export const PROTECTED_PREFIX = '_c_';
export function protectedPrefix(guid: string): string {
  return `${PROTECTED_PREFIX}${guid}-`;
}
/** The name without a protected prefix ("_c_<guid>-lock-0000000001" -> "lock-0000000001"). */
export function stripProtectedPrefix(name: string): string {
  if (!name.startsWith(PROTECTED_PREFIX)) return name;
  const dash = name.indexOf('-', PROTECTED_PREFIX.length + 36 - 1);
  return dash >= 0 ? name.slice(dash + 1) : name;
}

/** Creates `path` and its missing ancestors as persistent nodes (mkdirs); existing nodes are fine. */
export async function ensurePath(client: ZooKeeperClient, path: string): Promise<void> {
  if (path === '/') return;
  if (await client.exists(path)) return;
  const parts = path.split('/').filter(Boolean);
  let current = '';
  for (const part of parts) {
    current += `/${part}`;
    try {
      await client.create(current);
    } catch (error) {
      if (!(error instanceof NodeExistsError)) throw error;
    }
  }
}

/** Deletes a node and everything under it; a missing node is fine. */
export async function deleteRecursive(client: ZooKeeperClient, path: string): Promise<void> {
  for (let attempt = 0; attempt < 10; attempt++) {
    let children: string[];
    try {
      children = await client.getChildren(path);
    } catch (error) {
      if (error instanceof NoNodeError) return;
      throw error;
    }
    for (const child of children) await deleteRecursive(client, joinPath(path, child));
    try {
      await client.delete(path);
      return;
    } catch (error) {
      if (error instanceof NoNodeError) return;
      if (!(error instanceof NotEmptyError)) throw error;
    }
  }
}

/** Deletes a node, ignoring NoNode. */
export async function deleteIfExists(client: ZooKeeperClient, path: string, version = -1): Promise<boolean> {
  try {
    await client.delete(path, version);
    return true;
  } catch (error) {
    if (error instanceof NoNodeError) return false;
    throw error;
  }
}

/**
 * Curator's protected create: the node name carries a GUID prefix, so when a create fails with ConnectionLoss
 * (it may or may not have been applied) the retry first looks for a child with that GUID and adopts it instead
 * of creating a second node. Parents are created as needed. Resolves with the full path.
 */
export async function createProtected(
  framework: Framework,
  dir: string,
  suffix: string,
  data: Buffer | string | null,
  mode: CreateMode,
  signal?: AbortSignal,
): Promise<string> {
  const guid = randomUUID();
  const prefix = protectedPrefix(guid);
  let checkFirst = false;
  return framework.run(
    async (client) => {
      if (checkFirst) {
        const found = await findProtected(client, dir, prefix);
        if (found) return found;
      }
      checkFirst = true;
      try {
        return await client.create(joinPath(dir, prefix + suffix), data, { mode });
      } catch (error) {
        if (!(error instanceof NoNodeError)) throw error;
        await ensurePath(client, dir);
        return await client.create(joinPath(dir, prefix + suffix), data, { mode });
      }
    },
    signal ? { signal } : {},
  );
}

async function findProtected(client: ZooKeeperClient, dir: string, prefix: string): Promise<string | undefined> {
  try {
    const children = await client.getChildren(dir);
    const name = children.find((c) => c.startsWith(prefix));
    return name === undefined ? undefined : joinPath(dir, name);
  } catch (error) {
    if (error instanceof NoNodeError) return undefined;
    throw error;
  }
}

/**
 * Deletes a node, retrying connection problems in the background until it is gone (Curator's guaranteed
 * delete): the returned promise settles after the first attempt; a retry loop continues while the session lives.
 */
export async function guaranteedDelete(framework: Framework, path: string): Promise<void> {
  const attempt = async () => {
    await framework.run((client) => deleteIfExists(client, path));
  };
  try {
    await attempt();
  } catch (error) {
    if (!isRetryable(error)) {
      if (error instanceof ZooKeeperError && error.code === -112) return; // session expired: ephemeral gone
      throw error;
    }
    const retry = async (): Promise<void> => {
      for (let i = 0; i < 100 && !framework.isClosed; i++) {
        try {
          await framework.waitForConnected(30_000);
          await attempt();
          return;
        } catch (e) {
          if (!isRetryable(e)) return;
          await sleep(200);
        }
      }
    };
    void retry();
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

export type WakeReason = 'watch' | 'timeout' | 'aborted' | 'connection';

/**
 * One wait for a one-shot watch: hand `watcher` to a read, then `wait()`. It also ends on the deadline, on
 * `signal`, and on a connection-state change (so callers re-check after a reconnect or a lost session).
 */
export class Wakeup {
  readonly watcher: Watcher;
  private resolveFn: ((reason: WakeReason) => void) | undefined;
  private readonly promise: Promise<WakeReason>;
  private fired: WakeReason | undefined;
  private readonly cleanups: Array<() => void> = [];

  constructor(framework: Framework, options: { signal?: AbortSignal | undefined; deadline?: number | undefined } = {}) {
    this.promise = new Promise((resolve) => (this.resolveFn = resolve));
    this.watcher = () => this.fire('watch');
    const { signal, deadline } = options;
    if (signal) {
      if (signal.aborted) this.fire('aborted');
      const onAbort = () => this.fire('aborted');
      signal.addEventListener('abort', onAbort, { once: true });
      this.cleanups.push(() => signal.removeEventListener('abort', onAbort));
    }
    if (deadline !== undefined) {
      const timer = setTimeout(() => this.fire('timeout'), Math.max(0, deadline - Date.now()));
      this.cleanups.push(() => clearTimeout(timer));
    }
    const onState = (state: ConnectionState) => {
      if (state !== 'connected') this.fire('connection');
    };
    framework.on('connectionState', onState);
    this.cleanups.push(() => framework.off('connectionState', onState));
  }

  private fire(reason: WakeReason): void {
    if (this.fired) return;
    this.fired = reason;
    for (const c of this.cleanups.splice(0)) c();
    this.resolveFn?.(reason);
  }

  wait(): Promise<WakeReason> {
    return this.promise;
  }

  /** Stops waiting (no reason is recorded for later). */
  dispose(): void {
    for (const c of this.cleanups.splice(0)) c();
  }
}

export function abortError(signal: AbortSignal | undefined, what: string): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason;
  const e = new Error(`${what} aborted`);
  e.name = 'AbortError';
  return e;
}

export function toBuffer(data: Buffer | Uint8Array | string | null | undefined): Buffer {
  if (data === null || data === undefined) return Buffer.alloc(0);
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

