/**
 * Background work on BullMQ (Redis):
 *   switch-expiry   delayed to a switch's expiresAt (scheduled when an audit event shows one), calls
 *                   SwitchService.expireDue(env); a periodic sweep catches anything scheduled before a restart
 *   zombie-scan     periodic: RegistryService.detectZombies (4lw cons/dump probe) + expired override cleanup
 *   master-reconcile  every PADDOCK_RECONCILE_MS: asks this process's log-center / data-sync masters for a
 *                   reconcile round (topic assignment, task dispatch). It is the masters' only periodic round (the
 *                   API builds them with reconcileIntervalMs: 0): they reconcile on their watches and at grace
 *                   expiry / retry times on their own; this round picks up what no watch shows (a topic's new
 *                   partition count, a slave's new capacity, a round that failed on an error no watch re-fires).
 *                   Only the elected master acts; with several API instances on one Redis the job lands on any of
 *                   them, so the leader's instance gets one every period x instances on average.
 * Jobs are idempotent (expireDue / detectZombies re-read the store), so a retry or a duplicate is harmless.
 */
import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { AuditEvent, RegistryService, SessionProbe, SwitchService } from '@paddock/platform';
import type { ZombieReports } from '../registry/registry.views.js';

export const QUEUE = 'paddock-jobs';

export type JobData = { kind: 'switch-expiry'; env: string } | { kind: 'switch-sweep' } | { kind: 'zombie-scan' } | { kind: 'master-reconcile' };

/** What the reconcile job needs of a master (LogCenterMaster, DataSyncMaster). */
export interface ReconcilableMaster {
  readonly isLeader: boolean;
  trigger(): void;
}

export interface JobsDeps {
  connection: ConnectionOptions;
  switches: SwitchService;
  registry: RegistryService;
  listSwitchEnvs: () => Promise<string[]>;
  probe: SessionProbe;
  reports: ZombieReports;
  zombieScanMs: number;
  /** Period of the master-reconcile job (ms). */
  reconcileMs: number;
  log: (line: string) => void;
}

/** Expiry times in an audit event of a switch change (set / plan execute), with their env. */
export function expiriesOf(event: AuditEvent): Array<{ env: string; at: number; id: string }> {
  if (event.type !== 'switch.set' && event.type !== 'switch.plan.execute') return [];
  const env = (event.details as { env?: unknown } | undefined)?.env;
  if (typeof env !== 'string') return [];
  const states = (Array.isArray(event.after) ? event.after : [event.after]) as Array<{ id?: string; mode?: string; expiresAt?: number | null } | null>;
  return states.filter((s) => s && s.mode !== 'off' && typeof s.expiresAt === 'number').map((s) => ({ env, at: s!.expiresAt!, id: s!.id ?? '?' }));
}

export class JobsService {
  private queue!: Queue<JobData>;
  private worker!: Worker<JobData>;
  private readonly masters: ReconcilableMaster[] = [];

  constructor(private readonly deps: JobsDeps) {}

  async start(): Promise<void> {
    const { connection } = this.deps;
    this.queue = new Queue<JobData>(QUEUE, { connection, defaultJobOptions: { removeOnComplete: 1000, removeOnFail: 1000, attempts: 5, backoff: { type: 'exponential', delay: 1000 } } });
    this.worker = new Worker<JobData>(QUEUE, (job) => this.process(job), { connection, concurrency: 2 });
    this.worker.on('failed', (job, error) => this.deps.log(`job ${job?.name} ${job?.id} failed: ${error.message}`));
    await this.worker.waitUntilReady();
    await this.queue.upsertJobScheduler('zombie-scan', { every: this.deps.zombieScanMs }, { name: 'zombie-scan', data: { kind: 'zombie-scan' } });
    await this.queue.upsertJobScheduler('switch-sweep', { every: 30_000 }, { name: 'switch-sweep', data: { kind: 'switch-sweep' } });
    await this.queue.upsertJobScheduler('master-reconcile', { every: this.deps.reconcileMs }, { name: 'master-reconcile', data: { kind: 'master-reconcile' } });
  }

  /** A master of this process the periodic reconcile job should nudge. */
  addMaster(master: ReconcilableMaster): void {
    this.masters.push(master);
  }

  /** Feed from the audit stream: schedules expiry jobs for switches that carry an expiresAt. */
  onAudit = (event: AuditEvent): void => {
    for (const e of expiriesOf(event)) {
      void this.scheduleSwitchExpiry(e.env, e.at, `${e.id}-${e.at}`).catch((error: unknown) => this.deps.log(`cannot schedule switch expiry: ${(error as Error).message}`));
    }
  };

  async scheduleSwitchExpiry(env: string, at: number, tag: string): Promise<void> {
    const delay = Math.max(0, at - Date.now());
    await this.queue.add('switch-expiry', { kind: 'switch-expiry', env }, { delay, jobId: `switch-expiry-${env}-${tag}`.replace(/:/g, '_') });
  }

  async process(job: Job<JobData>): Promise<unknown> {
    const data = job.data;
    switch (data.kind) {
      case 'switch-expiry': {
        const expired = await this.deps.switches.expireDue(data.env);
        if (expired.length) this.deps.log(`switch expiry in ${data.env}: ${expired.join(', ')}`);
        return { expired };
      }
      case 'switch-sweep': {
        const out: Record<string, string[]> = {};
        for (const env of await this.deps.listSwitchEnvs()) {
          const expired = await this.deps.switches.expireDue(env);
          if (expired.length) out[env] = expired;
        }
        return out;
      }
      case 'zombie-scan': {
        const reports = await this.deps.registry.detectZombies(this.deps.probe);
        this.deps.reports.latest = { scannedAt: new Date().toISOString(), reports };
        const zombies = reports.filter((r) => r.status !== 'live');
        if (zombies.length) this.deps.log(`zombie scan: ${zombies.length} provider node(s) without a live session`);
        const expiredOverrides = await this.deps.registry.expireDue();
        return { scanned: reports.length, zombies: zombies.length, expiredOverrides };
      }
      case 'master-reconcile': {
        const leading = this.masters.filter((m) => m.isLeader);
        for (const master of leading) master.trigger();
        return { triggered: leading.length, masters: this.masters.length };
      }
    }
  }

  async close(): Promise<void> {
    await this.worker?.close().catch(() => undefined);
    await this.queue?.close().catch(() => undefined);
  }
}
