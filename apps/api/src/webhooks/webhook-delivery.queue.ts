/**
 * Webhook deliveries on their own BullMQ queue (`paddock-webhooks`, separate from `paddock-jobs`): one job per
 * delivery run. An attempt POSTs the stored body with fresh headers; a network error, a timeout or a non-2xx answer
 * is recorded and thrown so BullMQ retries it with exponential backoff; the attempt that reaches the delivery's
 * `maxAttempts` ends it as `dead` instead, and so does a target the address policy refuses (not retried).
 *
 * The database is the source of truth (status, attempt count, next attempt time). Several API instances on one
 * database may each hold a job for the same delivery (each re-queues unfinished deliveries at start-up, and without
 * a shared REDIS_URL they do not see each other's jobs), so before sending, a job claims the attempt in the database
 * (compare-and-set on the attempt count, with a lease; see WebhooksRepository.claimAttempt): each attempt number is
 * sent by one instance only. A job that finds the attempt not yet due, or claimed by someone else, waits in
 * BullMQ's delayed set until then instead of sending.
 *
 * The same queue carries the periodic maintenance pass (WebhooksService.sweep) as a BullMQ job scheduler, so it
 * runs on an instance that sends deliveries; instances sharing a Redis share the one schedule (one sweep per period
 * between them: it works on the shared database, and the claims above keep a re-queued delivery sent once).
 */
import { randomUUID } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import os from 'node:os';
import { DelayedError, Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { claimLeaseMs, retryDelayMs, type WebhookSettings } from './webhook-config.js';
import { deliveryHeaders } from './webhook-signature.js';
import { guardedLookup, hostOf, refusal, targetPolicyFromEnv, type TargetPolicy } from './webhook-target-policy.js';
import type { DeliveryStatus } from './webhooks.dto.js';
import type { DeliveryRow, WebhooksRepository } from './webhooks.repository.js';

export const WEBHOOK_QUEUE = 'paddock-webhooks';

export interface DeliveryJob {
  deliveryId: string;
}

/** Job name and scheduler id of the periodic sweep (its data is empty). */
export const SWEEP_JOB = 'sweep';

type WebhookJob = DeliveryJob | Record<string, never>;

export interface AttemptOutcome {
  ok: boolean;
  /** The address policy refused the target: not retried. */
  blocked: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  responseBody: string | null;
}

const RESPONSE_PREVIEW = 1024;

function describeError(error: unknown): string {
  const e = error as { code?: string; message?: string };
  if (e?.code === 'EWEBHOOKBLOCKED') return `blocked: ${e.message ?? ''}`;
  if (e?.code) return e.message && e.message !== e.code ? `${e.code} (${e.message})` : e.code;
  return e?.message ?? String(error);
}

/**
 * One POST; never throws. Redirects are not followed (a 3xx is a failed attempt). The timeout covers the DNS
 * lookup, the connection and the answer's status line. When `policy` is given, an IP-literal host is checked
 * before connecting and a host name's addresses in the socket's own lookup (so the address checked is the one
 * connected to).
 */
export function postOnce(url: string, body: string, headers: Record<string, string>, timeoutMs: number, policy?: TargetPolicy): Promise<AttemptOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const failed = (error: string, blocked = false): AttemptOutcome => ({ ok: false, blocked, statusCode: null, error, durationMs: elapsed(), responseBody: null });
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve(failed('invalid URL'));
  }
  const host = hostOf(target);
  if (policy) {
    const reason = refusal(policy, host, host);
    if (reason && isIP(host) !== 0) return Promise.resolve(failed(`blocked: ${reason}`, true));
  }
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<AttemptOutcome>((resolve) => {
    let settled = false;
    const finish = (outcome: AttemptOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const req = send(target, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      agent: false, // a fresh connection, resolved (and checked) for this attempt
      ...(policy ? { lookup: guardedLookup(policy) } : {}),
    });
    const timer = setTimeout(() => {
      finish(failed(`timeout after ${timeoutMs} ms`));
      req.destroy();
    }, timeoutMs);
    req.on('error', (error) => finish(failed(describeError(error), (error as { code?: string }).code === 'EWEBHOOKBLOCKED')));
    req.on('response', (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      const ok = status >= 200 && status < 300;
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        const text = Buffer.concat(chunks).toString('utf8').slice(0, RESPONSE_PREVIEW);
        finish({ ok, blocked: false, statusCode: status, error: ok ? null : `HTTP ${status}`, durationMs: elapsed(), responseBody: text });
        res.destroy();
      };
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        size += c.length;
        if (size >= RESPONSE_PREVIEW * 4) done(); // enough for the preview; the status is what counts
      });
      res.on('end', done);
      // an answer cut short (or the timeout firing while it streams) is still that status
      res.on('error', done);
      res.on('close', done);
    });
    req.end(body);
  });
}

/** BullMQ job id of a delivery's run (the first run, then one per manual redelivery). */
export function jobIdOf(delivery: { id: string; redeliveries: number }): string {
  return delivery.redeliveries === 0 ? delivery.id : `${delivery.id}-r${delivery.redeliveries}`;
}

export class WebhookDeliveryQueue {
  /** Who claims attempts in the database: unique per process. */
  readonly instanceId = `${os.hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  private queue!: Queue<WebhookJob>;
  private worker: Worker<WebhookJob> | undefined;
  private sweep: (() => Promise<unknown>) | undefined;

  constructor(
    private readonly deps: {
      connection: ConnectionOptions;
      repository: WebhooksRepository;
      settings: WebhookSettings;
      /** Default: from the environment (PADDOCK_WEBHOOK_ALLOW_HOSTS / _ALLOW_PRIVATE). */
      policy?: TargetPolicy;
      log: (line: string) => void;
    },
  ) {
    this.policy = deps.policy ?? targetPolicyFromEnv();
  }

  /** Which targets deliveries (and new subscriptions) may reach. */
  readonly policy: TargetPolicy;

  async start(): Promise<void> {
    const { connection, settings } = this.deps;
    this.queue = new Queue<WebhookJob>(WEBHOOK_QUEUE, {
      connection,
      defaultJobOptions: { removeOnComplete: { count: 1000 }, removeOnFail: { count: 1000 }, backoff: { type: 'exponential', delay: settings.backoffMs } },
    });
    if (!settings.worker) {
      this.deps.log('webhooks: PADDOCK_WEBHOOK_WORKER=0: this instance creates and sends no deliveries');
      return;
    }
    this.worker = new Worker<WebhookJob>(WEBHOOK_QUEUE, (job, token) => (job.name === SWEEP_JOB ? this.runSweep() : this.process(job as Job<DeliveryJob>, token)), { connection, concurrency: settings.concurrency });
    // the message is the attempt's outcome (status / network error): never the secret, the body or the URL
    this.worker.on('failed', (job, error) => this.deps.log(`webhook ${job?.name === SWEEP_JOB ? 'sweep' : `delivery ${job?.data.deliveryId ?? '?'}`} attempt ${job?.attemptsMade ?? '?'} failed: ${error.message}`));
    await this.worker.waitUntilReady();
    const resumed = await this.resume(await this.deps.repository.unfinished());
    if (resumed > 0) this.deps.log(`webhooks: re-enqueued ${resumed} unfinished deliveries`);
  }

  get working(): boolean {
    return this.worker !== undefined;
  }

  /**
   * Runs `sweep` every `everyMs` on this queue's job scheduler (upserted: instances sharing a Redis share one
   * schedule, the last start-up's period wins). Only on a working instance: the sweep creates and queues deliveries.
   */
  async scheduleSweep(everyMs: number, sweep: () => Promise<unknown>): Promise<void> {
    if (!this.working) return;
    this.sweep = sweep;
    await this.queue.upsertJobScheduler(SWEEP_JOB, { every: everyMs }, { name: SWEEP_JOB, data: {}, opts: { removeOnComplete: true, removeOnFail: { count: 100 } } });
  }

  /** A sweep job taken before this instance's service registered its sweep (a schedule left by another) is a no-op. */
  private async runSweep(): Promise<{ swept: boolean }> {
    if (!this.sweep) return { swept: false };
    await this.sweep();
    return { swept: true };
  }

  /** Queues a run of a delivery; a no-op when that run's job already exists. */
  async enqueue(delivery: { id: string; redeliveries: number; attemptCount: number; maxAttempts: number; nextAttemptAt?: Date | null }): Promise<void> {
    const delay = delivery.nextAttemptAt ? Math.max(0, delivery.nextAttemptAt.getTime() - Date.now()) : 0;
    await this.queue.add('deliver', { deliveryId: delivery.id }, { jobId: jobIdOf(delivery), attempts: Math.max(1, delivery.maxAttempts - delivery.attemptCount), delay });
  }

  /**
   * Gives each of these (unfinished) deliveries its job back unless this queue still has it waiting, delayed or
   * active: at start-up (the private redis-server keeps nothing; an external Redis usually still has them, and then
   * this changes nothing) and for stalled deliveries found by the sweep. A job that BullMQ already finished while
   * the row says otherwise (the process died between the two, or it lost a claim) is replaced.
   */
  async resume(rows: DeliveryRow[]): Promise<number> {
    let count = 0;
    for (const row of rows) {
      const existing = await this.queue.getJob(jobIdOf(row));
      if (existing) {
        const state = await existing.getState();
        if (state !== 'completed' && state !== 'failed' && state !== 'unknown') continue;
        await existing.remove();
      }
      await this.enqueue(row);
      count++;
    }
    return count;
  }

  /** Puts the job back in the delayed set until `at` without counting an attempt. */
  private async waitUntil(job: Job<DeliveryJob>, token: string | undefined, at: number): Promise<never> {
    await job.moveToDelayed(Math.max(at, Date.now() + 50), token);
    throw new DelayedError();
  }

  async process(job: Job<DeliveryJob>, token?: string): Promise<{ status: DeliveryStatus | 'skipped' }> {
    const { repository, settings } = this.deps;
    const policy = this.policy;
    const row = await repository.deliveryRow(job.data.deliveryId);
    if (!row || row.status === 'delivered' || row.status === 'dead' || row.attemptCount >= row.maxAttempts) return { status: 'skipped' };
    const now = Date.now();
    // not ours to send yet: the next attempt is later (another queue's schedule), or another instance is sending it
    if (row.nextAttemptAt && row.nextAttemptAt.getTime() > now) return this.waitUntil(job, token, row.nextAttemptAt.getTime());
    if (row.claimExpiresAt && row.claimExpiresAt.getTime() > now) return this.waitUntil(job, token, row.claimExpiresAt.getTime() + 100);
    const [hook, secret] = await Promise.all([repository.get(row.webhookId), repository.secretOf(row.webhookId)]);
    if (!hook || secret === undefined) return { status: 'skipped' }; // the subscription was deleted meanwhile
    if (!(await repository.claimAttempt(row.id, row.attemptCount, this.instanceId, claimLeaseMs(settings)))) {
      return this.waitUntil(job, token, Date.now() + 1000); // lost the race for this attempt: look again shortly
    }

    const attempt = row.attemptCount + 1;
    const startedAt = new Date();
    const headers = deliveryHeaders({ secret, body: row.payload, eventType: row.eventType, deliveryId: row.id, now: startedAt });
    const { blocked, ...outcome } = await postOnce(hook.url, row.payload, headers, settings.timeoutMs, policy);
    const status: DeliveryStatus = outcome.ok ? 'delivered' : blocked || attempt >= row.maxAttempts ? 'dead' : 'retrying';
    // BullMQ computes the same delay from attemptsMade (this job's failures so far, this one included)
    const nextAttemptAt = status === 'retrying' ? new Date(Date.now() + retryDelayMs(settings, job.attemptsMade + 1)) : null;
    if (!(await repository.recordAttempt(row.id, { attempt, startedAt, ...outcome }, { status, nextAttemptAt }, this.instanceId))) {
      this.deps.log(`webhook delivery ${row.id}: attempt ${attempt} outlived its claim and was not recorded`);
      return { status: 'skipped' };
    }
    if (status === 'retrying') throw new Error(`${outcome.error ?? 'failed'} (attempt ${attempt} of ${row.maxAttempts})`);
    if (status === 'dead') this.deps.log(`webhook delivery ${row.id} is dead after ${attempt} attempts: ${outcome.error ?? 'failed'}`);
    return { status };
  }

  async close(): Promise<void> {
    await this.worker?.close().catch(() => undefined);
    await this.queue?.close().catch(() => undefined);
  }
}
