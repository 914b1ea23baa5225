/**
 * Delivery settings, from the environment:
 *   PADDOCK_WEBHOOK_ATTEMPTS      attempts per delivery before it is dead (default 8)
 *   PADDOCK_WEBHOOK_BACKOFF_MS    first retry delay; doubles on every retry (default 2000: 2 s, 4 s, ... ~4 min)
 *   PADDOCK_WEBHOOK_TIMEOUT_MS    per-attempt timeout: DNS + connect + answer (default 10000)
 *   PADDOCK_WEBHOOK_CONCURRENCY   parallel deliveries in this process (default 4)
 *   PADDOCK_WEBHOOK_RETENTION_DAYS       how long `delivered` deliveries (with their attempts) are kept after they
 *                                        finished (default 14; fractions allowed)
 *   PADDOCK_WEBHOOK_DEAD_RETENTION_DAYS  the same for `dead` ones, kept longer to be looked into / redelivered
 *                                        (default 30)
 *   PADDOCK_WEBHOOK_SWEEP_MS      how often the maintenance pass runs: missed audit events get their deliveries,
 *                                 stalled deliveries are queued again, old ones are pruned (default 30000)
 *   PADDOCK_WEBHOOK_WORKER        0 / false: this instance creates and sends no deliveries (the management API
 *                                 still works; another instance on the same database catches up); default on
 */
export interface WebhookSettings {
  attempts: number;
  backoffMs: number;
  timeoutMs: number;
  concurrency: number;
  retentionMs: number;
  deadRetentionMs: number;
  sweepMs: number;
  worker: boolean;
}

const DAY_MS = 86_400_000;

function positiveInt(name: string, raw: string | undefined, fallback: number, max: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`${name} must be an integer from 1 to ${max}, got ${JSON.stringify(raw)}`);
  return n;
}

function days(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === '') return fallback * DAY_MS;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || n > 3650) throw new Error(`${name} must be a number of days above 0 and at most 3650 (fractions allowed), got ${JSON.stringify(raw)}`);
  return Math.max(1, Math.round(n * DAY_MS));
}

function flag(name: string, raw: string | undefined, fallback: boolean): boolean {
  const v = (raw ?? '').trim().toLowerCase();
  if (v === '') return fallback;
  if (v === '1' || v === 'true') return true;
  if (v === '0' || v === 'false') return false;
  throw new Error(`${name} must be 1/true or 0/false, got ${JSON.stringify(raw)}`);
}

export function webhookSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): WebhookSettings {
  return {
    attempts: positiveInt('PADDOCK_WEBHOOK_ATTEMPTS', env.PADDOCK_WEBHOOK_ATTEMPTS, 8, 50),
    backoffMs: positiveInt('PADDOCK_WEBHOOK_BACKOFF_MS', env.PADDOCK_WEBHOOK_BACKOFF_MS, 2000, 3_600_000),
    timeoutMs: positiveInt('PADDOCK_WEBHOOK_TIMEOUT_MS', env.PADDOCK_WEBHOOK_TIMEOUT_MS, 10_000, 300_000),
    concurrency: positiveInt('PADDOCK_WEBHOOK_CONCURRENCY', env.PADDOCK_WEBHOOK_CONCURRENCY, 4, 100),
    retentionMs: days('PADDOCK_WEBHOOK_RETENTION_DAYS', env.PADDOCK_WEBHOOK_RETENTION_DAYS, 14),
    deadRetentionMs: days('PADDOCK_WEBHOOK_DEAD_RETENTION_DAYS', env.PADDOCK_WEBHOOK_DEAD_RETENTION_DAYS, 30),
    sweepMs: positiveInt('PADDOCK_WEBHOOK_SWEEP_MS', env.PADDOCK_WEBHOOK_SWEEP_MS, 30_000, 86_400_000),
    worker: flag('PADDOCK_WEBHOOK_WORKER', env.PADDOCK_WEBHOOK_WORKER, true),
  };
}

/** The delay before retry number `retry` (1 = after the first failed attempt), as BullMQ's exponential backoff computes it. */
export function retryDelayMs(settings: Pick<WebhookSettings, 'backoffMs'>, retry: number): number {
  return settings.backoffMs * 2 ** (retry - 1);
}

/**
 * How long an instance owns the attempt it is sending (see WebhookDeliveryQueue.process): the attempt's own
 * timeout plus room for the database writes around it. After that another instance may send it again.
 */
export function claimLeaseMs(settings: Pick<WebhookSettings, 'timeoutMs'>): number {
  return settings.timeoutMs + 15_000;
}

/** A pending / retrying delivery this long past its due time, unclaimed, is queued again by the sweep. */
export const STALLED_AFTER_MS = 60_000;
