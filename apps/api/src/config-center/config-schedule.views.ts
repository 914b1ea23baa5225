/** Scheduled config changes: entries in the store (ConfigScheduler), fired by delayed BullMQ jobs. */
import type { ChangeContext, ConfigFormat, ConfigScheduler, GrayRules, ScheduleStatus, ScheduledAction } from '@paddock/platform';
import { ScheduleTimeError } from '@paddock/platform';
import type { ScheduledChangesJobs } from './scheduled-changes.jobs.js';
import { ref } from './config.views.js';

export interface ScheduleRequest {
  action: ScheduledAction;
  at: string | number;
  content?: string | undefined;
  format?: ConfigFormat | undefined;
  comment?: string | undefined;
  expectedRelease?: number | undefined;
  force?: boolean | undefined;
  rules?: GrayRules | undefined;
  grayId?: string | undefined;
}

/** An ISO-8601 time (with a date) or epoch milliseconds. */
export function parseTime(at: string | number): number {
  if (typeof at === 'number') return at;
  const t = /^\d{4}-\d{2}-\d{2}T/.test(at) ? Date.parse(at) : Number.NaN;
  if (!Number.isFinite(t)) throw new ScheduleTimeError(`the schedule time ${JSON.stringify(at)} is not an ISO-8601 date-time or epoch milliseconds`);
  return t;
}

export class ConfigScheduleViews {
  constructor(
    private readonly scheduler: ConfigScheduler,
    private readonly jobs: Pick<ScheduledChangesJobs, 'enqueueConfig' | 'dequeueConfig'>,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  async create(p: unknown, b: ScheduleRequest, ctx: ChangeContext) {
    const rules = b.rules ? (Object.fromEntries(Object.entries(b.rules).filter(([, v]) => v !== undefined)) as GrayRules) : undefined;
    const entry = await this.scheduler.create(
      ref(p),
      {
        action: b.action,
        at: parseTime(b.at),
        ...(b.content !== undefined ? { content: b.content } : {}),
        ...(b.format ? { format: b.format } : {}),
        ...(b.comment ? { comment: b.comment } : {}),
        ...(b.expectedRelease !== undefined ? { expectedRelease: b.expectedRelease } : {}),
        ...(b.force ? { force: true } : {}),
        ...(rules ? { rules } : {}),
        ...(b.grayId ? { grayId: b.grayId } : {}),
      },
      ctx,
    );
    // the entry is stored: if Redis is briefly away, the sweep still runs it on time (+ up to one sweep period)
    await this.jobs.enqueueConfig(entry).catch((error: unknown) => this.log(`cannot enqueue scheduled change ${entry.id}: ${(error as Error).message}`));
    return entry;
  }

  async list(p: unknown, status?: ScheduleStatus) {
    return { scheduled: (await this.scheduler.list(ref(p))).filter((e) => status === undefined || e.status === status) };
  }

  async listAll(status?: ScheduleStatus) {
    return { scheduled: await this.scheduler.listAll(status) };
  }

  async cancel(p: unknown, id: string, ctx: ChangeContext) {
    const r = ref(p);
    const entry = await this.scheduler.cancel(r, id, ctx);
    await this.jobs.dequeueConfig(r, id);
    return entry;
  }
}
