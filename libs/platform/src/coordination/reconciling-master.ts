/**
 * What the log-center and data-sync masters share: one elected member (FencedMaster) reconciles the desired state,
 * in coalesced rounds — on the watch triggers its subclass wires up when elected, at the moments the domain names
 * (a grace period ending, a retry falling due: {@link ReconcilingMaster.scheduleNextRound}), and periodically as a
 * safety net (`reconcileIntervalMs`; 0 when something else calls trigger() periodically, e.g. the API's BullMQ job).
 * A round that fails on a concurrent change (a failed multi or CAS) is run again; a newer master (StaleEpochError)
 * ends the loop. The election is audited; a deposed master stops its work.
 */
import { EventEmitter } from 'node:events';
import { TransactionError, type ZooKeeperClient } from '@paddock/client';
import { toFramework, type ClientLike, type Framework } from '@paddock/recipes';
import { Auditor, type AuditEventType, type AuditSink, type ChangeContext } from '../audit.js';
import { FencedMaster, StaleEpochError } from './fenced-master.js';
import { GraceTracker } from './grace.js';

export type MasterEvents = {
  elected: [epoch: number];
  deposed: [epoch: number];
  error: [error: unknown];
};

/** The options every master takes (each adds its own). */
export interface ReconcilingMasterOptions {
  id: string;
  /** How long a vanished member keeps its work (default 30 s). */
  graceMs?: number;
  /**
   * Period of the round the elected master runs on its own, for what no watch shows (default: the master's own,
   * 5 s log-center, 2 s data-sync). 0 turns it off: for a caller that runs trigger() periodically itself.
   */
  reconcileIntervalMs?: number;
  audit?: AuditSink;
  now?: () => number;
}

/** How a master's election is audited. */
export interface ElectionAudit {
  ctx: ChangeContext;
  type: AuditEventType;
}

export abstract class ReconcilingMaster<
  Paths extends { master: string },
  Events extends MasterEvents & Record<keyof Events, unknown[]>,
> extends EventEmitter<Events> {
  readonly framework: Framework;
  readonly paths: Paths;
  readonly election: FencedMaster;
  protected readonly auditor: Auditor;
  protected readonly now: () => number;
  protected readonly graceMs: number;
  protected grace: GraceTracker;
  private readonly reconcileIntervalMs: number;
  private intervalTimer: NodeJS.Timeout | undefined;
  private nextRoundTimer: NodeJS.Timeout | undefined;
  private running = false;
  private dirty = false;
  private idle: Promise<void> = Promise.resolve();

  /** `paths.master`: the election's znode (latch and epoch below it). */
  protected constructor(
    client: ClientLike,
    paths: Paths,
    private readonly masterOptions: ReconcilingMasterOptions,
    private readonly electionAudit: ElectionAudit,
    defaultReconcileIntervalMs: number,
  ) {
    super();
    const intervalMs = masterOptions.reconcileIntervalMs ?? defaultReconcileIntervalMs;
    if (!Number.isInteger(intervalMs) || intervalMs < 0) throw new RangeError(`reconcileIntervalMs must be an integer >= 0 (0: off), got ${intervalMs}`);
    this.reconcileIntervalMs = intervalMs;
    this.framework = toFramework(client);
    this.paths = paths;
    this.now = masterOptions.now ?? Date.now;
    this.graceMs = masterOptions.graceMs ?? 30_000;
    this.grace = new GraceTracker(this.graceMs);
    this.auditor = new Auditor(masterOptions.audit, {}, () => new Date(this.now()));
    this.election = new FencedMaster(this.framework, paths.master, masterOptions.id, this.now);
    this.election.on('elected', (epoch) => void this.onElected(epoch));
    this.election.on('deposed', (epoch) => {
      this.stopLeading();
      this.events.emit('deposed', epoch);
    });
    this.election.on('error', (e) => this.fail(e));
  }

  /** One reconcile round (fenced by the epoch). */
  abstract reconcileOnce(): Promise<unknown>;

  /** Creates the znodes the master and its members need (before the election starts). */
  protected abstract ensureLayout(c: ZooKeeperClient): Promise<void>;

  /** Sets up the watches that call trigger() while elected (the timers are this class's). */
  protected abstract startWatches(): void;

  /** Undoes startWatches (deposed or closed). */
  protected abstract stopWatches(): void;

  /** Whether a round that failed with `error` should run again at once (another writer got in between). */
  protected retriesAfter(error: unknown): boolean {
    return error instanceof TransactionError;
  }

  get id(): string {
    return this.masterOptions.id;
  }

  get isLeader(): boolean {
    return this.election.isLeader;
  }

  /** The epoch of the current (or last) leadership. */
  get epoch(): number | undefined {
    return this.election.epoch;
  }

  async start(): Promise<void> {
    await this.framework.run((c) => this.ensureLayout(c));
    await this.election.start();
  }

  async close(): Promise<void> {
    this.stopLeading();
    await this.election.close();
    await this.idle.catch(() => undefined);
    this.stopTimers(); // a round still running at close may have scheduled its next one
  }

  /** Asks for a reconcile round (coalesced). */
  trigger(): void {
    if (!this.election.isLeader) return;
    this.dirty = true;
    if (this.running) return;
    this.running = true;
    this.idle = (async () => {
      try {
        while (this.dirty && this.election.isLeader) {
          this.dirty = false;
          try {
            await this.reconcileOnce();
          } catch (error) {
            this.fail(error);
            if (error instanceof StaleEpochError) break;
            if (this.retriesAfter(error)) this.dirty = true;
          }
        }
      } finally {
        this.running = false;
      }
    })();
  }

  /**
   * Schedules the next round the domain needs although no watch will fire: the earliest grace expiry (a vanished
   * member's work may move then), or `dueAt` if sooner (e.g. a retry falling due). Replaces the previous schedule;
   * called at the end of every round's reading, so the schedule always reflects the latest state.
   */
  protected scheduleNextRound(now: number, dueAt?: number): void {
    const graceEnds = this.grace.nextDeadline(now);
    const at = Math.min(graceEnds ?? Infinity, dueAt ?? Infinity);
    clearTimeout(this.nextRoundTimer);
    this.nextRoundTimer = undefined;
    if (at === Infinity || !this.election.isLeader) return;
    // a few ms late, so the round sees the deadline as passed
    this.nextRoundTimer = setTimeout(() => this.trigger(), Math.max(0, at - now) + 5);
    this.nextRoundTimer.unref?.();
  }

  /** Resolves when the current reconcile rounds are done. */
  protected settledRounds(): Promise<void> {
    return this.idle;
  }

  protected fail(error: unknown): void {
    if (this.events.listenerCount('error') > 0) this.events.emit('error', error);
  }

  /** This emitter seen through the events every master has (a generic Events cannot be emitted on directly). */
  private get events(): EventEmitter<MasterEvents> {
    return this as unknown as EventEmitter<MasterEvents>;
  }

  private async onElected(epoch: number): Promise<void> {
    this.grace = new GraceTracker(this.graceMs);
    const { ctx, type } = this.electionAudit;
    await this.auditor.emit(ctx, type, this.election.epochPath, { epoch: epoch - 1 }, { epoch, masterId: this.id }, { epoch }).catch((e: unknown) => this.fail(e));
    this.events.emit('elected', epoch);
    if (!this.election.isLeader) return; // deposed while the election was audited: nothing to start (or stop later)
    this.startWatches();
    if (this.reconcileIntervalMs > 0) {
      clearInterval(this.intervalTimer);
      this.intervalTimer = setInterval(() => this.trigger(), this.reconcileIntervalMs);
      this.intervalTimer.unref?.();
    }
    this.trigger();
  }

  private stopLeading(): void {
    this.stopWatches();
    this.stopTimers();
  }

  private stopTimers(): void {
    clearInterval(this.intervalTimer);
    clearTimeout(this.nextRoundTimer);
    this.intervalTimer = this.nextRoundTimer = undefined;
  }
}
