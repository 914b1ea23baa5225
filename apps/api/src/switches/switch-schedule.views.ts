/** Scheduled switch changes: entries in the store (SwitchScheduler), fired by delayed BullMQ jobs. */
import type { ChangeContext, SwitchSpec } from '@paddock/platform';
import { parseTime } from '../config-center/config-schedule.views.js';
import type { ScheduledChangesJobs } from '../config-center/scheduled-changes.jobs.js';
import type { SwitchScheduleStatus, SwitchScheduler } from './switch-schedule.js';

export class SwitchScheduleViews {
  constructor(
    private readonly scheduler: SwitchScheduler,
    private readonly jobs: Pick<ScheduledChangesJobs, 'enqueueSwitch' | 'dequeueSwitch'>,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  async create(env: string, b: SwitchSpec & { at: string | number; reason?: string | undefined }, ctx: ChangeContext) {
    const { at, reason: _reason, ...spec } = b;
    const entry = await this.scheduler.create(env, stripUndefined(spec) as SwitchSpec, parseTime(at), ctx);
    // stored first: if Redis is briefly away, the sweep still runs it (within one sweep period)
    await this.jobs.enqueueSwitch(entry).catch((error: unknown) => this.log(`cannot enqueue scheduled switch change ${entry.id}: ${(error as Error).message}`));
    return entry;
  }

  async list(env: string, status?: SwitchScheduleStatus) {
    return { scheduled: (await this.scheduler.list(env)).filter((e) => status === undefined || e.status === status) };
  }

  async cancel(env: string, id: string, ctx: ChangeContext) {
    const entry = await this.scheduler.cancel(env, id, ctx);
    await this.jobs.dequeueSwitch(env, id);
    return entry;
  }
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
