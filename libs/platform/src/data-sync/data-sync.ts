/**
 * Data-sync: tasks dispatched by one elected master to collectors and stores.
 *
 *   {root}/data-sync-tasks/{taskId}            persistent, JSON {@link SyncTaskSpec} — operators
 *   {root}/data-sync-tasks/{taskId}/state      JSON {@link SyncTaskState}; master and the owning worker, CAS on version
 *   {root}/data-sync-tasks/{taskId}/progress   JSON {@link SyncTaskProgress}; the owning worker, CAS on version
 *   {root}/workers/{kind}/{workerId}           ephemeral, JSON {@link SyncWorkerStatus} (kind, capacity, running)
 *   {root}/assignments/{kind}/{workerId}       JSON {@link SyncWorkerAssignment}: taskId -> attempt, with the epoch — master
 *   {root}/master/latch, /epoch                election and fencing epoch ({@link FencedMaster})
 *
 * Lifecycle: pending -> assigned (master, attempt n, worker w) -> running (worker) -> succeeded | errored (worker)
 * -> retry-wait (master, backoff per {@link retryDelayMs}) -> assigned (attempt n+1) ... -> failed after
 * `maxAttempts` failures. A worker gone longer than `graceMs` loses its tasks (failover: re-dispatched, not counted
 * as a failure). Operators may cancel, or retry a failed task. Master writes are fenced multis; a worker only
 * writes state/progress of an attempt it owns (CAS on the state's version), and stops all work on session loss.
 */
import { EventEmitter } from 'node:events';
import { NoNodeError, TransactionError, type Op, type ZooKeeperClient } from '@paddock/client';
import { PersistentEphemeralNode, TreeCache, depthBelow, participantsOf, toFramework, type ClientLike, type ConnectionState, type Framework, type Participant } from '@paddock/recipes';
import type { AuditEventType, ChangeContext } from '../audit.js';
import { readEpoch, type EpochInfo } from '../coordination/fenced-master.js';
import { acceptEpoch } from '../coordination/grace.js';
import { PlatformService, type PlatformServiceOptions } from '../coordination/platform-service.js';
import { ReconcilingMaster, type MasterEvents, type ReconcilingMasterOptions } from '../coordination/reconciling-master.js';
import { ChildrenWatch, DataWatch, type DataSnapshot } from '../watch.js';
import { childrenOrEmpty, ensureNode, jsonData, parseJson, readJson } from '../zk.js';
import { afterFailure, normalizeRetryPolicy, pickWorker, type RetryPolicy } from './rules.js';

export const DEFAULT_DATA_SYNC_ROOT = '/data-sync-system';
export const DATA_SYNC_MASTER_ACTOR = 'system:data-sync-master';

export type SyncWorkerKind = 'collector' | 'store';
export const SYNC_WORKER_KINDS: readonly SyncWorkerKind[] = ['collector', 'store'];

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,248}$/;
function checkName(kind: string, name: string): string {
  if (!NAME.test(name)) throw new RangeError(`bad ${kind} ${JSON.stringify(name)}`);
  return name;
}

export interface SyncTaskInput {
  id: string;
  /** Which kind of worker runs it (default collector). */
  kind?: SyncWorkerKind;
  source?: string;
  target?: string;
  payload?: unknown;
  /** Capacity units it takes (default 1). */
  weight?: number;
  retry?: Partial<RetryPolicy>;
}

export interface SyncTaskSpec {
  id: string;
  kind: SyncWorkerKind;
  source?: string;
  target?: string;
  payload?: unknown;
  weight: number;
  retry: RetryPolicy;
  createdAt: string;
  createdBy: string;
}

export type SyncTaskStatus = 'pending' | 'assigned' | 'running' | 'errored' | 'retry-wait' | 'succeeded' | 'failed' | 'cancelled';

export interface SyncAttemptRecord {
  attempt: number;
  worker: string;
  outcome: 'succeeded' | 'errored' | 'failover' | 'cancelled';
  at: string;
  error?: string;
}

export interface SyncTaskState {
  status: SyncTaskStatus;
  /** Dispatches so far (the current attempt's number). */
  attempt: number;
  /** Failed attempts (failovers are not failures). */
  failures: number;
  worker: string | null;
  /** Epoch of the master that made the last dispatch decision. */
  epoch: number;
  updatedAt: string;
  assignedAt?: string;
  /** Epoch ms of the next attempt while retry-wait. */
  nextAttemptAt?: number;
  lastError?: string;
  finishedAt?: string;
  history: SyncAttemptRecord[];
}

export interface SyncTaskProgress {
  attempt: number;
  worker: string;
  /** 0..100 */
  percent?: number;
  records?: number;
  /** Opaque resume point (e.g. a binlog position). */
  checkpoint?: unknown;
  updatedAt: string;
}

export interface SyncWorkerStatus {
  id: string;
  kind: SyncWorkerKind;
  capacity: number;
  running: string[];
  startedAt: string;
}

export interface SyncWorkerAssignment {
  epoch: number;
  tasks: Record<string, number>;
}

export interface SyncTaskView {
  spec: SyncTaskSpec;
  state: SyncTaskState;
  stateVersion: number;
  progress: SyncTaskProgress | null;
  progressVersion: number;
}

export interface DataSyncPaths {
  root: string;
  tasks: string;
  workers: string;
  assignments: string;
  master: string;
}

export function dataSyncPaths(root = DEFAULT_DATA_SYNC_ROOT): DataSyncPaths {
  return { root, tasks: `${root}/data-sync-tasks`, workers: `${root}/workers`, assignments: `${root}/assignments`, master: `${root}/master` };
}

export class SyncTaskConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SyncTaskConflictError';
  }
}

/** A worker's write about an attempt it no longer owns. */
export class SyncFencedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SyncFencedError';
  }
}

async function readTask(c: ZooKeeperClient, p: DataSyncPaths, id: string): Promise<SyncTaskView | null> {
  const spec = await readJson<SyncTaskSpec>(c, `${p.tasks}/${id}`);
  const state = await readJson<SyncTaskState>(c, `${p.tasks}/${id}/state`);
  if (!spec?.value || !state?.value) return null;
  const progress = await readJson<SyncTaskProgress>(c, `${p.tasks}/${id}/progress`);
  return { spec: spec.value, state: state.value, stateVersion: state.version, progress: progress?.value ?? null, progressVersion: progress?.version ?? -1 };
}

const HISTORY = 20;
function withHistory(state: SyncTaskState, rec: SyncAttemptRecord): SyncAttemptRecord[] {
  return [...state.history, rec].slice(-HISTORY);
}

// ------------------------------------------------------------------------------------------- operator side

export interface DataSyncServiceOptions extends PlatformServiceOptions {
  root?: string;
}

export class DataSyncService extends PlatformService<DataSyncPaths> {
  constructor(client: ClientLike, options: DataSyncServiceOptions = {}) {
    super(client, dataSyncPaths(options.root), options);
  }

  /** Publishes a task (task, state and progress nodes in one multi). */
  async publish(input: SyncTaskInput, ctx: ChangeContext): Promise<SyncTaskSpec> {
    this.auditor.check(ctx, 'datasync.task.publish');
    checkName('task id', input.id);
    const kind = input.kind ?? 'collector';
    if (!SYNC_WORKER_KINDS.includes(kind)) throw new RangeError(`bad worker kind ${JSON.stringify(kind)}`);
    const weight = input.weight ?? 1;
    if (!(weight > 0)) throw new RangeError('weight must be > 0');
    const iso = new Date(this.now()).toISOString();
    const spec: SyncTaskSpec = {
      id: input.id,
      kind,
      ...(input.source !== undefined ? { source: input.source } : {}),
      ...(input.target !== undefined ? { target: input.target } : {}),
      ...(input.payload !== undefined ? { payload: input.payload } : {}),
      weight,
      retry: normalizeRetryPolicy(input.retry),
      createdAt: iso,
      createdBy: ctx.actor,
    };
    const state: SyncTaskState = { status: 'pending', attempt: 0, failures: 0, worker: null, epoch: 0, updatedAt: iso, history: [] };
    const path = `${this.paths.tasks}/${input.id}`;
    await this.run(async (c) => {
      await ensureNode(c, this.paths.tasks);
      try {
        await c.multi([
          { type: 'create', path, data: jsonData(spec) },
          { type: 'create', path: `${path}/state`, data: jsonData(state) },
          { type: 'create', path: `${path}/progress`, data: jsonData(null) },
        ]);
      } catch (error) {
        if (error instanceof TransactionError && error.code === -110) throw new SyncTaskConflictError(`task ${input.id} exists`);
        throw error;
      }
    });
    await this.auditor.emit(ctx, 'datasync.task.publish', path, null, spec);
    return spec;
  }

  async get(id: string): Promise<SyncTaskView | null> {
    return this.run((c) => readTask(c, this.paths, checkName('task id', id)));
  }

  async list(): Promise<SyncTaskView[]> {
    return this.run(async (c) => {
      const out: SyncTaskView[] = [];
      for (const id of (await childrenOrEmpty(c, this.paths.tasks)).sort()) {
        const t = await readTask(c, this.paths, id);
        if (t) out.push(t);
      }
      return out;
    });
  }

  async workers(): Promise<SyncWorkerStatus[]> {
    return this.run(async (c) => {
      const out: SyncWorkerStatus[] = [];
      for (const kind of SYNC_WORKER_KINDS) {
        for (const id of (await childrenOrEmpty(c, `${this.paths.workers}/${kind}`)).sort()) {
          const r = await readJson<SyncWorkerStatus>(c, `${this.paths.workers}/${kind}/${id}`);
          if (r?.value) out.push(r.value);
        }
      }
      return out;
    });
  }

  async master(): Promise<EpochInfo & { participants: Participant[] }> {
    return { ...(await readEpoch(this.framework, this.paths.master)), participants: await participantsOf(this.framework, `${this.paths.master}/latch`) };
  }

  private async transition(
    id: string,
    ctx: ChangeContext,
    type: AuditEventType,
    change: (s: SyncTaskState) => SyncTaskState,
  ): Promise<SyncTaskState> {
    this.auditor.check(ctx, type);
    const statePath = `${this.paths.tasks}/${checkName('task id', id)}/state`;
    const { before, after } = await this.run(async (c) => {
      const cur = await readJson<SyncTaskState>(c, statePath);
      if (!cur?.value) throw new NoNodeError(statePath);
      const next = change(cur.value);
      try {
        await c.setData(statePath, jsonData(next), cur.version);
      } catch (error) {
        if (error instanceof Error && (error as { code?: number }).code === -103) throw new SyncTaskConflictError(`task ${id} changed meanwhile`);
        throw error;
      }
      return { before: cur.value, after: next };
    });
    await this.auditor.emit(ctx, type, statePath, before, after);
    return after;
  }

  /** Stops a task for good (its worker is told by the master). */
  cancel(id: string, ctx: ChangeContext): Promise<SyncTaskState> {
    return this.transition(id, ctx, 'datasync.task.cancel', (s) => {
      if (s.status === 'succeeded' || s.status === 'failed' || s.status === 'cancelled') throw new SyncTaskConflictError(`task ${id} is ${s.status}`);
      const at = new Date(this.now()).toISOString();
      return { ...s, status: 'cancelled', finishedAt: at, updatedAt: at, ...(s.worker ? { history: withHistory(s, { attempt: s.attempt, worker: s.worker, outcome: 'cancelled', at }) } : {}) };
    });
  }

  /** Gives a failed or cancelled task a fresh set of attempts. */
  retry(id: string, ctx: ChangeContext): Promise<SyncTaskState> {
    return this.transition(id, ctx, 'datasync.task.retry', (s) => {
      if (s.status !== 'failed' && s.status !== 'cancelled') throw new SyncTaskConflictError(`task ${id} is ${s.status}`);
      const { nextAttemptAt: _n, finishedAt: _f, ...rest } = s;
      return { ...rest, status: 'pending', failures: 0, worker: null, updatedAt: new Date(this.now()).toISOString() };
    });
  }

  /** Deletes a finished task (succeeded, failed or cancelled). */
  async delete(id: string, ctx: ChangeContext): Promise<boolean> {
    this.auditor.check(ctx, 'datasync.task.delete');
    const path = `${this.paths.tasks}/${checkName('task id', id)}`;
    const before = await this.run(async (c) => {
      const t = await readTask(c, this.paths, id);
      if (!t) return null;
      if (!['succeeded', 'failed', 'cancelled'].includes(t.state.status)) throw new SyncTaskConflictError(`task ${id} is ${t.state.status}`);
      await c.multi([
        { type: 'delete', path: `${path}/state`, version: t.stateVersion },
        { type: 'delete', path: `${path}/progress` },
        { type: 'delete', path },
      ]);
      return t;
    });
    if (!before) return false;
    await this.auditor.emit(ctx, 'datasync.task.delete', path, { spec: before.spec, state: before.state }, null);
    return true;
  }
}

// ------------------------------------------------------------------------------------------- master

export interface DataSyncMasterOptions extends ReconcilingMasterOptions {
  root?: string;
  /** How long a vanished worker keeps its tasks (default 30 s). */
  graceMs?: number;
  /**
   * Periodic reconcile, a safety net (default 2 s, 0: off): tasks added or removed, task state changes (workers'
   * and operators') and worker membership trigger a round at once; grace expiry and retry times by a timer.
   */
  reconcileIntervalMs?: number;
}

export type DataSyncMasterEvents = MasterEvents & {
  dispatched: [taskId: string, worker: string, attempt: number, reason: 'new' | 'retry' | 'failover'];
};

const DS_MASTER_CTX: ChangeContext = { actor: DATA_SYNC_MASTER_ACTOR, source: 'master' };
const ACTIVE: ReadonlySet<SyncTaskStatus> = new Set(['assigned', 'running']);

export class DataSyncMaster extends ReconcilingMaster<DataSyncPaths, DataSyncMasterEvents> {
  private workerWatches: ChildrenWatch[] = [];
  private taskCache: TreeCache | undefined;

  constructor(client: ClientLike, options: DataSyncMasterOptions) {
    super(client, dataSyncPaths(options.root), options, { ctx: DS_MASTER_CTX, type: 'datasync.master.elected' }, 2_000);
  }

  protected async ensureLayout(c: ZooKeeperClient): Promise<void> {
    await ensureNode(c, this.paths.tasks);
    for (const k of SYNC_WORKER_KINDS) {
      await ensureNode(c, `${this.paths.workers}/${k}`);
      await ensureNode(c, `${this.paths.assignments}/${k}`);
    }
  }

  protected startWatches(): void {
    const trigger = () => this.trigger();
    const fail = (e: unknown) => this.fail(e);
    this.workerWatches = SYNC_WORKER_KINDS.map((k) => new ChildrenWatch(this.framework, `${this.paths.workers}/${k}`, trigger, fail));
    for (const w of this.workerWatches) void w.start().catch(fail);
    // tasks/{id}/state: a task's state is its child's data (workers and operators write it); the progress a worker
    // keeps writing needs no round
    const tasksRoot = this.paths.tasks;
    this.taskCache = new TreeCache(this.framework, tasksRoot, { maxDepth: 2, followData: (path) => depthBelow(tasksRoot, path) < 2 || path.endsWith('/state') });
    this.taskCache.on('added', trigger).on('updated', trigger).on('removed', trigger).on('error', fail);
    void this.taskCache.start().catch(fail);
  }

  protected stopWatches(): void {
    for (const w of this.workerWatches) w.close();
    this.workerWatches = [];
    void this.taskCache?.close().catch((e: unknown) => this.fail(e));
    this.taskCache = undefined;
  }

  /** One round (fenced by our epoch). Returns how many tasks changed. */
  async reconcileOnce(): Promise<number> {
    const epoch = this.election.epoch ?? 0;
    const now = this.now();
    const iso = new Date(now).toISOString();
    const p = this.paths;
    const { tasks, workers, assignments } = await this.framework.run(async (c) => {
      const tasks: SyncTaskView[] = [];
      for (const id of (await childrenOrEmpty(c, p.tasks)).sort()) {
        const t = await readTask(c, p, id);
        if (t) tasks.push(t);
      }
      const workers = new Map<string, SyncWorkerStatus>();
      const assignments = new Map<string, { value: SyncWorkerAssignment; version: number }>();
      for (const kind of SYNC_WORKER_KINDS) {
        for (const id of await childrenOrEmpty(c, `${p.workers}/${kind}`)) {
          const r = await readJson<SyncWorkerStatus>(c, `${p.workers}/${kind}/${id}`);
          if (r?.value) workers.set(`${kind}/${id}`, { ...r.value, id, kind });
        }
        for (const id of await childrenOrEmpty(c, `${p.assignments}/${kind}`)) {
          const r = await readJson<SyncWorkerAssignment>(c, `${p.assignments}/${kind}/${id}`);
          if (r?.value) assignments.set(`${kind}/${id}`, { value: r.value, version: r.version });
        }
      }
      return { tasks, workers, assignments };
    });

    this.grace.expect(tasks.filter((t) => ACTIVE.has(t.state.status) && t.state.worker).map((t) => `${t.spec.kind}/${t.state.worker}`), now);
    this.grace.observe(workers.keys(), now);
    const expired = new Set(this.grace.expired(now));

    // desired per-worker assignment, rebuilt from the task states
    const desired = new Map<string, Record<string, number>>();
    for (const k of new Set([...workers.keys(), ...assignments.keys()])) desired.set(k, {});
    const load = new Map<string, number>();
    const ops: Op[] = [];
    const audits: Array<{ type: AuditEventType; path: string; before: SyncTaskState; after: SyncTaskState; details: Record<string, unknown> }> = [];
    const dispatched: Array<[string, string, number, 'new' | 'retry' | 'failover']> = [];
    let wake: number | undefined;

    const setState = (t: SyncTaskView, next: SyncTaskState, type?: AuditEventType, details: Record<string, unknown> = {}) => {
      ops.push({ type: 'setData', path: `${p.tasks}/${t.spec.id}/state`, data: jsonData(next), version: t.stateVersion });
      if (type) audits.push({ type, path: `${p.tasks}/${t.spec.id}`, before: t.state, after: next, details: { epoch, ...details } });
    };
    const keep = (t: SyncTaskView) => {
      const k = `${t.spec.kind}/${t.state.worker}`;
      if (!desired.has(k)) desired.set(k, {});
      desired.get(k)![t.spec.id] = t.state.attempt;
      load.set(k, (load.get(k) ?? 0) + t.spec.weight);
    };

    // pass 1: tasks that stay where they are (load first), and the transitions that need no worker
    const toDispatch: Array<{ t: SyncTaskView; state: SyncTaskState; reason: 'new' | 'retry' | 'failover' }> = [];
    for (const t of tasks) {
      const s = t.state;
      const key = s.worker ? `${t.spec.kind}/${s.worker}` : undefined;
      if (ACTIVE.has(s.status)) {
        if (key && !expired.has(key)) keep(t);
        else if (s.worker) {
          const next: SyncTaskState = { ...s, history: withHistory(s, { attempt: s.attempt, worker: s.worker, outcome: 'failover', at: iso }) };
          toDispatch.push({ t, state: next, reason: 'failover' });
        } else toDispatch.push({ t, state: s, reason: 'new' });
      } else if (s.status === 'pending') {
        toDispatch.push({ t, state: s, reason: s.attempt > 0 ? 'retry' : 'new' });
      } else if (s.status === 'errored') {
        const failures = s.failures + 1;
        const decision = afterFailure(failures, t.spec.retry, now);
        const base: SyncTaskState = { ...s, failures, worker: null, epoch, updatedAt: iso };
        if (decision.kind === 'failed') setState(t, { ...base, status: 'failed', finishedAt: iso }, 'datasync.task.fail', { failures, lastError: s.lastError });
        else {
          setState(t, { ...base, status: 'retry-wait', nextAttemptAt: decision.at }, 'datasync.task.fail', { failures, retryAt: new Date(decision.at).toISOString(), lastError: s.lastError });
          wake = Math.min(wake ?? Infinity, decision.at);
        }
      } else if (s.status === 'retry-wait') {
        if ((s.nextAttemptAt ?? 0) <= now) toDispatch.push({ t, state: s, reason: 'retry' });
        else wake = Math.min(wake ?? Infinity, s.nextAttemptAt!);
      } else if (s.status === 'succeeded' && s.worker !== null) {
        // acknowledge completion: audited once, the worker is released
        setState(t, { ...s, worker: null, epoch, updatedAt: iso }, 'datasync.task.complete', { attempt: s.attempt, worker: s.worker });
      }
    }

    // pass 2: dispatch
    for (const { t, state, reason } of toDispatch) {
      const candidates = [...workers.values()]
        .filter((w) => w.kind === t.spec.kind)
        .map((w) => ({ id: w.id, capacity: w.capacity, load: load.get(`${w.kind}/${w.id}`) ?? 0 }));
      const w = pickWorker(candidates, t.spec.weight, reason === 'failover' ? (state.worker ?? undefined) : undefined);
      if (!w) {
        // nobody can take it now: leave it pending (a failover frees the dead worker's claim)
        if (ACTIVE.has(t.state.status)) setState(t, { ...state, status: 'pending', worker: null, epoch, updatedAt: iso });
        continue;
      }
      const attempt = state.attempt + 1;
      const { nextAttemptAt: _n, ...rest } = state;
      const next: SyncTaskState = { ...rest, status: 'assigned', attempt, worker: w.id, epoch, assignedAt: iso, updatedAt: iso };
      setState(t, next, 'datasync.task.dispatch', { worker: w.id, attempt, reason });
      const k = `${t.spec.kind}/${w.id}`;
      if (!desired.has(k)) desired.set(k, {});
      desired.get(k)![t.spec.id] = attempt;
      load.set(k, (load.get(k) ?? 0) + t.spec.weight);
      dispatched.push([t.spec.id, w.id, attempt, reason]);
    }

    // per-worker assignment nodes (changed ones only, CAS)
    for (const [k, tasksOf] of desired) {
      const cur = assignments.get(k);
      const same = cur && cur.value.epoch === epoch && JSON.stringify(sortKeys(cur.value.tasks)) === JSON.stringify(sortKeys(tasksOf));
      if (same) continue;
      if (!cur && Object.keys(tasksOf).length === 0) continue;
      const data = jsonData({ epoch, tasks: sortKeys(tasksOf) } satisfies SyncWorkerAssignment);
      if (cur) {
        if (Object.keys(tasksOf).length === 0 && !workers.has(k)) ops.push({ type: 'delete', path: `${p.assignments}/${k}`, version: cur.version });
        else ops.push({ type: 'setData', path: `${p.assignments}/${k}`, data, version: cur.version });
      } else ops.push({ type: 'create', path: `${p.assignments}/${k}`, data });
    }
    for (const k of expired) if (!workers.has(k) && Object.keys(desired.get(k) ?? {}).length === 0) this.grace.forget(k);

    this.scheduleNextRound(now, wake); // a grace expiry or a retry falling due
    if (ops.length === 0) return 0;
    await this.election.multi(ops, epoch);
    for (const a of audits) await this.auditor.emit({ ...DS_MASTER_CTX, reason: String(a.details.reason ?? a.type) }, a.type, a.path, a.before, a.after, a.details).catch((e: unknown) => this.fail(e));
    for (const d of dispatched) this.emit('dispatched', ...d);
    return audits.length;
  }
}

function sortKeys(r: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1)));
}

// ------------------------------------------------------------------------------------------- worker SDK

export interface SyncTaskContext {
  spec: SyncTaskSpec;
  attempt: number;
  /** Progress of the previous attempt (its checkpoint, to resume from), if any. */
  previous: SyncTaskProgress | null;
  /** Aborted when the task is taken away (reassigned, cancelled, fenced) or the session is suspended/lost. */
  signal: AbortSignal;
  /** Writes progress (CAS); throws {@link SyncFencedError} when this attempt is no longer ours. */
  progress(update: { percent?: number; records?: number; checkpoint?: unknown }): Promise<void>;
}

export type SyncTaskHandler = (ctx: SyncTaskContext) => Promise<void>;

export interface DataSyncWorkerOptions {
  id: string;
  kind: SyncWorkerKind;
  capacity?: number;
  root?: string;
  handler: SyncTaskHandler;
}

export type DataSyncWorkerEvents = {
  started: [taskId: string, attempt: number];
  finished: [taskId: string, attempt: number, outcome: 'succeeded' | 'errored' | 'aborted' | 'fenced'];
  refused: [epoch: number, highestSeen: number];
  error: [error: unknown];
};

interface RunningTask {
  attempt: number;
  controller: AbortController;
  stateVersion: number;
}

export class DataSyncWorker extends EventEmitter<DataSyncWorkerEvents> {
  readonly framework: Framework;
  readonly paths: DataSyncPaths;
  private node: PersistentEphemeralNode | undefined;
  private watch: DataWatch | undefined;
  private readonly runningTasks = new Map<string, RunningTask>();
  private readonly done = new Set<string>();
  private highestEpoch = 0;
  private closed = false;
  private suspended = false;
  private readonly startedAt = new Date().toISOString();
  private readonly onConnection = (s: ConnectionState) => this.connectionChanged(s);

  constructor(
    client: ClientLike,
    readonly options: DataSyncWorkerOptions,
  ) {
    super();
    checkName('worker id', options.id);
    if (!SYNC_WORKER_KINDS.includes(options.kind)) throw new RangeError(`bad worker kind ${JSON.stringify(options.kind)}`);
    this.framework = toFramework(client);
    this.paths = dataSyncPaths(options.root);
  }

  get running(): string[] {
    return [...this.runningTasks.keys()].sort();
  }

  private get nodePath(): string {
    return `${this.paths.workers}/${this.options.kind}/${this.options.id}`;
  }

  private status(): SyncWorkerStatus {
    return { id: this.options.id, kind: this.options.kind, capacity: this.options.capacity ?? 4, running: this.running, startedAt: this.startedAt };
  }

  async start(): Promise<void> {
    this.framework.on('connectionState', this.onConnection);
    this.node = new PersistentEphemeralNode(this.framework, this.nodePath, jsonData(this.status()));
    this.node.on('error', (e) => this.fail(e));
    await this.node.start();
    this.watch = new DataWatch(this.framework, `${this.paths.assignments}/${this.options.kind}/${this.options.id}`, (d) => this.onAssignment(d), (e) => this.fail(e));
    await this.watch.start();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.framework.off('connectionState', this.onConnection);
    this.watch?.close();
    this.abortAll();
    await this.node?.close().catch(() => undefined);
  }

  private fail(error: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  private connectionChanged(state: ConnectionState): void {
    if (this.closed) return;
    if (state === 'suspended' || state === 'lost' || state === 'closed') {
      this.suspended = true;
      this.abortAll();
    } else if (state === 'reconnected' || state === 'connected') {
      this.suspended = false;
      this.watch?.trigger();
    }
  }

  private abortAll(): void {
    for (const r of this.runningTasks.values()) r.controller.abort(new Error('stopped'));
    this.runningTasks.clear();
  }

  private onAssignment(snapshot: DataSnapshot | null): void {
    if (this.closed || this.suspended || !this.framework.isConnected) return;
    const a = snapshot ? parseJson<SyncWorkerAssignment>(snapshot.data) : null;
    const tasks = a?.tasks ?? {};
    if (a) {
      const accepted = acceptEpoch(this.highestEpoch, a.epoch);
      if (accepted === null) {
        this.emit('refused', a.epoch, this.highestEpoch);
        return;
      }
      this.highestEpoch = accepted;
    }
    for (const [id, r] of [...this.runningTasks]) {
      if (tasks[id] !== r.attempt) {
        r.controller.abort(new Error('reassigned'));
        this.runningTasks.delete(id);
      }
    }
    for (const [id, attempt] of Object.entries(tasks)) {
      if (!this.runningTasks.has(id) && !this.done.has(`${id}#${attempt}`)) void this.runTask(id, attempt);
    }
  }

  private async runTask(id: string, attempt: number): Promise<void> {
    const controller = new AbortController();
    const entry: RunningTask = { attempt, controller, stateVersion: -1 };
    this.runningTasks.set(id, entry);
    const statePath = `${this.paths.tasks}/${id}/state`;
    const progressPath = `${this.paths.tasks}/${id}/progress`;
    let outcome: 'succeeded' | 'errored' | 'aborted' | 'fenced' = 'aborted';
    try {
      const view = await this.framework.run((c) => readTask(c, this.paths, id));
      if (!view || view.state.worker !== this.options.id || view.state.attempt !== attempt || !ACTIVE.has(view.state.status)) {
        outcome = 'fenced';
        return;
      }
      const now = new Date().toISOString();
      const runningState: SyncTaskState = { ...view.state, status: 'running', updatedAt: now };
      entry.stateVersion = (await this.framework.run((c) => c.setData(statePath, jsonData(runningState), view.stateVersion))).version;
      this.emit('started', id, attempt);
      void this.node?.setData(jsonData(this.status())).catch(() => undefined);
      const ctx: SyncTaskContext = {
        spec: view.spec,
        attempt,
        previous: view.progress,
        signal: controller.signal,
        progress: async (update) => {
          if (controller.signal.aborted) throw new SyncFencedError(`task ${id} attempt ${attempt} was stopped`);
          await this.framework.run(async (c) => {
            const cur = await c.getData(progressPath);
            const next: SyncTaskProgress = { attempt, worker: this.options.id, ...update, updatedAt: new Date().toISOString() };
            try {
              await c.multi([
                { type: 'check', path: statePath, version: entry.stateVersion },
                { type: 'setData', path: progressPath, data: jsonData(next), version: cur.stat.version },
              ]);
            } catch (error) {
              if (error instanceof TransactionError && error.failedOpIndex === 0) {
                controller.abort(new Error('fenced'));
                throw new SyncFencedError(`task ${id} attempt ${attempt} is no longer ours`);
              }
              throw error;
            }
          });
        },
      };
      let failure: unknown;
      try {
        await this.options.handler(ctx);
      } catch (error) {
        failure = error;
      }
      if (controller.signal.aborted) {
        outcome = 'aborted';
        return;
      }
      const at = new Date().toISOString();
      const base: SyncTaskState = { ...runningState, updatedAt: at };
      const final: SyncTaskState =
        failure === undefined
          ? { ...base, status: 'succeeded', finishedAt: at, history: withHistory(base, { attempt, worker: this.options.id, outcome: 'succeeded', at }) }
          : {
              ...base,
              status: 'errored',
              lastError: failure instanceof Error ? failure.message : String(failure),
              history: withHistory(base, { attempt, worker: this.options.id, outcome: 'errored', at, error: failure instanceof Error ? failure.message : String(failure) }),
            };
      try {
        await this.framework.run((c) => c.setData(statePath, jsonData(final), entry.stateVersion));
        outcome = failure === undefined ? 'succeeded' : 'errored';
      } catch (error) {
        if ((error as { code?: number }).code === -103 || error instanceof NoNodeError) outcome = 'fenced';
        else throw error;
      }
    } catch (error) {
      if ((error as { code?: number }).code === -103 || error instanceof NoNodeError) outcome = 'fenced';
      else this.fail(error);
    } finally {
      if (this.runningTasks.get(id) === entry) this.runningTasks.delete(id);
      if (outcome !== 'aborted') this.done.add(`${id}#${attempt}`);
      if (this.done.size > 10_000) this.done.clear();
      this.emit('finished', id, attempt, outcome);
      if (!this.closed) void this.node?.setData(jsonData(this.status())).catch(() => undefined);
    }
  }
}
