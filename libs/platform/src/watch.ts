/**
 * Re-armed one-shot watches (work on every ZooKeeper 3.x): the current children / data of one path, pushed to a
 * callback after every change, after the path is created or deleted, and after a reconnect (a new session
 * after expiry included). Reads are serialised and coalesced, so the callback always gets a state that is at
 * least as new as the last notification, in order.
 */
import { NoNodeError, ZooKeeperError, type Stat, type Watcher } from '@paddock/client';
import type { ConnectionState, Framework } from '@paddock/recipes';

abstract class Watch<T> {
  private closed = false;
  private running = false;
  private dirty = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private firstLoad: Promise<void> | undefined;
  private resolveFirst: (() => void) | undefined;
  private rejectFirst: ((e: unknown) => void) | undefined;
  protected readonly watcher: Watcher = () => this.trigger();
  private readonly onState = (s: ConnectionState) => {
    if (s === 'reconnected' || s === 'connected') this.trigger();
  };

  constructor(
    protected readonly framework: Framework,
    readonly path: string,
    private readonly onChange: (value: T) => void,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  /** Reads once (resolves after the first delivery) and keeps watching. */
  start(): Promise<void> {
    if (!this.firstLoad) {
      this.firstLoad = new Promise((resolve, reject) => {
        this.resolveFirst = resolve;
        this.rejectFirst = reject;
      });
      this.framework.on('connectionState', this.onState);
      this.trigger();
    }
    return this.firstLoad;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.framework.off('connectionState', this.onState);
  }

  /** Forces a re-read. */
  trigger(): void {
    if (this.closed) return;
    this.dirty = true;
    if (!this.running) void this.loop();
  }

  protected abstract read(): Promise<T>;

  private async loop(): Promise<void> {
    this.running = true;
    try {
      while (this.dirty && !this.closed) {
        this.dirty = false;
        let value: T;
        try {
          value = await this.read();
        } catch (error) {
          this.onError(error);
          const connection = error instanceof ZooKeeperError && (error.code === -4 || error.code === -112 || error.code === -7);
          // connection problems: the reconnect triggers a re-read; anything else: retry in a second
          clearTimeout(this.retryTimer);
          this.retryTimer = setTimeout(() => this.trigger(), connection ? 2_000 : 1_000);
          if (!this.framework.isClosed && this.rejectFirst && !connection) {
            this.rejectFirst(error);
            this.rejectFirst = this.resolveFirst = undefined;
          }
          continue;
        }
        if (this.closed) break;
        try {
          this.onChange(value);
        } catch (error) {
          this.onError(error);
        }
        this.resolveFirst?.();
        this.resolveFirst = this.rejectFirst = undefined;
      }
    } finally {
      this.running = false;
    }
  }
}

/** The children of a path (empty while it does not exist). */
export class ChildrenWatch extends Watch<string[]> {
  protected async read(): Promise<string[]> {
    const c = this.framework.client;
    try {
      return await c.getChildren(this.path, { watch: this.watcher });
    } catch (error) {
      if (!(error instanceof NoNodeError)) throw error;
      // wait for it to be created
      if (await c.exists(this.path, { watch: this.watcher })) this.trigger();
      return [];
    }
  }
}

export interface DataSnapshot {
  data: Buffer | null;
  stat: Stat;
}

/** The data of a path (null while it does not exist). */
export class DataWatch extends Watch<DataSnapshot | null> {
  protected async read(): Promise<DataSnapshot | null> {
    const c = this.framework.client;
    try {
      return await c.getData(this.path, { watch: this.watcher });
    } catch (error) {
      if (!(error instanceof NoNodeError)) throw error;
      if (await c.exists(this.path, { watch: this.watcher })) this.trigger();
      return null;
    }
  }
}
