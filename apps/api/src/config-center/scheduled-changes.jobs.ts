/**
 * Scheduled changes on BullMQ (its own queue, `paddock-scheduled-changes`, apart from the shared jobs.service.ts):
 * config publishes / gray starts / promotes (ConfigScheduler) and switch flips (SwitchScheduler). One delayed job
 * per entry, to its time, with a deterministic job id, and a 30 s sweep of every due entry. The entries in the
 * store are the source of truth: at start-up pending ones are enqueued again (the private redis-server keeps
 * nothing across restarts), and the sweep catches anything whose job was lost or whose executor died. Executing
 * is idempotent, so a duplicate job, a retry or a second API instance changes nothing twice.
 */
import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { ConfigRef, ConfigScheduler, ScheduledChange } from '@paddock/platform';
import type { ScheduledSwitchChange, SwitchScheduler } from '../switches/switch-schedule.js';

export const SCHEDULED_CHANGES_QUEUE = 'paddock-scheduled-changes';

type ScheduleJob =
  | { kind: 'config-schedule'; env: string; app: string; namespace: string; id: string }
  | { kind: 'switch-schedule'; env: string; id: string }
  | { kind: 'scheduled-changes-sweep' };

export class ScheduledChangesJobs {
  private queue!: Queue<ScheduleJob>;
  private worker!: Worker<ScheduleJob>;

  constructor(
    private readonly deps: { config: ConfigScheduler; switches: SwitchScheduler; connection: ConnectionOptions; log: (line: string) => void; sweepMs?: number },
  ) {}

  async start(): Promise<void> {
    const { connection } = this.deps;
    this.queue = new Queue<ScheduleJob>(SCHEDULED_CHANGES_QUEUE, { connection, defaultJobOptions: { removeOnComplete: 1000, removeOnFail: 1000, attempts: 5, backoff: { type: 'exponential', delay: 1000 } } });
    this.worker = new Worker<ScheduleJob>(SCHEDULED_CHANGES_QUEUE, (job) => this.process(job), { connection, concurrency: 1 });
    this.worker.on('failed', (job, error) => this.deps.log(`scheduled change job ${job?.id} failed: ${error.message}`));
    await this.worker.waitUntilReady();
    await this.queue.upsertJobScheduler('scheduled-changes-sweep', { every: this.deps.sweepMs ?? 30_000 }, { name: 'scheduled-changes-sweep', data: { kind: 'scheduled-changes-sweep' } });
    const configs = await this.deps.config.listAll('pending');
    for (const entry of configs) await this.enqueueConfig(entry);
    const switches = await this.deps.switches.listAll(['pending', 'executing']);
    for (const entry of switches) await this.enqueueSwitch(entry);
    if (configs.length + switches.length > 0) this.deps.log(`re-enqueued ${configs.length} config and ${switches.length} switch scheduled change(s)`);
  }

  private static jobId(parts: string[]): string {
    return ['scheduled', ...parts].join('-').replace(/:/g, '_');
  }

  /** A delayed job to the entry's time (adding the same entry again is a no-op: same job id). */
  async enqueueConfig(entry: ScheduledChange): Promise<void> {
    const delay = Math.max(0, Date.parse(entry.at) - Date.now());
    await this.queue.add('config-schedule', { kind: 'config-schedule', env: entry.env, app: entry.app, namespace: entry.namespace, id: entry.id }, { delay, jobId: ScheduledChangesJobs.jobId(['config', entry.env, entry.app, entry.namespace, entry.id]) });
  }

  async enqueueSwitch(entry: ScheduledSwitchChange): Promise<void> {
    const delay = Math.max(0, Date.parse(entry.at) - Date.now());
    await this.queue.add('switch-schedule', { kind: 'switch-schedule', env: entry.env, id: entry.id }, { delay, jobId: ScheduledChangesJobs.jobId(['switch', entry.env, entry.id]) });
  }

  /** Drops the delayed job of a cancelled entry (executing it would be a no-op anyway). */
  async dequeueConfig(ref: ConfigRef, id: string): Promise<void> {
    await this.queue.remove(ScheduledChangesJobs.jobId(['config', ref.env, ref.app, ref.namespace, id])).catch(() => 0);
  }

  async dequeueSwitch(env: string, id: string): Promise<void> {
    await this.queue.remove(ScheduledChangesJobs.jobId(['switch', env, id])).catch(() => 0);
  }

  async process(job: Job<ScheduleJob>): Promise<unknown> {
    const data = job.data;
    switch (data.kind) {
      case 'config-schedule':
        return this.executeConfig(data, data.id);
      case 'switch-schedule':
        return this.executeSwitch(data.env, data.id);
      case 'scheduled-changes-sweep': {
        const out: Record<string, string> = {};
        const now = Date.now();
        for (const e of await this.deps.config.listAll('pending')) if (Date.parse(e.at) <= now) out[e.id] = (await this.executeConfig(e, e.id)).status;
        for (const e of await this.deps.switches.listAll(['pending', 'executing'])) if (Date.parse(e.at) <= now) out[e.id] = (await this.executeSwitch(e.env, e.id)).status;
        return out;
      }
    }
  }

  private async executeConfig(ref: ConfigRef, id: string) {
    const outcome = await this.deps.config.execute({ env: ref.env, app: ref.app, namespace: ref.namespace }, id);
    if (outcome.status === 'executed' || outcome.status === 'failed') this.deps.log(`scheduled config change ${ref.env}/${ref.app}/${ref.namespace} ${id}: ${outcome.status}${outcome.status === 'failed' ? ` (${outcome.error})` : ''}`);
    return outcome;
  }

  private async executeSwitch(env: string, id: string) {
    const outcome = await this.deps.switches.execute(env, id);
    if (outcome.status === 'executed' || outcome.status === 'failed') this.deps.log(`scheduled switch change ${env} ${id}: ${outcome.status}${outcome.status === 'failed' ? ` (${outcome.error})` : ''}`);
    return outcome;
  }

  async close(): Promise<void> {
    await this.worker?.close().catch(() => undefined);
    await this.queue?.close().catch(() => undefined);
  }
}
