/**
 * ConfigClient: follows one namespace's live release by watch (notified within milliseconds of a publish), as
 * a callback (`change` event) or an async iterator (`changes()`), and writes an ephemeral receipt
 * `{clientId, release, md5, appliedAt}` under `listeners/` after applying each release, so the operator side
 * can answer "which clients hold which version". With `validate` (default true), a release that fails the
 * namespace's schema is not applied: the last good one stays current and an `invalid` event is emitted.
 *
 * Gray releases: the client also watches the namespace's `gray` node and evaluates its rules against its own
 * identity (clientId, ip, labels; gray-rules.ts). When selected it applies the gray content (`current.gray` is
 * the gray id) and says so in its receipt; otherwise, and as soon as the gray is aborted, it holds the live
 * release. A change of `gray` re-reads the live node before deciding, so a promote (live n+1 + gray deleted in
 * one multi) never flips a gray client back to the old live content on the way.
 */
import { EventEmitter } from 'node:events';
import os from 'node:os';
import { PersistentEphemeralNode, toFramework, type ClientLike, type Framework } from '@paddock/recipes';
import { DataWatch } from '../watch.js';
import { parseJson } from '../zk.js';
import { DEFAULT_CONFIG_ROOT, configPath, validateContent, type AppliedConfig, type ConfigRef, type ConfigRelease, type GrayRelease, type ListenerReceipt } from './config-service.js';
import { matchesGrayRules } from './gray-rules.js';
import type { JsonSchema } from './schema.js';

export interface ConfigClientOptions extends ConfigRef {
  clientId: string;
  root?: string;
  validate?: boolean;
  /** Write listener receipts. Default true. */
  receipts?: boolean;
  /** Matched by gray rules (with clientId). */
  ip?: string;
  labels?: Record<string, string>;
  /** Take part in gray releases. Default true. */
  gray?: boolean;
}

export type ConfigClientEvents = {
  change: [release: AppliedConfig, previous: AppliedConfig | null];
  invalid: [release: AppliedConfig, error: Error];
  error: [error: unknown];
};

export class ConfigClient extends EventEmitter<ConfigClientEvents> {
  private readonly framework: Framework;
  private readonly path: string;
  private readonly options: ConfigClientOptions;
  private _current: AppliedConfig | null = null;
  private liveRelease: ConfigRelease | null = null;
  private grayRelease: GrayRelease | null = null;
  private liveWatch: DataWatch | undefined;
  private schema: JsonSchema | null = null;
  private readonly watches: DataWatch[] = [];
  private receipt: PersistentEphemeralNode | undefined;
  private readonly iterators = new Set<{ push(r: AppliedConfig): void; end(): void }>();

  constructor(client: ClientLike, options: ConfigClientOptions) {
    super();
    this.framework = toFramework(client);
    this.options = options;
    this.path = configPath(options.root ?? DEFAULT_CONFIG_ROOT, options);
  }

  get current(): AppliedConfig | null {
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
    if (this.options.gray ?? true) {
      const gray = new DataWatch(this.framework, `${this.path}/gray`, (snap) => {
        this.grayRelease = snap ? parseJson<GrayRelease>(snap.data) : null;
        // decide after a fresh read of the live node (see the file comment)
        this.liveWatch?.trigger();
      }, onError);
      this.watches.push(gray);
      await gray.start();
    }
    this.liveWatch = live;
    this.watches.push(live);
    await live.start();
  }

  /** The gray release this client is selected for (null: none active, or not selected). */
  private selectedGray(): GrayRelease | null {
    const gray = this.grayRelease;
    if (!gray || !(this.options.gray ?? true)) return null;
    const who = { clientId: this.options.clientId, ...(this.options.ip !== undefined ? { ip: this.options.ip } : {}), ...(this.options.labels ? { labels: this.options.labels } : {}) };
    return matchesGrayRules(gray.rules, this.options, who) ? gray : null;
  }

  private onLive(live: ConfigRelease | null): void {
    this.liveRelease = live;
    const gray = this.selectedGray();
    const release: AppliedConfig | null = gray
      ? { release: gray.baseRelease, content: gray.content, format: gray.format, md5: gray.md5, publishedAt: gray.updatedAt, publishedBy: gray.startedBy, ...(gray.comment !== undefined ? { comment: gray.comment } : {}), gray: gray.id }
      : this.liveRelease;
    if (!release || (this._current && release.release === this._current.release && release.md5 === this._current.md5 && release.gray === this._current.gray)) return;
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

  private writeReceipt(release: AppliedConfig): void {
    if (this.options.receipts === false) return;
    const receipt: ListenerReceipt = {
      clientId: this.options.clientId,
      release: release.release,
      md5: release.md5,
      appliedAt: new Date().toISOString(),
      host: os.hostname(),
      pid: process.pid,
      ...(release.gray !== undefined ? { gray: release.gray } : {}),
      ...(this.options.ip !== undefined ? { ip: this.options.ip } : {}),
      ...(this.options.labels ? { labels: this.options.labels } : {}),
    };
    const data = JSON.stringify(receipt);
    if (!this.receipt) {
      this.receipt = new PersistentEphemeralNode(this.framework, `${this.path}/listeners/${encodeURIComponent(this.options.clientId)}`, data);
      void this.receipt.start().catch((e: unknown) => this.listenerCount('error') > 0 && this.emit('error', e));
    } else {
      void this.receipt.setData(data).catch((e: unknown) => this.listenerCount('error') > 0 && this.emit('error', e));
    }
  }

  /** Releases applied from now on (the current one first, if any). Leaving the loop stops the iterator. */
  changes(): AsyncIterableIterator<AppliedConfig> {
    const buffer: AppliedConfig[] = this._current ? [this._current] : [];
    const waiters: Array<(r: IteratorResult<AppliedConfig>) => void> = [];
    let done = false;
    const entry = {
      push: (r: AppliedConfig) => {
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
    const it: AsyncIterableIterator<AppliedConfig> = {
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
