/**
 * Log-center: Kafka topics assigned to slave groups and slaves by one elected master.
 *
 *   {root}/topics/{topic}            persistent, JSON {@link TopicRecord} (partitions, metadata) — operators
 *   {root}/groups/{group}            persistent, JSON {@link GroupRecord} (optional metadata) — operators
 *   {root}/pins/{topic}              persistent, JSON {@link PinRecord}: the topic must live in that group — operators
 *   {root}/slaves/{group}/{slaveId}  ephemeral, JSON {@link SlaveStatus}: capacity + the *actual* assignment the slave
 *                                    runs (epoch, generation, topics) + reported offsets/rates — the slave SDK only
 *   {root}/assignment                persistent, JSON {@link DesiredAssignment}: the *desired* assignment, written only
 *                                    by the master, stamped with its epoch and a generation
 *   {root}/master/latch, /epoch      election and fencing epoch ({@link FencedMaster})
 *
 * The master ({@link LogCenterMaster}) reconciles on membership/topic/pin changes and periodically: it keeps topics
 * on slaves that are live or within the grace period, moves the topics of slaves gone longer than `graceMs`,
 * respects pins and balances new placements by capacity ({@link balance}). Its writes are fenced multis
 * (`check(epoch)` + CAS on the assignment's version), so a deposed master cannot overwrite a newer one.
 * Slaves ({@link LogCenterSlave}) refuse assignments older than the highest epoch they saw, restart their work on
 * an epoch change, and stop all work while their session is suspended or lost.
 */
import { EventEmitter } from 'node:events';
import { BadVersionError, NoNodeError, NodeExistsError, TransactionError, type Op, type ZooKeeperClient } from '@paddock/client';
import { PathChildrenCache, PersistentEphemeralNode, TreeCache, participantsOf, toFramework, type ClientLike, type ConnectionState, type Framework, type Participant } from '@paddock/recipes';
import type { ChangeContext } from '../audit.js';
import { readEpoch, type EpochInfo } from '../coordination/fenced-master.js';
import { acceptEpoch } from '../coordination/grace.js';
import { PlatformService, type PlatformServiceOptions } from '../coordination/platform-service.js';
import { ReconcilingMaster, type MasterEvents, type ReconcilingMasterOptions } from '../coordination/reconciling-master.js';
import { ChildrenWatch, DataWatch, type DataSnapshot } from '../watch.js';
import { childrenOrEmpty, ensureNode, jsonData, parseJson, readJson } from '../zk.js';
import { balance, slaveKey, type Move, type SlaveLoadInfo, type SlaveRef, type TopicPlacement, type TopicSpec } from './balancer.js';

export const DEFAULT_LOG_CENTER_ROOT = '/log-center';
export const LOG_CENTER_MASTER_ACTOR = 'system:log-center-master';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,248}$/;
function checkName(kind: string, name: string): string {
  if (!NAME.test(name)) throw new RangeError(`bad ${kind} name ${JSON.stringify(name)}`);
  return name;
}

/** A change refused because of the log-center's current state (e.g. deleting a group that is still in use). */
export class LogCenterConflictError extends Error {
  override name = 'LogCenterConflictError';
}

export interface TopicRecord extends TopicSpec {
  updatedAt: string;
  updatedBy: string;
}

export interface GroupRecord {
  name: string;
  description?: string;
  updatedAt: string;
  updatedBy: string;
}

export interface PinRecord {
  topic: string;
  group: string;
  pinnedAt: string;
  pinnedBy: string;
  reason?: string;
}

export interface DesiredPlacement extends TopicPlacement {
  /** When the topic got this placement (ISO). */
  since: string;
}

export interface DesiredAssignment {
  epoch: number;
  generation: number;
  masterId: string;
  updatedAt: string;
  topics: Record<string, DesiredPlacement>;
}

export interface PartitionReport {
  /** partition -> committed offset. */
  offsets?: Record<string, number>;
  /** messages per second. */
  rate?: number;
  /** total lag across partitions, if known. */
  lag?: number;
}

export interface SlaveStatus {
  id: string;
  group: string;
  capacity: number;
  host?: string;
  metadata?: Record<string, unknown>;
  startedAt: string;
  /** The actual assignment: what the slave runs, under which epoch/generation. */
  epoch: number;
  generation: number;
  topics: string[];
  reports: Record<string, PartitionReport>;
  reportedAt: string;
}

export interface TopicStatus {
  topic: string;
  partitions: number;
  pin: string | null;
  desired: DesiredPlacement | null;
  /** Slaves that report running the topic. */
  actual: SlaveRef[];
  /** desired slave runs it, and no one else does. */
  inSync: boolean;
  report?: PartitionReport;
}

export interface LogCenterPaths {
  root: string;
  topics: string;
  groups: string;
  pins: string;
  slaves: string;
  assignment: string;
  master: string;
}

export function logCenterPaths(root = DEFAULT_LOG_CENTER_ROOT): LogCenterPaths {
  return {
    root,
    topics: `${root}/topics`,
    groups: `${root}/groups`,
    pins: `${root}/pins`,
    slaves: `${root}/slaves`,
    assignment: `${root}/assignment`,
    master: `${root}/master`,
  };
}

export interface LogCenterSnapshot {
  topics: TopicRecord[];
  pins: Record<string, string>;
  slaves: SlaveStatus[];
  desired: { value: DesiredAssignment; version: number } | null;
}

/** Reads topics, pins, live slaves and the desired assignment. */
export async function readLogCenter(c: ZooKeeperClient, p: LogCenterPaths): Promise<LogCenterSnapshot> {
  const topics: TopicRecord[] = [];
  for (const name of (await childrenOrEmpty(c, p.topics)).sort()) {
    const r = await readJson<TopicRecord>(c, `${p.topics}/${name}`);
    if (r?.value) topics.push({ ...r.value, name });
  }
  const pins: Record<string, string> = {};
  for (const name of await childrenOrEmpty(c, p.pins)) {
    const r = await readJson<PinRecord>(c, `${p.pins}/${name}`);
    if (r?.value?.group) pins[name] = r.value.group;
  }
  const slaves: SlaveStatus[] = [];
  for (const group of (await childrenOrEmpty(c, p.slaves)).sort()) {
    for (const id of (await childrenOrEmpty(c, `${p.slaves}/${group}`)).sort()) {
      const r = await readJson<SlaveStatus>(c, `${p.slaves}/${group}/${id}`);
      if (r?.value) slaves.push({ ...r.value, id, group });
    }
  }
  const desired = await readJson<DesiredAssignment>(c, p.assignment);
  return { topics, pins, slaves, desired: desired?.value ? { value: desired.value, version: desired.version } : null };
}

// ------------------------------------------------------------------------------------------- operator side

export interface LogCenterServiceOptions extends PlatformServiceOptions {
  root?: string;
}

export class LogCenterService extends PlatformService<LogCenterPaths> {
  constructor(client: ClientLike, options: LogCenterServiceOptions = {}) {
    super(client, logCenterPaths(options.root), options);
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }

  /** Creates or updates a topic (CAS on its version; `expectedVersion` -1 = must not exist). */
  async setTopic(spec: TopicSpec, ctx: ChangeContext, options: { expectedVersion?: number } = {}): Promise<TopicRecord> {
    this.auditor.check(ctx, 'logcenter.topic.set');
    checkName('topic', spec.name);
    if (!Number.isInteger(spec.partitions) || spec.partitions < 1) throw new RangeError('partitions must be a positive integer');
    const path = `${this.paths.topics}/${spec.name}`;
    const next: TopicRecord = { name: spec.name, partitions: spec.partitions, ...(spec.metadata ? { metadata: spec.metadata } : {}), updatedAt: this.iso(), updatedBy: ctx.actor };
    const before = await this.run(async (c) => {
      const cur = await readJson<TopicRecord>(c, path);
      const expected = options.expectedVersion;
      if (cur) {
        if (expected === -1) throw new NodeExistsError(path);
        await c.setData(path, jsonData(next), expected ?? cur.version);
      } else {
        if (expected !== undefined && expected >= 0) throw new NoNodeError(path);
        await ensureNode(c, this.paths.topics);
        await c.create(path, jsonData(next));
      }
      return cur?.value ?? null;
    });
    await this.auditor.emit(ctx, 'logcenter.topic.set', path, before, next);
    return next;
  }

  async deleteTopic(name: string, ctx: ChangeContext): Promise<boolean> {
    this.auditor.check(ctx, 'logcenter.topic.delete');
    const path = `${this.paths.topics}/${checkName('topic', name)}`;
    const before = await this.run(async (c) => {
      const cur = await readJson<TopicRecord>(c, path);
      if (!cur) return null;
      const ops: Op[] = [{ type: 'delete', path, version: cur.version }];
      const pin = await readJson<PinRecord>(c, `${this.paths.pins}/${name}`);
      if (pin) ops.push({ type: 'delete', path: `${this.paths.pins}/${name}`, version: pin.version });
      await c.multi(ops);
      return cur.value;
    });
    if (!before) return false;
    await this.auditor.emit(ctx, 'logcenter.topic.delete', path, before, null);
    return true;
  }

  async listTopics(): Promise<TopicRecord[]> {
    return (await this.run((c) => readLogCenter(c, this.paths))).topics;
  }

  async setGroup(name: string, ctx: ChangeContext, options: { description?: string } = {}): Promise<GroupRecord> {
    this.auditor.check(ctx, 'logcenter.group.set');
    const path = `${this.paths.groups}/${checkName('group', name)}`;
    const next: GroupRecord = { name, ...(options.description ? { description: options.description } : {}), updatedAt: this.iso(), updatedBy: ctx.actor };
    const before = await this.run(async (c) => {
      const cur = await readJson<GroupRecord>(c, path);
      if (cur) await c.setData(path, jsonData(next), cur.version);
      else {
        await ensureNode(c, this.paths.groups);
        await ensureNode(c, `${this.paths.slaves}/${name}`);
        await c.create(path, jsonData(next));
      }
      return cur?.value ?? null;
    });
    await this.auditor.emit(ctx, 'logcenter.group.set', path, before, next);
    return next;
  }

  /**
   * Removes a group's record and its (empty) slaves container; false when there is no such group. Refused
   * (LogCenterConflictError) while topics are pinned to it or slaves are live in it. The record and the container go
   * in one multi, so a slave registering meanwhile makes the container delete fail (NOT_EMPTY) and nothing changes.
   */
  async deleteGroup(name: string, ctx: ChangeContext): Promise<boolean> {
    this.auditor.check(ctx, 'logcenter.group.delete');
    const path = `${this.paths.groups}/${checkName('group', name)}`;
    const container = `${this.paths.slaves}/${name}`;
    const pins = await this.listPins();
    const pinned = pins.filter((p) => p.group === name).map((p) => p.topic);
    if (pinned.length > 0) throw new LogCenterConflictError(`group ${name} has pinned topics: ${pinned.join(', ')} (unpin or re-pin them first)`);
    const removed = await this.run(async (c) => {
      const live = await childrenOrEmpty(c, container);
      if (live.length > 0) throw new LogCenterConflictError(`group ${name} still has ${live.length} live slave(s): ${live.sort().join(', ')} (stop them first)`);
      const cur = await readJson<GroupRecord>(c, path);
      const containerStat = await c.exists(container);
      if (!cur && !containerStat) return null;
      const ops: Op[] = [];
      if (cur) ops.push({ type: 'delete', path, version: cur.version });
      if (containerStat) ops.push({ type: 'delete', path: container, version: containerStat.version });
      try {
        await c.multi(ops);
      } catch (error) {
        if (error instanceof TransactionError) throw new LogCenterConflictError(`group ${name} changed while being deleted (a slave joined?): try again`);
        throw error;
      }
      // a group known only by its slaves container (slaves came and went) has no record to show as `before`
      return { before: cur?.value ?? null };
    });
    if (!removed) return false;
    await this.auditor.emit(ctx, 'logcenter.group.delete', path, removed.before, null);
    return true;
  }

  /** Group names: recorded groups and groups that have (or had) slaves. */
  async listGroups(): Promise<Array<{ name: string; record: GroupRecord | null; slaves: number; capacity: number }>> {
    return this.run(async (c) => {
      const names = new Set([...(await childrenOrEmpty(c, this.paths.groups)), ...(await childrenOrEmpty(c, this.paths.slaves))]);
      const snap = await readLogCenter(c, this.paths);
      const out = [];
      for (const name of [...names].sort()) {
        const members = snap.slaves.filter((s) => s.group === name);
        out.push({ name, record: (await readJson<GroupRecord>(c, `${this.paths.groups}/${name}`))?.value ?? null, slaves: members.length, capacity: members.reduce((n, s) => n + s.capacity, 0) });
      }
      return out;
    });
  }

  /** Pins a topic to a group: the balancer keeps it there (unassigned while the group has no live slave). */
  async pin(topic: string, group: string, ctx: ChangeContext): Promise<PinRecord> {
    this.auditor.check(ctx, 'logcenter.pin.set');
    checkName('topic', topic);
    checkName('group', group);
    const path = `${this.paths.pins}/${topic}`;
    const next: PinRecord = { topic, group, pinnedAt: this.iso(), pinnedBy: ctx.actor, ...(ctx.reason ? { reason: ctx.reason } : {}) };
    const before = await this.run(async (c) => {
      const cur = await readJson<PinRecord>(c, path);
      if (cur) {
        await c.setData(path, jsonData(next), cur.version);
      } else {
        await ensureNode(c, this.paths.pins);
        await c.create(path, jsonData(next));
      }
      return cur?.value ?? null;
    });
    await this.auditor.emit(ctx, 'logcenter.pin.set', path, before, next);
    return next;
  }

  async unpin(topic: string, ctx: ChangeContext): Promise<boolean> {
    this.auditor.check(ctx, 'logcenter.pin.remove');
    const path = `${this.paths.pins}/${checkName('topic', topic)}`;
    const before = await this.run(async (c) => {
      const cur = await readJson<PinRecord>(c, path);
      if (!cur) return null;
      await c.delete(path, cur.version);
      return cur.value;
    });
    if (!before) return false;
    await this.auditor.emit(ctx, 'logcenter.pin.remove', path, before, null);
    return true;
  }

  async listPins(): Promise<PinRecord[]> {
    return this.run(async (c) => {
      const out: PinRecord[] = [];
      for (const name of (await childrenOrEmpty(c, this.paths.pins)).sort()) {
        const r = await readJson<PinRecord>(c, `${this.paths.pins}/${name}`);
        if (r?.value) out.push(r.value);
      }
      return out;
    });
  }

  async listSlaves(): Promise<SlaveStatus[]> {
    return (await this.run((c) => readLogCenter(c, this.paths))).slaves;
  }

  async getDesired(): Promise<DesiredAssignment | null> {
    return (await this.run((c) => readJson<DesiredAssignment>(c, this.paths.assignment)))?.value ?? null;
  }

  async master(): Promise<EpochInfo & { participants: Participant[] }> {
    const epoch = await readEpoch(this.framework, this.paths.master);
    const participants = await participantsOf(this.framework, `${this.paths.master}/latch`);
    return { ...epoch, participants };
  }

  /** Desired vs actual per topic (the pending diff the console shows). */
  async status(): Promise<TopicStatus[]> {
    const snap = await this.run((c) => readLogCenter(c, this.paths));
    return snap.topics.map((t) => {
      const desired = snap.desired?.value.topics[t.name] ?? null;
      const runners = snap.slaves.filter((s) => s.topics.includes(t.name));
      const actual = runners.map((s) => ({ group: s.group, id: s.id }));
      const report = runners.find((s) => s.id === desired?.slave && s.group === desired?.group)?.reports[t.name];
      const inSync = !!desired?.slave && actual.length === 1 && actual[0]!.id === desired.slave && actual[0]!.group === desired.group;
      return { topic: t.name, partitions: t.partitions, pin: snap.pins[t.name] ?? null, desired, actual, inSync, ...(report ? { report } : {}) };
    });
  }
}

// ------------------------------------------------------------------------------------------- master

export interface LogCenterMasterOptions extends ReconcilingMasterOptions {
  root?: string;
  /** How long a vanished slave keeps its topics (default 30 s). */
  graceMs?: number;
  /**
   * Periodic reconcile (default 5 s, 0: off). Topics added or removed, pins and slave membership trigger a round at
   * once, grace expiry a timer; a topic's new partition count or a slave's new capacity is only seen by a round.
   */
  reconcileIntervalMs?: number;
  /** Rebalancing moves per reconcile round (default 0: only place orphaned/new/pinned topics). */
  maxMovesPerRound?: number;
}

export type LogCenterMasterEvents = MasterEvents & {
  assignment: [desired: DesiredAssignment, moves: Move[]];
};

const MASTER_CTX: ChangeContext = { actor: LOG_CENTER_MASTER_ACTOR, source: 'master' };

export class LogCenterMaster extends ReconcilingMaster<LogCenterPaths, LogCenterMasterEvents> {
  private topicsWatch: ChildrenWatch | undefined;
  private caches: Array<PathChildrenCache | TreeCache> = [];

  constructor(
    client: ClientLike,
    private readonly options: LogCenterMasterOptions,
  ) {
    super(client, logCenterPaths(options.root), options, { ctx: MASTER_CTX, type: 'logcenter.master.elected' }, 5_000);
  }

  protected async ensureLayout(c: ZooKeeperClient): Promise<void> {
    for (const p of [this.paths.topics, this.paths.groups, this.paths.pins, this.paths.slaves]) await ensureNode(c, p);
  }

  /** A concurrent assignment write (fenced multi or CAS on its version) makes the round run again. */
  protected override retriesAfter(error: unknown): boolean {
    return error instanceof TransactionError || error instanceof BadVersionError;
  }

  protected startWatches(): void {
    const trigger = () => this.trigger();
    const fail = (e: unknown) => this.fail(e);
    this.topicsWatch = new ChildrenWatch(this.framework, this.paths.topics, trigger, fail);
    void this.topicsWatch.start().catch(fail);
    // a re-pin rewrites an existing pin's data (its group): an update, not only children coming and going
    const pins = new PathChildrenCache(this.framework, this.paths.pins);
    pins.on('childAdded', trigger).on('childUpdated', trigger).on('childRemoved', trigger);
    // slaves/{group}/{id}: who is live matters, not the status reports a slave keeps writing to its node
    const slaves = new TreeCache(this.framework, this.paths.slaves, { maxDepth: 2, followData: () => false });
    slaves.on('added', trigger).on('removed', trigger);
    this.caches = [pins, slaves];
    for (const cache of this.caches) {
      cache.on('error', fail);
      void cache.start().catch(fail);
    }
  }

  protected stopWatches(): void {
    this.topicsWatch?.close();
    this.topicsWatch = undefined;
    for (const cache of this.caches) void cache.close().catch((e: unknown) => this.fail(e));
    this.caches = [];
  }

  /** Waits for the current reconcile round (tests). */
  settled(): Promise<void> {
    return this.settledRounds();
  }

  /**
   * One round: read, balance, and write the desired assignment if it changed (fenced by our epoch, CAS on the
   * assignment's version). Returns the moves written (empty when nothing changed). Throws StaleEpochError when a
   * newer master exists. Callable directly (e.g. by a backend job), also by a deposed master: it then fails.
   */
  async reconcileOnce(): Promise<Move[]> {
    const epoch = this.election.epoch;
    const now = this.now();
    const snap = await this.framework.run((c) => readLogCenter(c, this.paths));
    const current = snap.desired?.value.topics ?? {};
    const owners = Object.values(current).filter((p) => p.group && p.slave).map((p) => `${p.group}/${p.slave}`);
    this.grace.expect(owners, now);
    this.grace.observe(snap.slaves.map(slaveKey), now);
    const inGrace = this.grace.inGrace(now).map((k) => {
      const i = k.indexOf('/');
      return { group: k.slice(0, i), id: k.slice(i + 1) };
    });
    const slaves: SlaveLoadInfo[] = snap.slaves.map((s) => ({ group: s.group, id: s.id, capacity: s.capacity }));
    const { assignment, moves } = balance({ topics: snap.topics, slaves, inGrace, pins: snap.pins, current, maxMoves: this.options.maxMovesPerRound ?? 0 });
    this.scheduleNextRound(now);
    const epochChanged = snap.desired?.value.epoch !== epoch;
    if (moves.length === 0 && !epochChanged) {
      this.forgetMoved(assignment);
      return [];
    }
    const iso = new Date(now).toISOString();
    const topics: Record<string, DesiredPlacement> = {};
    for (const [name, p] of Object.entries(assignment)) {
      const prev = current[name];
      topics[name] = { group: p.group, slave: p.slave, since: prev && prev.group === p.group && prev.slave === p.slave ? prev.since : iso };
    }
    const next: DesiredAssignment = { epoch: epoch ?? 0, generation: (snap.desired?.value.generation ?? 0) + 1, masterId: this.id, updatedAt: iso, topics };
    const op: Op = snap.desired
      ? { type: 'setData', path: this.paths.assignment, data: jsonData(next), version: snap.desired.version }
      : { type: 'create', path: this.paths.assignment, data: jsonData(next) };
    await this.election.multi([op], epoch);
    this.forgetMoved(assignment);
    if (moves.length > 0 || epochChanged) {
      await this.auditor
        .emit({ ...MASTER_CTX, reason: moves.length ? summarize(moves) : 'new master epoch' }, 'logcenter.assignment.change', this.paths.assignment, snap.desired?.value.topics ?? null, topics, {
          epoch: next.epoch,
          generation: next.generation,
          moves,
        })
        .catch((e: unknown) => this.fail(e));
    }
    this.emit('assignment', next, moves);
    return moves;
  }

  private forgetMoved(assignment: Record<string, TopicPlacement>): void {
    const owners = new Set(Object.values(assignment).filter((p) => p.group && p.slave).map((p) => `${p.group}/${p.slave}`));
    for (const k of this.grace.expired(this.now())) if (!owners.has(k)) this.grace.forget(k);
  }
}

function summarize(moves: Move[]): string {
  const by = new Map<string, number>();
  for (const m of moves) by.set(m.reason, (by.get(m.reason) ?? 0) + 1);
  return [...by].map(([r, n]) => `${r}: ${n}`).join(', ');
}

// ------------------------------------------------------------------------------------------- slave SDK

export interface LogCenterSlaveOptions {
  group: string;
  id: string;
  /** Weight (partitions) the slave can take. */
  capacity: number;
  root?: string;
  host?: string;
  metadata?: Record<string, unknown>;
  /** Reports are written at most this often (default 1 s). */
  reportIntervalMs?: number;
}

export type LogCenterSlaveEvents = {
  /** Start consuming these topics (under this epoch). */
  assigned: [topics: string[], epoch: number];
  /** Stop consuming these topics. */
  revoked: [topics: string[], reason: 'reassigned' | 'epoch' | 'session' | 'closed'];
  /** An assignment from an older epoch was refused. */
  refused: [epoch: number, highestSeen: number];
  error: [error: unknown];
};

export class LogCenterSlave extends EventEmitter<LogCenterSlaveEvents> {
  readonly framework: Framework;
  readonly paths: LogCenterPaths;
  readonly path: string;
  private node: PersistentEphemeralNode | undefined;
  private watch: DataWatch | undefined;
  private running = new Set<string>();
  private runningEpoch = 0;
  private generation = 0;
  private highestEpoch = 0;
  private reports: Record<string, PartitionReport> = {};
  private readonly startedAt = new Date().toISOString();
  private flushTimer: NodeJS.Timeout | undefined;
  private lastFlush = 0;
  private closed = false;
  private suspended = false;
  private readonly onConnection = (s: ConnectionState) => this.connectionChanged(s);

  constructor(
    client: ClientLike,
    readonly options: LogCenterSlaveOptions,
  ) {
    super();
    checkName('group', options.group);
    checkName('slave', options.id);
    if (!(options.capacity >= 0)) throw new RangeError('capacity must be >= 0');
    this.framework = toFramework(client);
    this.paths = logCenterPaths(options.root);
    this.path = `${this.paths.slaves}/${options.group}/${options.id}`;
  }

  /** Topics the slave should be consuming now. */
  get topics(): string[] {
    return [...this.running].sort();
  }

  /** The epoch of the running assignment. */
  get epoch(): number {
    return this.runningEpoch;
  }

  get highestEpochSeen(): number {
    return this.highestEpoch;
  }

  async start(): Promise<void> {
    this.framework.on('connectionState', this.onConnection);
    this.node = new PersistentEphemeralNode(this.framework, this.path, jsonData(this.status()));
    this.node.on('error', (e) => this.fail(e));
    await this.node.start();
    this.watch = new DataWatch(this.framework, this.paths.assignment, (d) => this.onDesired(d), (e) => this.fail(e));
    await this.watch.start();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.framework.off('connectionState', this.onConnection);
    clearTimeout(this.flushTimer);
    this.watch?.close();
    this.revokeAll('closed');
    await this.node?.close().catch(() => undefined);
  }

  /** Records consumption progress of a topic; written to the slave's node (throttled). */
  report(topic: string, report: PartitionReport): void {
    this.reports[topic] = { ...this.reports[topic], ...report };
    this.scheduleFlush();
  }

  /** Writes the status (actual assignment + reports) now. */
  async flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.lastFlush = Date.now();
    if (this.closed || !this.node) return;
    await this.node.setData(jsonData(this.status()));
  }

  private scheduleFlush(): void {
    if (this.flushTimer || this.closed) return;
    const wait = Math.max(0, this.lastFlush + (this.options.reportIntervalMs ?? 1_000) - Date.now());
    this.flushTimer = setTimeout(() => void this.flush().catch((e: unknown) => this.fail(e)), wait);
    this.flushTimer.unref?.();
  }

  private status(): SlaveStatus {
    const topics = this.topics;
    const reports: Record<string, PartitionReport> = {};
    for (const t of topics) if (this.reports[t]) reports[t] = this.reports[t]!;
    return {
      id: this.options.id,
      group: this.options.group,
      capacity: this.options.capacity,
      ...(this.options.host ? { host: this.options.host } : {}),
      ...(this.options.metadata ? { metadata: this.options.metadata } : {}),
      startedAt: this.startedAt,
      epoch: this.runningEpoch,
      generation: this.generation,
      topics,
      reports,
      reportedAt: new Date().toISOString(),
    };
  }

  private fail(error: unknown): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  private connectionChanged(state: ConnectionState): void {
    if (this.closed) return;
    if (state === 'suspended' || state === 'lost' || state === 'closed') {
      // ElasticJob-style: no work without a session we can vouch for (the master may move it meanwhile)
      this.suspended = true;
      this.revokeAll('session');
    } else if (state === 'reconnected' || state === 'connected') {
      this.suspended = false;
      this.watch?.trigger();
    }
  }

  private revokeAll(reason: 'epoch' | 'session' | 'closed'): void {
    if (this.running.size === 0) return;
    const topics = this.topics;
    this.running.clear();
    this.emit('revoked', topics, reason);
  }

  private onDesired(snapshot: DataSnapshot | null): void {
    if (this.closed) return;
    if (this.suspended || !this.framework.isConnected) return;
    const desired = snapshot ? parseJson<DesiredAssignment>(snapshot.data) : null;
    if (!desired) {
      if (this.running.size) {
        const topics = this.topics;
        this.running.clear();
        this.emit('revoked', topics, 'reassigned');
        void this.flush().catch((e: unknown) => this.fail(e));
      }
      return;
    }
    const accepted = acceptEpoch(this.highestEpoch, desired.epoch);
    if (accepted === null) {
      this.emit('refused', desired.epoch, this.highestEpoch);
      return;
    }
    this.highestEpoch = accepted;
    const mine = new Set(
      Object.entries(desired.topics)
        .filter(([, p]) => p.group === this.options.group && p.slave === this.options.id)
        .map(([t]) => t),
    );
    if (this.running.size > 0 && desired.epoch !== this.runningEpoch) this.revokeAll('epoch');
    const revoked = [...this.running].filter((t) => !mine.has(t)).sort();
    const added = [...mine].filter((t) => !this.running.has(t)).sort();
    this.runningEpoch = desired.epoch;
    this.generation = desired.generation;
    for (const t of revoked) this.running.delete(t);
    if (revoked.length) this.emit('revoked', revoked, 'reassigned');
    for (const t of added) this.running.add(t);
    if (added.length) this.emit('assigned', added, desired.epoch);
    void this.flush().catch((e: unknown) => this.fail(e));
  }
}
