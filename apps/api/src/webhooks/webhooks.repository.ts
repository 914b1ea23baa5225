/**
 * Persistence of subscriptions, deliveries and attempts (Prisma). Views never carry the secret: it is read only by
 * `secretOf`, for signing.
 *
 * Deliveries of audit events come from an outbox walk over the audit table (see `dispatch`): a cursor row records the
 * last audit seq fanned out, and the deliveries of a batch are written in the same transaction that moves it, so an
 * event gets its deliveries exactly once even if the process dies at any point, and whichever instance walks first.
 */
import { rowToEvent } from '../audit/audit.repository.js';
import type { AuditEvent } from '@paddock/platform';
import { lockForWrite, providerOf, type Database, type Provider } from '../persistence/database.js';
import type { WebhookAttempt, WebhookDelivery, WebhookInfo } from '@paddock/platform/contracts';
import type { DeliveriesFilter, DeliveryStatus } from './webhooks.dto.js';

/** The REST shapes are the contracts the console reads (one definition). */
export type WebhookView = WebhookInfo;
export type AttemptView = WebhookAttempt;
export type DeliveryView = WebhookDelivery;

export interface NewDelivery {
  id: string;
  webhookId: string;
  /** The audit row delivered (null for a ping). */
  auditSeq: number | null;
  eventId: string | null;
  eventType: string;
  payload: string;
  maxAttempts: number;
}

type WebhookRow = Awaited<ReturnType<Database['webhook']['findFirstOrThrow']>>;
export type DeliveryRow = Awaited<ReturnType<Database['webhookDelivery']['findFirstOrThrow']>>;
type AttemptRow = Awaited<ReturnType<Database['webhookAttempt']['findFirstOrThrow']>>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function webhookView(r: WebhookRow): WebhookView {
  return {
    id: r.id,
    name: r.name,
    url: r.url,
    events: JSON.parse(r.events) as string[],
    pathPrefixes: JSON.parse(r.pathPrefixes) as string[],
    enabled: r.enabled,
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

function attemptView(a: AttemptRow): AttemptView {
  return { attempt: a.attempt, ok: a.ok, statusCode: a.statusCode, error: a.error, durationMs: a.durationMs, responseBody: a.responseBody, startedAt: a.startedAt.toISOString() };
}

function deliveryView(r: DeliveryRow & { attempts?: AttemptRow[] }): DeliveryView {
  return {
    id: r.id,
    webhookId: r.webhookId,
    eventId: r.eventId,
    eventType: r.eventType,
    status: r.status as DeliveryStatus,
    attemptCount: r.attemptCount,
    maxAttempts: r.maxAttempts,
    redeliveries: r.redeliveries,
    lastStatusCode: r.lastStatusCode,
    lastError: r.lastError,
    nextAttemptAt: iso(r.nextAttemptAt),
    completedAt: iso(r.completedAt),
    createdAt: r.createdAt.toISOString(),
    attempts: (r.attempts ?? []).sort((a, b) => a.attempt - b.attempt).map(attemptView),
  };
}

/** A subscription as the dispatcher sees it: the view plus the audit seq it was created at. */
export interface DispatchTarget extends WebhookView {
  fromSeq: number;
}

/** Advisory lock key of the dispatch cursor on PostgreSQL (ASCII "pdk-whdc"). */
export const WEBHOOK_DISPATCH_LOCK_KEY = 0x70646b2d77686463n;
const CURSOR_TABLE = 'webhook_dispatch_cursors';
const AUDIT_CURSOR = 'audit';
const DISPATCH_TRANSACTION = { maxWait: 30_000, timeout: 60_000 };
const FINISHED = ['delivered', 'dead'];

export class WebhooksRepository {
  private readonly provider: Provider;

  constructor(private readonly db: Database) {
    this.provider = providerOf(db);
  }

  async list(): Promise<WebhookView[]> {
    return (await this.db.webhook.findMany({ orderBy: { createdAt: 'asc' } })).map(webhookView);
  }

  async get(id: string): Promise<WebhookView | undefined> {
    const row = await this.db.webhook.findUnique({ where: { id } });
    return row ? webhookView(row) : undefined;
  }

  async listEnabled(): Promise<WebhookView[]> {
    return (await this.db.webhook.findMany({ where: { enabled: true } })).map(webhookView);
  }

  async secretOf(id: string): Promise<string | undefined> {
    return (await this.db.webhook.findUnique({ where: { id }, select: { secret: true } }))?.secret;
  }

  /** A new subscription receives the audit events stored after this call (not the history before it). */
  async create(w: { id: string; name: string; url: string; events: string[]; pathPrefixes: string[]; secret: string; enabled: boolean; createdBy: string }): Promise<WebhookView> {
    const head = await this.db.auditRecord.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } });
    const row = await this.db.webhook.create({ data: { ...w, events: JSON.stringify(w.events), pathPrefixes: JSON.stringify(w.pathPrefixes), fromSeq: head?.seq ?? 0 } });
    return webhookView(row);
  }

  async update(id: string, patch: { name?: string; url?: string; events?: string[]; pathPrefixes?: string[]; enabled?: boolean; secret?: string }): Promise<WebhookView> {
    const { events, pathPrefixes, ...rest } = patch;
    const row = await this.db.webhook.update({
      where: { id },
      data: { ...rest, ...(events ? { events: JSON.stringify(events) } : {}), ...(pathPrefixes ? { pathPrefixes: JSON.stringify(pathPrefixes) } : {}) },
    });
    return webhookView(row);
  }

  /** Deletes the subscription with its delivery history (explicitly: SQLite may run without foreign-key enforcement). */
  async delete(id: string): Promise<void> {
    await this.db.$transaction([
      this.db.webhookAttempt.deleteMany({ where: { delivery: { webhookId: id } } }),
      this.db.webhookDelivery.deleteMany({ where: { webhookId: id } }),
      this.db.webhook.delete({ where: { id } }),
    ]);
  }

  async createDeliveries(rows: NewDelivery[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.$transaction(rows.map((r) => this.db.webhookDelivery.create({ data: { ...r, status: 'pending', attemptCount: 0 } })));
  }

  /** The last audit seq whose deliveries exist. */
  async dispatchedUpTo(): Promise<number> {
    return (await this.db.webhookDispatchCursor.findUnique({ where: { name: AUDIT_CURSOR } }))?.lastSeq ?? 0;
  }

  /**
   * One outbox step: under the cursor lock, reads up to `limit` audit rows after the cursor, asks `plan` for their
   * deliveries (given the enabled subscriptions), writes those not already there (unique per subscription and
   * audit seq) and moves the cursor past the batch, all in one transaction. Returns the rows written, in audit
   * order, and how many audit events the step covered (0: caught up).
   */
  async dispatch(limit: number, plan: (events: Array<{ seq: number; event: AuditEvent }>, targets: DispatchTarget[]) => NewDelivery[]): Promise<{ created: NewDelivery[]; events: number; upTo: number }> {
    return this.db.$transaction(async (tx) => {
      await lockForWrite(tx, this.provider, WEBHOOK_DISPATCH_LOCK_KEY, CURSOR_TABLE);
      const after = (await tx.webhookDispatchCursor.findUnique({ where: { name: AUDIT_CURSOR } }))?.lastSeq ?? 0;
      const rows = await tx.auditRecord.findMany({ where: { seq: { gt: after } }, orderBy: { seq: 'asc' }, take: limit });
      if (rows.length === 0) return { created: [], events: 0, upTo: after };
      const upTo = rows[rows.length - 1]!.seq;
      const targets = (await tx.webhook.findMany({ where: { enabled: true } })).map((r) => ({ ...webhookView(r), fromSeq: r.fromSeq }));
      const planned = targets.length === 0 ? [] : plan(rows.map((r) => ({ seq: r.seq, event: rowToEvent(r) })), targets);
      const existing = new Set(
        (await tx.webhookDelivery.findMany({ where: { auditSeq: { gt: after, lte: upTo } }, select: { webhookId: true, auditSeq: true } })).map((d) => `${d.webhookId}/${d.auditSeq}`),
      );
      const created = planned.filter((d) => !existing.has(`${d.webhookId}/${d.auditSeq}`));
      if (created.length > 0) await tx.webhookDelivery.createMany({ data: created.map((r) => ({ ...r, status: 'pending', attemptCount: 0 })) });
      await tx.webhookDispatchCursor.upsert({ where: { name: AUDIT_CURSOR }, create: { name: AUDIT_CURSOR, lastSeq: upTo }, update: { lastSeq: upTo } });
      return { created, events: rows.length, upTo };
    }, DISPATCH_TRANSACTION);
  }

  async delivery(webhookId: string, id: string): Promise<(DeliveryView & { payload: string }) | undefined> {
    const row = await this.db.webhookDelivery.findFirst({ where: { id, webhookId }, include: { attempts: true } });
    return row ? { ...deliveryView(row), payload: row.payload } : undefined;
  }

  /** The row the worker works from (payload included). */
  async deliveryRow(id: string): Promise<DeliveryRow | undefined> {
    return (await this.db.webhookDelivery.findUnique({ where: { id } })) ?? undefined;
  }

  async deliveries(webhookId: string, q: DeliveriesFilter): Promise<DeliveryView[]> {
    const before = q.before ? await this.db.webhookDelivery.findFirst({ where: { id: q.before, webhookId }, select: { createdAt: true } }) : null;
    const rows = await this.db.webhookDelivery.findMany({
      where: {
        webhookId,
        ...(q.status ? { status: q.status } : {}),
        ...(q.eventType ? { eventType: q.eventType } : {}),
        ...(before ? { createdAt: { lt: before.createdAt } } : {}),
      },
      include: { attempts: true },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: q.limit,
    });
    return rows.map(deliveryView);
  }

  /** Deliveries a queue should hold: not yet delivered and not dead (re-enqueued at start-up after a Redis loss). */
  async unfinished(limit = 10_000): Promise<DeliveryRow[]> {
    return this.db.webhookDelivery.findMany({ where: { status: { in: ['pending', 'retrying'] } }, orderBy: { createdAt: 'asc' }, take: limit });
  }

  /**
   * Unfinished deliveries nobody is working on: unclaimed (or the claim expired) and due before `dueBefore` (the
   * next attempt's time, or the last change of a pending one). The sweep queues them again.
   */
  async stalled(dueBefore: Date, now: Date, limit = 500): Promise<DeliveryRow[]> {
    return this.db.webhookDelivery.findMany({
      where: {
        status: { in: ['pending', 'retrying'] },
        OR: [{ claimExpiresAt: null }, { claimExpiresAt: { lt: now } }],
        AND: [{ OR: [{ nextAttemptAt: { lt: dueBefore } }, { nextAttemptAt: null, updatedAt: { lt: dueBefore } }] }],
      },
      orderBy: { createdAt: 'asc' },
      take: limit,
    });
  }

  /**
   * Compare-and-set before sending attempt `attemptCount + 1`: succeeds only if the delivery is still unfinished,
   * has exactly `attemptCount` attempts, is due, and nobody holds an unexpired claim. The claimer owns that attempt
   * until `leaseMs` from now (several API instances, or two queues, may hold a job for the same delivery).
   */
  async claimAttempt(id: string, attemptCount: number, claimer: string, leaseMs: number, now = new Date()): Promise<boolean> {
    const { count } = await this.db.webhookDelivery.updateMany({
      where: {
        id,
        status: { in: ['pending', 'retrying'] },
        attemptCount,
        OR: [{ claimExpiresAt: null }, { claimExpiresAt: { lt: now } }],
        AND: [{ OR: [{ nextAttemptAt: null }, { nextAttemptAt: { lte: now } }] }],
      },
      data: { claimedBy: claimer, claimExpiresAt: new Date(now.getTime() + leaseMs) },
    });
    return count === 1;
  }

  /**
   * Records one attempt and the delivery's new state, atomically, and releases the claim; false (nothing written)
   * when `claimer` no longer owns this attempt (its lease ran out and another instance took it over).
   */
  async recordAttempt(
    deliveryId: string,
    attempt: { attempt: number; ok: boolean; statusCode: number | null; error: string | null; durationMs: number; responseBody: string | null; startedAt: Date },
    state: { status: DeliveryStatus; nextAttemptAt: Date | null },
    claimer: string,
  ): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      const { count } = await tx.webhookDelivery.updateMany({
        where: { id: deliveryId, claimedBy: claimer, attemptCount: attempt.attempt - 1 },
        data: {
          attemptCount: attempt.attempt,
          status: state.status,
          lastStatusCode: attempt.statusCode,
          lastError: attempt.error,
          nextAttemptAt: state.nextAttemptAt,
          claimedBy: null,
          claimExpiresAt: null,
          ...(state.status === 'delivered' || state.status === 'dead' ? { completedAt: new Date() } : {}),
        },
      });
      if (count === 0) return false;
      await tx.webhookAttempt.create({ data: { deliveryId, ...attempt } });
      return true;
    });
  }

  /**
   * Retention: deletes `delivered` deliveries finished before `deliveredBefore` and `dead` ones finished before
   * `deadBefore`, with their attempts, in batches. Returns how many deliveries went.
   */
  async prune(deliveredBefore: Date, deadBefore: Date, batch = 500): Promise<number> {
    const expired = {
      OR: [
        { status: 'delivered', completedAt: { lt: deliveredBefore } },
        { status: 'dead', completedAt: { lt: deadBefore } },
      ],
    };
    let total = 0;
    for (;;) {
      const ids = (await this.db.webhookDelivery.findMany({ where: expired, select: { id: true }, take: batch })).map((r) => r.id);
      if (ids.length === 0) return total;
      // the condition again inside: a delivery reopened by a redelivery meanwhile keeps its history
      const deleted = await this.db.$transaction(async (tx) => {
        await tx.webhookAttempt.deleteMany({ where: { delivery: { id: { in: ids }, status: { in: FINISHED }, ...expired } } });
        return (await tx.webhookDelivery.deleteMany({ where: { id: { in: ids }, ...expired } })).count;
      });
      total += deleted;
      if (ids.length < batch) return total;
    }
  }

  /** A manual redelivery: the same delivery (id, body) gets `attempts` more attempts; undefined if it is no longer `fromStatus`. */
  async reopen(id: string, fromStatus: DeliveryStatus, attempts: number): Promise<DeliveryRow | undefined> {
    const row = await this.db.webhookDelivery.findUniqueOrThrow({ where: { id } });
    const { count } = await this.db.webhookDelivery.updateMany({
      where: { id, status: fromStatus, redeliveries: row.redeliveries },
      data: { status: 'pending', maxAttempts: row.attemptCount + attempts, redeliveries: row.redeliveries + 1, nextAttemptAt: null, completedAt: null, claimedBy: null, claimExpiresAt: null },
    });
    return count === 1 ? await this.deliveryRow(id) : undefined;
  }
}
