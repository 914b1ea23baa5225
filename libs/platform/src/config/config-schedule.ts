/**
 * Scheduled config changes: publish a release, start a gray release or promote the active gray at a future time.
 * The source of truth is a znode per entry, `{root}/{env}/{app}/{namespace}/scheduled/{id}` (JSON
 * {@link ScheduledChange}); whatever fires it (the API's BullMQ delayed job, a sweep after a restart) only calls
 * {@link ConfigScheduler.execute}, which is idempotent: the change and the entry's `pending -> executed` CAS are
 * one multi, so executing twice (a retry, two API instances) changes the config once.
 *
 * The content is snapshotted when the change is scheduled (the draft as the operator reviewed it), and by default
 * the change only applies over the live release it was scheduled against (`expectedRelease`): if someone published
 * in between, the entry ends `failed` with the reason instead of overwriting their release. Executions are
 * audited as `system:scheduler` with the scheduling user in the reason and in `details.onBehalfOf`.
 */
import { randomUUID } from 'node:crypto';
import { NoNodeError, type Op } from '@paddock/client';
import { toFramework, type ClientLike, type Framework } from '@paddock/recipes';
import { Auditor, MissingReasonError, type AuditSink, type ChangeContext } from '../audit.js';
import { childrenOrEmpty, ensurePath, jsonData, readJson } from '../zk.js';
import { ConfigConflictError, ConfigNotFoundError, ConfigValidationError, refKey, validateRef, type ConfigDraft, type ConfigFormat, type ConfigRef, type ConfigService } from './config-service.js';
import { checkGrayRules, type GrayRules } from './gray-rules.js';

export type ScheduledAction = 'publish' | 'gray.start' | 'gray.promote';
export type ScheduleStatus = 'pending' | 'executed' | 'cancelled' | 'failed';

export interface ScheduledChange extends ConfigRef {
  id: string;
  action: ScheduledAction;
  /** When to apply it (ISO-8601). */
  at: string;
  status: ScheduleStatus;
  createdBy: string;
  createdAt: string;
  reason: string;
  params: {
    content?: string;
    format?: ConfigFormat;
    comment?: string;
    /** publish / gray.start: the live release it applies over (default: the live one when scheduled). */
    expectedRelease?: number;
    /** publish: even while a gray release is active. */
    force?: boolean;
    rules?: GrayRules;
    /** gray.promote: the gray release to promote (default: the one active when scheduled, else the one active then). */
    grayId?: string;
  };
  executedAt?: string;
  result?: { release?: number; grayId?: string };
  error?: string;
  cancelledBy?: string;
  cancelledAt?: string;
}

export interface ScheduleInput {
  action: ScheduledAction;
  /** Epoch ms or a Date. */
  at: number | Date;
  content?: string;
  format?: ConfigFormat;
  comment?: string;
  expectedRelease?: number;
  force?: boolean;
  rules?: GrayRules;
  grayId?: string;
}

export type ExecuteOutcome =
  | { status: 'executed'; entry: ScheduledChange }
  | { status: 'failed'; entry: ScheduledChange; error: string }
  | { status: 'skipped'; reason: string }
  | { status: 'not-due'; dueInMs: number };

/** A schedule time that is not a valid future time (the API answers 400). */
export class ScheduleTimeError extends RangeError {}

export const SCHEDULER_ACTOR = 'system:scheduler';
/** How far ahead a change may be scheduled. */
export const MAX_SCHEDULE_AHEAD_MS = 366 * 24 * 3600_000;
const ID = /^s[0-9a-z]+-[0-9a-f]{8}$/;

export class ConfigScheduler {
  private readonly framework: Framework;
  private readonly auditor: Auditor;
  private readonly now: () => number;

  constructor(
    client: ClientLike,
    private readonly config: ConfigService,
    options: { audit?: AuditSink; now?: () => number } = {},
  ) {
    this.framework = toFramework(client);
    this.now = options.now ?? Date.now;
    this.auditor = new Auditor(options.audit, {}, () => new Date(this.now()));
  }

  private dir(ref: ConfigRef): string {
    return `${this.config.path(ref)}/scheduled`;
  }

  entryPath(ref: ConfigRef, id: string): string {
    if (!ID.test(id)) throw new RangeError(`bad scheduled change id ${JSON.stringify(id)}`);
    return `${this.dir(ref)}/${id}`;
  }

  async create(ref: ConfigRef, input: ScheduleInput, ctx: ChangeContext): Promise<ScheduledChange> {
    validateRef(ref);
    this.auditor.check(ctx, 'config.schedule.create');
    if (!(ctx.reason && ctx.reason.trim())) throw new MissingReasonError('config.schedule.create');
    const at = input.at instanceof Date ? input.at.getTime() : input.at;
    const now = this.now();
    if (typeof at !== 'number' || !Number.isFinite(at)) throw new ScheduleTimeError('the schedule time is not a valid time');
    if (at <= now) throw new ScheduleTimeError(`the schedule time ${new Date(at).toISOString()} is not in the future`);
    if (at - now > MAX_SCHEDULE_AHEAD_MS) throw new ScheduleTimeError(`the schedule time is more than ${MAX_SCHEDULE_AHEAD_MS / 86_400_000} days ahead`);
    if (!['publish', 'gray.start', 'gray.promote'].includes(input.action)) throw new RangeError(`unknown action ${JSON.stringify(input.action)}`);

    const params: ScheduledChange['params'] = {};
    const live = await this.config.get(ref);
    if (input.action === 'publish' || input.action === 'gray.start') {
      let content = input.content;
      let format = input.format;
      let comment = input.comment;
      if (content === undefined) {
        const draft: ConfigDraft | null = await this.config.getDraft(ref);
        if (!draft) throw new ConfigNotFoundError(ref, 'draft (schedule content or save a draft first)');
        content = draft.content;
        format ??= draft.format;
        comment ??= draft.comment;
      }
      Object.assign(params, { content, ...(format ? { format } : {}), ...(comment !== undefined ? { comment } : {}), expectedRelease: input.expectedRelease ?? live?.release ?? 0 });
      if (input.action === 'publish' && input.force) params.force = true;
      if (input.action === 'gray.start') {
        if (!input.rules) throw new RangeError('gray rules: required to schedule a gray start');
        params.rules = checkGrayRules(input.rules);
        if (!live) throw new ConfigNotFoundError(ref, 'live release (publish a main version before a gray one)');
      }
    } else {
      const grayId = input.grayId ?? (await this.config.getGray(ref))?.id;
      if (grayId !== undefined) params.grayId = grayId;
      if (input.comment !== undefined) params.comment = input.comment;
    }
    const entry: ScheduledChange = {
      id: `s${at.toString(36)}-${randomUUID().slice(0, 8)}`,
      ...ref,
      action: input.action,
      at: new Date(at).toISOString(),
      status: 'pending',
      createdBy: ctx.actor,
      createdAt: new Date(now).toISOString(),
      reason: ctx.reason,
      params,
    };
    const path = this.entryPath(ref, entry.id);
    await this.framework.run(async (c) => {
      await ensurePath(c, this.dir(ref));
      await c.create(path, jsonData(entry));
    });
    await this.auditor.emit(ctx, 'config.schedule.create', path, null, entry, { action: entry.action, at: entry.at });
    return entry;
  }

  async get(ref: ConfigRef, id: string): Promise<(ScheduledChange & { version: number }) | null> {
    const r = await this.framework.run((c) => readJson<ScheduledChange>(c, this.entryPath(ref, id)));
    return r?.value ? { ...r.value, version: r.version } : null;
  }

  /** Entries of one namespace, by time. */
  async list(ref: ConfigRef): Promise<ScheduledChange[]> {
    validateRef(ref);
    const dir = this.dir(ref);
    const out = await this.framework.run(async (c) => {
      const entries: ScheduledChange[] = [];
      for (const name of await childrenOrEmpty(c, dir)) {
        const r = await readJson<ScheduledChange>(c, `${dir}/${name}`);
        if (r?.value) entries.push(r.value);
      }
      return entries;
    });
    return out.sort((a, b) => (a.at === b.at ? (a.id < b.id ? -1 : 1) : a.at < b.at ? -1 : 1));
  }

  /** Entries of every namespace (optionally of one status), by time. */
  async listAll(status?: ScheduleStatus): Promise<ScheduledChange[]> {
    const out: ScheduledChange[] = [];
    for (const env of await this.config.listEnvs()) {
      for (const app of await this.config.listApps(env)) {
        for (const namespace of await this.config.listNamespaces(env, app)) {
          const ref = { env, app, namespace };
          try {
            validateRef(ref);
          } catch {
            continue;
          }
          out.push(...(await this.list(ref)).filter((e) => status === undefined || e.status === status));
        }
      }
    }
    return out.sort((a, b) => (a.at === b.at ? (a.id < b.id ? -1 : 1) : a.at < b.at ? -1 : 1));
  }

  async cancel(ref: ConfigRef, id: string, ctx: ChangeContext): Promise<ScheduledChange> {
    this.auditor.check(ctx, 'config.schedule.cancel');
    if (!(ctx.reason && ctx.reason.trim())) throw new MissingReasonError('config.schedule.cancel');
    const path = this.entryPath(ref, id);
    const outcome = await this.framework.run(async (c) => {
      const r = await readJson<ScheduledChange>(c, path);
      if (!r?.value) throw new ConfigNotFoundError(ref, `scheduled change ${id}`);
      if (r.value.status !== 'pending') throw new ConfigConflictError(ref, undefined, undefined, `scheduled change ${id} is ${r.value.status}, not pending`);
      const after: ScheduledChange = { ...r.value, status: 'cancelled', cancelledBy: ctx.actor, cancelledAt: new Date(this.now()).toISOString() };
      try {
        await c.setData(path, jsonData(after), r.version);
      } catch (error) {
        const now = await readJson<ScheduledChange>(c, path);
        throw new ConfigConflictError(ref, undefined, undefined, `scheduled change ${id} changed meanwhile (now ${now?.value?.status ?? 'gone'}): ${(error as Error).message}`);
      }
      return { before: r.value, after };
    });
    await this.auditor.emit(ctx, 'config.schedule.cancel', path, outcome.before, outcome.after, { action: outcome.after.action, at: outcome.after.at });
    return outcome.after;
  }

  /**
   * Applies a pending, due entry (see the file comment). Domain failures (conflict, schema, nothing to promote)
   * end the entry `failed`; store/connection errors are thrown so the caller retries.
   */
  async execute(ref: ConfigRef, id: string, options: { earlyMs?: number } = {}): Promise<ExecuteOutcome> {
    const path = this.entryPath(ref, id);
    const read = await this.framework.run((c) => readJson<ScheduledChange>(c, path));
    if (!read?.value) return { status: 'skipped', reason: 'no such scheduled change' };
    const entry = read.value;
    if (entry.status !== 'pending') return { status: 'skipped', reason: `already ${entry.status}` };
    const dueInMs = Date.parse(entry.at) - this.now();
    if (dueInMs > (options.earlyMs ?? 250)) return { status: 'not-due', dueInMs };

    const system: ChangeContext = { actor: SCHEDULER_ACTOR, source: 'scheduler', reason: `scheduled by ${entry.createdBy} (${entry.id}): ${entry.reason}` };
    const executedAt = new Date(this.now()).toISOString();
    const mark = (result: ScheduledChange['result']): Op => ({ type: 'setData', path, data: jsonData({ ...entry, status: 'executed', executedAt, result } satisfies ScheduledChange), version: read.version });
    const p = entry.params;
    let result: ScheduledChange['result'];
    try {
      if (entry.action === 'publish') {
        result = { release: (p.expectedRelease ?? 0) + 1 };
        await this.config.publish(ref, system, {
          content: p.content ?? '',
          ...(p.format ? { format: p.format } : {}),
          ...(p.comment !== undefined ? { comment: p.comment } : {}),
          ...(p.expectedRelease !== undefined ? { expectedRelease: p.expectedRelease } : {}),
          ...(p.force ? { force: true } : {}),
          atomicWith: [mark(result)],
        });
      } else if (entry.action === 'gray.start') {
        result = { grayId: `g${p.expectedRelease ?? 0}-${entry.id.slice(-8)}` };
        await this.config.startGray(ref, system, {
          id: result.grayId,
          content: p.content ?? '',
          rules: p.rules ?? {},
          ...(p.format ? { format: p.format } : {}),
          ...(p.comment !== undefined ? { comment: p.comment } : {}),
          ...(p.expectedRelease !== undefined ? { expectedRelease: p.expectedRelease } : {}),
          atomicWith: [mark(result)],
        });
      } else {
        const live = (await this.config.get(ref))?.release ?? 0;
        const gray = await this.config.getGray(ref);
        result = { release: live + 1, ...(gray ? { grayId: gray.id } : {}) };
        await this.config.promoteGray(ref, system, { ...(p.grayId !== undefined ? { grayId: p.grayId } : {}), ...(p.comment !== undefined ? { comment: p.comment } : {}), expectedRelease: live, atomicWith: [mark(result)] });
      }
    } catch (error) {
      if (!(error instanceof ConfigConflictError || error instanceof ConfigValidationError || error instanceof ConfigNotFoundError || error instanceof RangeError)) throw error;
      return this.fail(ref, path, entry, error, system);
    }
    const after: ScheduledChange = { ...entry, status: 'executed', executedAt, result };
    await this.auditor.emit(system, 'config.schedule.execute', path, entry, after, { onBehalfOf: entry.createdBy, action: entry.action, ...result });
    return { status: 'executed', entry: after };
  }

  private async fail(ref: ConfigRef, path: string, entry: ScheduledChange, error: Error, system: ChangeContext): Promise<ExecuteOutcome> {
    return this.framework.run(async (c) => {
      // a conflict on the entry itself: someone else executed or cancelled it
      const now = await readJson<ScheduledChange>(c, path);
      if (!now?.value || now.value.status !== 'pending') return { status: 'skipped', reason: `already ${now?.value?.status ?? 'gone'}` } as const;
      const after: ScheduledChange = { ...now.value, status: 'failed', executedAt: new Date(this.now()).toISOString(), error: error.message };
      try {
        await c.setData(path, jsonData(after), now.version);
      } catch (e) {
        if (e instanceof NoNodeError) return { status: 'skipped', reason: 'gone' } as const;
        return { status: 'skipped', reason: `changed meanwhile (${(e as Error).message})` } as const;
      }
      await this.auditor.emit(system, 'config.schedule.execute', path, entry, after, { onBehalfOf: entry.createdBy, action: entry.action, failed: true, error: error.message });
      return { status: 'failed', entry: after, error: `${refKey(ref)}: ${error.message}` } as const;
    });
  }
}
