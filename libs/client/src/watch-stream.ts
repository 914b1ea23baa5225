/**
 * A persistent watch as an async iterator. Events are buffered until read; leaving the `for await` loop
 * (or calling `close()`) removes the watch.
 */
import type { AddWatchMode, WatchedEvent, Watcher } from './types.js';

export interface WatchStreamOptions {
  /** Default 'persistent'. */
  mode?: AddWatchMode;
}

interface Hooks {
  add(watcher: Watcher, mode: AddWatchMode): Promise<void>;
  remove(watcher: Watcher, mode: AddWatchMode): Promise<void>;
  detach(stream: WatchStream): void;
}

export class WatchStream implements AsyncIterableIterator<WatchedEvent> {
  readonly mode: AddWatchMode;
  /** Resolves when the server acknowledged the watch (events after this point are seen). */
  readonly ready: Promise<void>;
  private readonly buffer: WatchedEvent[] = [];
  private readonly readers: Array<{ resolve(r: IteratorResult<WatchedEvent>): void; reject(e: unknown): void }> = [];
  private done = false;
  private failure: unknown;
  private readonly watcher: Watcher;

  constructor(
    readonly path: string,
    options: WatchStreamOptions,
    private readonly hooks: Hooks,
  ) {
    this.mode = options.mode ?? 'persistent';
    this.watcher = (event) => this.push(event);
    this.ready = hooks.add(this.watcher, this.mode);
    // a failed registration ends the stream with that error (and is not an unhandled rejection)
    this.ready.catch((error) => this.end(error));
  }

  private push(event: WatchedEvent): void {
    if (this.done) return;
    if (event.type === 'PersistentWatchRemoved') {
      this.end();
      return;
    }
    const reader = this.readers.shift();
    if (reader) reader.resolve({ value: event, done: false });
    else this.buffer.push(event);
  }

  /** Ends the stream: readers get `done`, or `error` once the buffered events are read. */
  end(error?: unknown): void {
    if (this.done) return;
    this.done = true;
    this.failure = error;
    this.hooks.detach(this);
    if (this.buffer.length === 0) {
      for (const reader of this.readers.splice(0)) {
        if (error === undefined) reader.resolve({ value: undefined, done: true });
        else reader.reject(error);
      }
    }
  }

  async next(): Promise<IteratorResult<WatchedEvent>> {
    const buffered = this.buffer.shift();
    if (buffered) return { value: buffered, done: false };
    if (this.done) {
      if (this.failure !== undefined) {
        const error = this.failure;
        this.failure = undefined;
        throw error;
      }
      return { value: undefined, done: true };
    }
    return new Promise((resolve, reject) => this.readers.push({ resolve, reject }));
  }

  /** Removes the watch and ends the stream. */
  async close(): Promise<void> {
    if (!this.done) {
      this.end();
      await this.ready.catch(() => undefined);
      await this.hooks.remove(this.watcher, this.mode);
    }
  }

  async return(): Promise<IteratorResult<WatchedEvent>> {
    await this.close();
    return { value: undefined, done: true };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
