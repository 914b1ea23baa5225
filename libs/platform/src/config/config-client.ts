/**
 * ConfigClient: follows one namespace's live release by watch (notified within milliseconds of a publish), as
 * a callback (`change` event) or an async iterator (`changes()`), and writes an ephemeral receipt
 * `{clientId, release, md5, appliedAt}` under `listeners/` after applying each release, so the operator side
 * can answer "which clients hold which version". With `validate` (default true), a release that fails the
 * namespace's schema is not applied: the last good one stays current and an `invalid` event is emitted.
 */
import { EventEmitter } from 'node:events';
import os from 'node:os';
import { PersistentEphemeralNode, toFramework, type ClientLike, type Framework } from '@paddock/recipes';
import { DataWatch } from '../watch.js';
import { parseJson } from '../zk.js';
import { DEFAULT_CONFIG_ROOT, configPath, validateContent, type ConfigRef, type ConfigRelease, type ListenerReceipt } from './config-service.js';
import type { JsonSchema } from './schema.js';

export interface ConfigClientOptions extends ConfigRef {
  clientId: string;
  root?: string;
  validate?: boolean;
  /** Write listener receipts. Default true. */
  receipts?: boolean;
}

export type ConfigClientEvents = {
  change: [release: ConfigRelease, previous: ConfigRelease | null];
  invalid: [release: ConfigRelease, error: Error];
  error: [error: unknown];
};

export class ConfigClient extends EventEmitter<ConfigClientEvents> {
  private readonly framework: Framework;
  private readonly path: string;
  private readonly options: ConfigClientOptions;
  private _current: ConfigRelease | null = null;
  private schema: JsonSchema | null = null;
  private readonly watches: DataWatch[] = [];
  private receipt: PersistentEphemeralNode | undefined;
  private readonly iterators = new Set<{ push(r: ConfigRelease): void; end(): void }>();

  constructor(client: ClientLike, options: ConfigClientOptions) {
    super();
    this.framework = toFramework(client);
    this.options = options;
    this.path = configPath(options.root ?? DEFAULT_CONFIG_ROOT, options);
  }

  get current(): ConfigRelease | null {
    return this._current;
  }

  /** The current content parsed as JSON (undefined when nothing is published). */
  json<T = unknown>(): T | undefined {
    return this._current ? (JSON.parse(this._current.content) as T) : undefined;
  }

  async start(): Promise<void> {
    const onError = (e: unknown) => this.listenerCount('error') > 0 && this.emit('error', e);
    if (this.options.validate ?? true) {
      const schemaWatch = new DataWatch(this.framework, `${this.path}/schema`, (snap) => (this.schema = snap ? parseJson<JsonSchema>(snap.data) : null), onError);
      this.watches.push(schemaWatch);
      await schemaWatch.start();
    }
    const live = new DataWatch(this.framework, this.path, (snap) => this.onLive(snap ? parseJson<ConfigRelease>(snap.data) : null), onError);
    this.watches.push(live);
    await live.start();
  }

  private onLive(release: ConfigRelease | null): void {
    if (!release || (this._current && release.release === this._current.release && release.md5 === this._current.md5)) return;
    if (this.options.validate ?? true) {
      try {
        validateContent(this.options, this.schema, release.content);
      } catch (error) {
        this.emit('invalid', release, error as Error);
        return;
      }
    }
    const previous = this._current;
    this._current = release;
    this.writeReceipt(release);
    this.emit('change', release, previous);
    for (const it of this.iterators) it.push(release);
  }

  private writeReceipt(release: ConfigRelease): void {
    if (this.options.receipts === false) return;
    const receipt: ListenerReceipt = { clientId: this.options.clientId, release: release.release, md5: release.md5, appliedAt: new Date().toISOString(), host: os.hostname(), pid: process.pid };
    const data = JSON.stringify(receipt);
    if (!this.receipt) {
      this.receipt = new PersistentEphemeralNode(this.framework, `${this.path}/listeners/${encodeURIComponent(this.options.clientId)}`, data);
      void this.receipt.start().catch((e: unknown) => this.listenerCount('error') > 0 && this.emit('error', e));
    } else {
      void this.receipt.setData(data).catch((e: unknown) => this.listenerCount('error') > 0 && this.emit('error', e));
    }
  }

  /** Releases applied from now on (the current one first, if any). Leaving the loop stops the iterator. */
  changes(): AsyncIterableIterator<ConfigRelease> {
    const buffer: ConfigRelease[] = this._current ? [this._current] : [];
    const waiters: Array<(r: IteratorResult<ConfigRelease>) => void> = [];
    let done = false;
    const entry = {
      push: (r: ConfigRelease) => {
        const w = waiters.shift();
        if (w) w({ value: r, done: false });
        else buffer.push(r);
      },
      end: () => {
        done = true;
        for (const w of waiters.splice(0)) w({ value: undefined, done: true });
      },
    };
    this.iterators.add(entry);
    const it: AsyncIterableIterator<ConfigRelease> = {
      next: () => {
        const r = buffer.shift();
        if (r) return Promise.resolve({ value: r, done: false });
        if (done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => waiters.push(resolve));
      },
      return: () => {
        this.iterators.delete(entry);
        entry.end();
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]: () => it,
    };
    return it;
  }

  async close(): Promise<void> {
    for (const w of this.watches.splice(0)) w.close();
    for (const it of this.iterators) it.end();
    this.iterators.clear();
    await this.receipt?.close().catch(() => undefined);
  }
}
