/**
 * An elected master with a fencing epoch (shared by the log-center and data-sync masters).
 *
 *   {dir}/latch   LeaderLatch (ephemeral-sequential participants; the lowest leads)
 *   {dir}/epoch   JSON {masterId, since}; its znode version is the master epoch
 *
 * A participant that wins the latch bumps the epoch node with a CAS setData; the new znode version is its epoch.
 * Every write of the master is a multi that starts with `check({dir}/epoch, epoch)`, so once a newer master has
 * bumped the epoch, every write of a deposed master (one that has not noticed yet, or a late in-flight write)
 * fails as a whole with {@link StaleEpochError}. Workers also compare the epoch carried by assignments
 * ({@link acceptEpoch}) and refuse older ones.
 */
import { EventEmitter } from 'node:events';
import { BadVersionError, TransactionError, type Op, type OpResult } from '@paddock/client';
import { LeaderLatch, toFramework, type ClientLike, type Framework } from '@paddock/recipes';
import { ensureNode, jsonData, readJson } from '../zk.js';

export class StaleEpochError extends Error {
  constructor(
    readonly epoch: number | undefined,
    readonly path: string,
  ) {
    super(`master epoch ${epoch ?? '(none)'} is stale: ${path} moved on (a newer master was elected)`);
    this.name = 'StaleEpochError';
  }
}

export class NotLeaderError extends Error {
  constructor(what: string) {
    super(`not the leader: ${what}`);
    this.name = 'NotLeaderError';
  }
}

export interface EpochInfo {
  epoch: number;
  masterId: string | null;
  since: string | null;
}

export type FencedMasterEvents = {
  elected: [epoch: number];
  deposed: [epoch: number];
  error: [error: unknown];
};

export async function readEpoch(client: ClientLike, dir: string): Promise<EpochInfo> {
  const r = await toFramework(client).run((c) => readJson<{ masterId?: string; since?: string }>(c, `${dir}/epoch`));
  return { epoch: r?.version ?? 0, masterId: r?.value?.masterId ?? null, since: r?.value?.since ?? null };
}

export class FencedMaster extends EventEmitter<FencedMasterEvents> {
  readonly framework: Framework;
  readonly latch: LeaderLatch;
  readonly epochPath: string;
  /** The epoch of the current (or, after deposition, the last) leadership; undefined before the first. */
  epoch: number | undefined;
  private leading = false;
  private closed = false;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    client: ClientLike,
    readonly dir: string,
    readonly id: string,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.framework = toFramework(client);
    this.latch = new LeaderLatch(this.framework, `${dir}/latch`, id);
    this.epochPath = `${dir}/epoch`;
    this.latch.on('isLeader', () => this.serial(() => this.onElected()));
    this.latch.on('notLeader', () => this.serial(async () => this.onDeposed()));
    this.latch.on('error', (e) => this.listenerCount('error') > 0 && this.emit('error', e));
  }

  /** Leader and holding a fresh epoch. */
  get isLeader(): boolean {
    return this.leading && this.latch.hasLeadership();
  }

  async start(): Promise<void> {
    await this.framework.run((c) => ensureNode(c, this.epochPath));
    await this.latch.start();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chain.catch(() => undefined);
    this.onDeposed();
    await this.latch.close();
  }

  private serial(fn: () => Promise<void>): void {
    this.chain = this.chain.then(fn).catch((error: unknown) => {
      if (this.listenerCount('error') > 0) this.emit('error', error);
    });
  }

  private async onElected(): Promise<void> {
    if (this.closed || !this.latch.hasLeadership()) return;
    const epoch = await this.framework.run(async (c) => {
      for (;;) {
        const { stat } = await c.getData(this.epochPath);
        try {
          const next = await c.setData(this.epochPath, jsonData({ masterId: this.id, since: new Date(this.now()).toISOString() }), stat.version);
          return next.version;
        } catch (error) {
          if (!(error instanceof BadVersionError)) throw error;
        }
      }
    });
    if (this.closed || !this.latch.hasLeadership()) return;
    this.epoch = epoch;
    this.leading = true;
    this.emit('elected', epoch);
  }

  private onDeposed(): void {
    if (!this.leading) return;
    this.leading = false;
    this.emit('deposed', this.epoch ?? 0);
  }

  /**
   * Runs `ops` as one multi fenced by `epoch` (default: ours). Throws {@link StaleEpochError} when the epoch
   * moved on; other failures (e.g. a BadVersion of a CAS op) are rethrown as the TransactionError.
   */
  async multi(ops: readonly Op[], epoch = this.epoch): Promise<OpResult[]> {
    return fencedMulti(this.framework, this.epochPath, epoch, ops);
  }
}

/** A multi prefixed with `check(epochPath, epoch)`; results exclude the check. */
export async function fencedMulti(client: ClientLike, epochPath: string, epoch: number | undefined, ops: readonly Op[]): Promise<OpResult[]> {
  if (epoch === undefined) throw new StaleEpochError(undefined, epochPath);
  try {
    const results = await toFramework(client).run((c) => c.multi([{ type: 'check', path: epochPath, version: epoch }, ...ops]));
    return results.slice(1);
  } catch (error) {
    if (error instanceof TransactionError && error.failedOpIndex === 0) throw new StaleEpochError(epoch, epochPath);
    throw error;
  }
}
