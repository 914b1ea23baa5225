/**
 * Scheduled switch changes (flip a switch at time T), framework-free over the client API. Each entry is a znode
 * `/paddock/switches/{env}/scheduled/{id}` (JSON {@link ScheduledSwitchChange}), the source of truth; BullMQ only
 * decides when {@link SwitchScheduler.execute} runs (see config-center/config-schedule.jobs.ts).
 *
 * Exactly once, without changing SwitchService: executing first claims the entry (CAS pending -> executing, and
 * records the switch's version then as `baseVersion`), then writes the switch as a strict CAS on that version
 * with a reason naming the entry, then marks the entry executed. A second executor loses the claim; one that
 * finds an entry left `executing` (the first died, after `staleClaimMs`) looks at the switch: already written by
 * this entry (its reason names it) -> only mark it; still at `baseVersion` -> write it; changed by someone else ->
 * `failed`. The switch write is audited as `switch.set` by `system:scheduler`, the entry's changes as
 * `switch.schedule.create|cancel|execute`.
 */
import { randomUUID } from 'node:crypto';
import { BadVersionError, NoNodeError } from '@paddock/client';
import {
  Auditor,
  MissingReasonError,
  SCHEDULER_ACTOR,
  ScheduleTimeError,
  SwitchConflictError,
  SwitchSpecError,
  childrenOrEmpty,
  ensurePath,
  jsonData,
  readJson,
  switchId,
  validateScope,
  type AuditSink,
  type ChangeContext,
  type SwitchService,
  type SwitchSpec,
} from '@paddock/platform';
import type { ScheduledSwitchChange, SwitchScheduleStatus } from '@paddock/platform/contracts';
import { toFramework, type ClientLike, type Framework } from '@paddock/recipes';
import { AppError } from '../errors.js';

export type { ScheduledSwitchChange, SwitchScheduleStatus } from '@paddock/platform/contracts';

export type SwitchExecuteOutcome =
  | { status: 'executed'; entry: ScheduledSwitchChange }
  | { status: 'failed'; entry: ScheduledSwitchChange; error: string }
  | { status: 'skipped'; reason: string }
  | { status: 'not-due'; dueInMs: number };

const ID = /^s[0-9a-z]+-[0-9a-f]{8}$/;
const ENV = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const MAX_AHEAD_MS = 366 * 24 * 3600_000;

export class SwitchScheduler {
  private readonly framework: Framework;
  private readonly auditor: Auditor;
  private readonly now: () => number;
  private readonly staleClaimMs: number;

  constructor(
    client: ClientLike,
    private readonly switches: SwitchService,
    options: { audit?: AuditSink; now?: () => number; staleClaimMs?: number } = {},
  ) {
    this.framework = toFramework(client);
    this.now = options.now ?? Date.now;
    this.staleClaimMs = options.staleClaimMs ?? 30_000;
    this.auditor = new Auditor(options.audit, {}, () => new Date(this.now()));
  }

  private dir(env: string): string {
    if (!ENV.test(env)) throw new RangeError(`bad env name ${JSON.stringify(env)}`);
    return `${this.switches.envPath(env)}/scheduled`;
  }

  entryPath(env: string, id: string): string {
    if (!ID.test(id)) throw new RangeError(`bad scheduled change id ${JSON.stringify(id)}`);
    return `${this.dir(env)}/${id}`;
  }

  async create(env: string, spec: SwitchSpec, at: number, ctx: ChangeContext): Promise<ScheduledSwitchChange> {
    this.auditor.check(ctx, 'switch.schedule.create');
    if (!(ctx.reason && ctx.reason.trim())) throw new MissingReasonError('switch.schedule.create');
    const now = this.now();
    if (!Number.isFinite(at)) throw new ScheduleTimeError('the schedule time is not a valid time');
    if (at <= now) throw new ScheduleTimeError(`the schedule time ${new Date(at).toISOString()} is not in the future`);
    if (at - now > MAX_AHEAD_MS) throw new ScheduleTimeError('the schedule time is more than 366 days ahead');
    validateScope(spec.scope);
    if (spec.expiresAt !== undefined && spec.expiresAt !== null && spec.expiresAt <= at) throw new SwitchSpecError('expiresAt must be after the schedule time');
    const entry: ScheduledSwitchChange = {
      id: `s${at.toString(36)}-${randomUUID().slice(0, 8)}`,
      env,
      switchId: switchId(spec.scope),
      spec,
      at: new Date(at).toISOString(),
      status: 'pending',
      createdBy: ctx.actor,
      createdAt: new Date(now).toISOString(),
      reason: ctx.reason,
    };
    const path = this.entryPath(env, entry.id);
    await this.framework.run(async (c) => {
      await ensurePath(c, this.dir(env));
      await c.create(path, jsonData(entry));
    });
    await this.auditor.emit(ctx, 'switch.schedule.create', path, null, entry, { env, switchId: entry.switchId, at: entry.at });
    return entry;
  }

  async list(env: string): Promise<ScheduledSwitchChange[]> {
    const dir = this.dir(env);
    const entries = await this.framework.run(async (c) => {
      const out: ScheduledSwitchChange[] = [];
      for (const name of await childrenOrEmpty(c, dir)) {
        const r = await readJson<ScheduledSwitchChange>(c, `${dir}/${name}`);
        if (r?.value) out.push(r.value);
      }
      return out;
    });
    return entries.sort((a, b) => (a.at === b.at ? (a.id < b.id ? -1 : 1) : a.at < b.at ? -1 : 1));
  }

  /** Entries of every env with one of the statuses. */
  async listAll(statuses: SwitchScheduleStatus[]): Promise<ScheduledSwitchChange[]> {
    const envs = (await this.framework.run((c) => childrenOrEmpty(c, this.switches.root))).filter((e) => ENV.test(e));
    const out: ScheduledSwitchChange[] = [];
    for (const env of envs) out.push(...(await this.list(env)).filter((e) => statuses.includes(e.status)));
    return out;
  }

  async cancel(env: string, id: string, ctx: ChangeContext): Promise<ScheduledSwitchChange> {
    this.auditor.check(ctx, 'switch.schedule.cancel');
    if (!(ctx.reason && ctx.reason.trim())) throw new MissingReasonError('switch.schedule.cancel');
    const path = this.entryPath(env, id);
    const outcome = await this.framework.run(async (c) => {
      const r = await readJson<ScheduledSwitchChange>(c, path);
      if (!r?.value) throw new AppError('not-found', `no scheduled switch change ${id} in ${env}`);
      if (r.value.status !== 'pending') throw new SwitchConflictError(`scheduled switch change ${id} is ${r.value.status}, not pending`);
      const after: ScheduledSwitchChange = { ...r.value, status: 'cancelled', cancelledBy: ctx.actor, cancelledAt: new Date(this.now()).toISOString() };
      try {
        await c.setData(path, jsonData(after), r.version);
      } catch (error) {
        if (error instanceof BadVersionError) throw new SwitchConflictError(`scheduled switch change ${id} changed meanwhile`);
        throw error;
      }
      return { before: r.value, after };
    });
    await this.auditor.emit(ctx, 'switch.schedule.cancel', path, outcome.before, outcome.after, { env, switchId: outcome.after.switchId });
    return outcome.after;
  }

  /** Applies a due entry exactly once (see the file comment); store errors are thrown for a retry. */
  async execute(env: string, id: string): Promise<SwitchExecuteOutcome> {
    const path = this.entryPath(env, id);
    const c = () => this.framework.client;
    const read = await this.framework.run(() => readJson<ScheduledSwitchChange>(c(), path));
    if (!read?.value) return { status: 'skipped', reason: 'no such scheduled change' };
    let entry = read.value;
    let version = read.version;
    if (entry.status === 'pending') {
      const dueInMs = Date.parse(entry.at) - this.now();
      if (dueInMs > 250) return { status: 'not-due', dueInMs };
      const current = await this.switches.get(env, entry.switchId);
      const claimed: ScheduledSwitchChange = { ...entry, status: 'executing', baseVersion: current?.version ?? 0, claimedAt: new Date(this.now()).toISOString() };
      try {
        version = (await this.framework.run(() => c().setData(path, jsonData(claimed), version))).version;
      } catch (error) {
        if (error instanceof BadVersionError || error instanceof NoNodeError) return { status: 'skipped', reason: 'claimed by another executor' };
        throw error;
      }
      entry = claimed;
    } else if (entry.status === 'executing') {
      if (this.now() - Date.parse(entry.claimedAt ?? entry.at) < this.staleClaimMs) return { status: 'skipped', reason: 'in progress elsewhere' };
    } else {
      return { status: 'skipped', reason: `already ${entry.status}` };
    }

    const before = { ...entry, status: 'pending' as const };
    const system: ChangeContext = { actor: SCHEDULER_ACTOR, source: 'scheduler', reason: `scheduled by ${entry.createdBy} (${entry.id}): ${entry.reason}` };
    const base = entry.baseVersion ?? 0;
    let written: number | undefined;
    let error: string | undefined;
    const now = await this.switches.get(env, entry.switchId);
    if ((now?.version ?? 0) > base) {
      // written since the claim: by this entry (an executor died before marking it), or by someone else
      if (now?.reason?.includes(`(${entry.id})`)) written = now.version;
      else error = `switch ${entry.switchId} changed meanwhile (version ${now?.version}, expected ${base})`;
    } else {
      try {
        written = (await this.switches.set(env, entry.spec, system, { expectedVersion: base })).version;
      } catch (e) {
        if (!(e instanceof SwitchConflictError || e instanceof SwitchSpecError || e instanceof RangeError)) throw e;
        // lost the CAS to an executor of this same entry (a slow one we took for dead)? then it is written
        const raced = e instanceof SwitchConflictError ? await this.switches.get(env, entry.switchId) : null;
        if (raced?.reason?.includes(`(${entry.id})`)) written = raced.version;
        else error = e.message;
      }
    }
    const after: ScheduledSwitchChange = {
      ...entry,
      status: error === undefined ? 'executed' : 'failed',
      executedAt: new Date(this.now()).toISOString(),
      ...(written !== undefined ? { result: { version: written } } : {}),
      ...(error !== undefined ? { error } : {}),
    };
    try {
      await this.framework.run(() => c().setData(path, jsonData(after), version));
    } catch (e) {
      if (e instanceof BadVersionError || e instanceof NoNodeError) return { status: 'skipped', reason: 'finished by another executor' };
      throw e;
    }
    await this.auditor.emit(system, 'switch.schedule.execute', path, before, after, { env, switchId: entry.switchId, onBehalfOf: entry.createdBy, ...(written !== undefined ? { version: written } : {}), ...(error !== undefined ? { failed: true, error } : {}) });
    return error === undefined ? { status: 'executed', entry: after } : { status: 'failed', entry: after, error };
  }
}
