/**
 * Webhook subscriptions to the audit stream. Management (create / update / rotate secret / delete) is itself
 * audited as `webhook.*`; the audit views of a subscription carry neither its secret nor its full URL (capability
 * URLs such as chat webhooks are secrets too): only the URL's origin and a fingerprint. A URL whose host is (or
 * resolves to) a private, loopback, link-local or multicast address is refused unless allowed (webhook-target-policy).
 *
 * Fan-out is an outbox walk over the audit table, not a side effect of the in-process event: every stored audit
 * event only nudges `dispatchPending`, which reads the audit rows after the dispatch cursor and writes each enabled,
 * matching subscription's delivery row (body `{id, type, event}`, fixed at creation) in the transaction that moves
 * the cursor; the rows are then queued. An event stored while no delivery could be written (database hiccup, crash
 * right after the audit insert, an instance running with PADDOCK_WEBHOOK_WORKER=0, another instance's event) is
 * picked up at the next nudge, at start-up, or by the periodic sweep, exactly once per subscription. Events are
 * walked in audit order, so a delivery for a later event never exists before the one for an earlier event.
 *
 * The sweep (a BullMQ job every PADDOCK_WEBHOOK_SWEEP_MS, see WebhookDeliveryQueue.scheduleSweep) also queues
 * stalled deliveries again and prunes finished ones past their retention.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Auditor, type AuditEvent, type AuditSink, type ChangeContext } from '@paddock/platform';
import { AppError } from '../errors.js';
import { STALLED_AFTER_MS, type WebhookSettings } from './webhook-config.js';
import type { WebhookDeliveryQueue } from './webhook-delivery.queue.js';
import { matchesFilter } from './webhook-filter.js';
import { generateSecret } from './webhook-signature.js';
import { checkTarget } from './webhook-target-policy.js';
import type { CreateWebhookInput, DeliveriesFilter, UpdateWebhookInput } from './webhooks.dto.js';
import type { DeliveryView, DispatchTarget, NewDelivery, WebhookView, WebhooksRepository } from './webhooks.repository.js';

/** Audit rows per outbox transaction (kept short: on SQLite it holds the database's write lock). */
const DISPATCH_BATCH = 200;

export interface SweepResult {
  events: number;
  deliveries: number;
  requeued: number;
  pruned: number;
}

/** The body POSTed to the receiver. */
export interface DeliveryBody {
  /** The delivery id (= X-Paddock-Delivery): the same on every attempt and on a manual redelivery. */
  id: string;
  type: string;
  event: AuditEvent | PingEvent;
}

export interface PingEvent extends Omit<AuditEvent, 'type'> {
  type: 'webhook.ping';
}

/** What the audit stream records about a subscription. */
export function auditView(w: WebhookView): Record<string, unknown> {
  const u = new URL(w.url);
  return {
    id: w.id,
    name: w.name,
    urlOrigin: u.origin,
    urlSha256: createHash('sha256').update(w.url).digest('hex'),
    events: w.events,
    pathPrefixes: w.pathPrefixes,
    enabled: w.enabled,
  };
}

export const webhookPath = (id: string) => `/webhooks/${id}`;

export class WebhooksService {
  private readonly auditor: Auditor;
  private dispatching: Promise<void> | undefined;
  private dispatchAgain = false;
  private sweeping: Promise<SweepResult | undefined> | undefined;
  private closed = false;

  constructor(
    private readonly repository: WebhooksRepository,
    private readonly queue: WebhookDeliveryQueue,
    audit: AuditSink,
    private readonly settings: WebhookSettings,
    private readonly log: (line: string) => void,
  ) {
    this.auditor = new Auditor(audit);
  }

  list(): Promise<WebhookView[]> {
    return this.repository.list();
  }

  async get(id: string): Promise<WebhookView> {
    const hook = await this.repository.get(id);
    if (!hook) throw new AppError('not-found', `no webhook ${id}`);
    return hook;
  }

  /** The secret is in this answer only. */
  async create(input: CreateWebhookInput, ctx: ChangeContext): Promise<{ webhook: WebhookView; secret: string }> {
    this.auditor.check(ctx, 'webhook.create');
    await this.assertTargetAllowed(input.url);
    const id = randomUUID();
    const secret = input.secret ?? generateSecret();
    const webhook = await this.repository.create({ id, name: input.name, url: input.url, events: input.events, pathPrefixes: input.pathPrefixes, secret, enabled: input.enabled, createdBy: ctx.actor });
    await this.auditor.emit(ctx, 'webhook.create', webhookPath(id), null, auditView(webhook));
    return { webhook, secret };
  }

  async update(id: string, patch: UpdateWebhookInput, ctx: ChangeContext): Promise<WebhookView> {
    this.auditor.check(ctx, 'webhook.update');
    const before = await this.get(id);
    const { reason: _reason, ...changes } = patch;
    if (Object.values(changes).every((v) => v === undefined)) throw new AppError('invalid', 'nothing to change: give name, url, events, pathPrefixes or enabled');
    if (changes.url !== undefined) await this.assertTargetAllowed(changes.url);
    const after = await this.repository.update(id, changes);
    await this.auditor.emit(ctx, 'webhook.update', webhookPath(id), auditView(before), auditView(after));
    return after;
  }

  /** A new secret (given or generated), in this answer only; deliveries already queued are signed with it from now on. */
  async rotateSecret(id: string, secret: string | undefined, ctx: ChangeContext): Promise<{ webhook: WebhookView; secret: string }> {
    this.auditor.check(ctx, 'webhook.secret.rotate');
    const before = await this.get(id);
    const next = secret ?? generateSecret();
    const webhook = await this.repository.update(id, { secret: next });
    await this.auditor.emit(ctx, 'webhook.secret.rotate', webhookPath(id), auditView(before), auditView(webhook));
    return { webhook, secret: next };
  }

  async delete(id: string, ctx: ChangeContext): Promise<{ deleted: string }> {
    this.auditor.check(ctx, 'webhook.delete');
    const before = await this.get(id);
    await this.repository.delete(id);
    await this.auditor.emit(ctx, 'webhook.delete', webhookPath(id), auditView(before), null);
    return { deleted: id };
  }

  /**
   * Starts fanning out (when this instance is a worker): catches up on audit events stored while no instance did,
   * then has the queue's job scheduler run the sweep every PADDOCK_WEBHOOK_SWEEP_MS.
   */
  async start(): Promise<void> {
    if (!this.queue.working) return;
    this.kick('start-up catch-up');
    await this.queue.scheduleSweep(this.settings.sweepMs, () => this.sweep());
  }

  /** Audit stream listener: a nudge to walk the outbox (never throws; failures are logged and retried by the sweep). */
  onAudit = (_event: AuditEvent): void => {
    this.kick();
  };

  /** Runs dispatchPending now, or once more right after the walk in progress; `label`: log what it created. */
  private kick(label?: string): void {
    if (!this.queue.working || this.closed) return;
    if (this.dispatching) {
      this.dispatchAgain = true;
      return;
    }
    this.dispatching = (async () => {
      do {
        this.dispatchAgain = false;
        const { events, deliveries } = await this.dispatchPending();
        if (label) this.log(`webhooks: ${label}: ${deliveries} deliveries for ${events} audit events`);
        label = undefined;
      } while (this.dispatchAgain && !this.closed);
    })()
      .catch((error: unknown) => this.log(`webhooks: cannot create deliveries yet (the sweep retries): ${(error as Error).message}`))
      .finally(() => {
        this.dispatching = undefined;
      });
  }

  /** Walks the audit rows after the dispatch cursor to the head: writes their deliveries, then queues them. */
  async dispatchPending(): Promise<{ events: number; deliveries: number }> {
    let events = 0;
    let deliveries = 0;
    for (;;) {
      const step = await this.repository.dispatch(DISPATCH_BATCH, (batch, targets) => this.plan(batch, targets));
      events += step.events;
      deliveries += step.created.length;
      // a queueing failure leaves the row pending: the sweep queues it again once it counts as stalled
      for (const row of step.created) await this.queue.enqueue({ ...row, redeliveries: 0, attemptCount: 0 });
      if (step.events < DISPATCH_BATCH) return { events, deliveries };
    }
  }

  private plan(batch: Array<{ seq: number; event: AuditEvent }>, targets: DispatchTarget[]): NewDelivery[] {
    const rows: NewDelivery[] = [];
    for (const { seq, event } of batch) {
      for (const target of targets) if (seq > target.fromSeq && matchesFilter(target, event)) rows.push(this.newDelivery(target.id, event, seq));
    }
    return rows;
  }

  /**
   * One maintenance pass: the outbox walk, stalled deliveries (unfinished, unclaimed, due for a minute with no job
   * in this queue) queued again, finished deliveries past their retention deleted with their attempts.
   */
  sweep(now = Date.now()): Promise<SweepResult | undefined> {
    if (this.sweeping || this.closed || !this.queue.working) return this.sweeping ?? Promise.resolve(undefined);
    const run = async (): Promise<SweepResult | undefined> => {
      try {
        while (this.dispatching) await this.dispatching;
        const { events, deliveries } = await this.dispatchPending();
        const requeued = await this.queue.resume(await this.repository.stalled(new Date(now - STALLED_AFTER_MS), new Date(now)));
        const pruned = await this.repository.prune(new Date(now - this.settings.retentionMs), new Date(now - this.settings.deadRetentionMs));
        if (deliveries + requeued + pruned > 0) this.log(`webhooks: sweep created ${deliveries} deliveries for ${events} missed audit events, re-enqueued ${requeued} stalled, pruned ${pruned} old`);
        return { events, deliveries, requeued, pruned };
      } catch (error) {
        this.log(`webhooks: sweep failed: ${(error as Error).message}`);
        return undefined;
      }
    };
    this.sweeping = run().finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  /** A test delivery (`webhook.ping`) to one subscription, regardless of its filter and of `enabled`. */
  async ping(id: string, ctx: ChangeContext): Promise<DeliveryView> {
    const hook = await this.get(id);
    const event: PingEvent = {
      id: randomUUID(),
      time: new Date().toISOString(),
      actor: ctx.actor,
      source: ctx.source ?? 'api',
      reason: ctx.reason,
      requestId: ctx.requestId,
      type: 'webhook.ping',
      path: webhookPath(id),
      before: null,
      after: null,
      details: { webhook: { id: hook.id, name: hook.name }, message: 'a test delivery from Paddock' },
    };
    const row = this.newDelivery(id, event, null);
    row.eventId = null;
    await this.repository.createDeliveries([row]);
    await this.queue.enqueue({ ...row, redeliveries: 0, attemptCount: 0 });
    return this.delivery(id, row.id);
  }

  async deliveries(id: string, q: DeliveriesFilter): Promise<DeliveryView[]> {
    await this.get(id);
    return this.repository.deliveries(id, q);
  }

  async delivery(id: string, deliveryId: string): Promise<DeliveryView & { payload: string }> {
    const d = await this.repository.delivery(id, deliveryId);
    if (!d) throw new AppError('not-found', `no delivery ${deliveryId} of webhook ${id}`);
    return d;
  }

  /** Sends a finished (delivered or dead) delivery again: same id and body, the configured attempts once more. */
  async redeliver(id: string, deliveryId: string): Promise<DeliveryView> {
    await this.get(id);
    const d = await this.delivery(id, deliveryId);
    if (d.status !== 'delivered' && d.status !== 'dead') throw new AppError('conflict', `delivery ${deliveryId} is still ${d.status}; redeliver it once it is delivered or dead`);
    const reopened = await this.repository.reopen(deliveryId, d.status, this.settings.attempts);
    if (!reopened) throw new AppError('conflict', `delivery ${deliveryId} was redelivered concurrently`);
    await this.queue.enqueue(reopened);
    return this.delivery(id, deliveryId);
  }

  /** Turns later sweep jobs into no-ops; resolves once the outbox walk and sweep in progress are done. */
  async close(): Promise<void> {
    this.closed = true;
    await this.sweeping;
    while (this.dispatching) await this.dispatching;
  }

  private async assertTargetAllowed(url: string): Promise<void> {
    const reason = await checkTarget(this.queue.policy, url);
    if (reason) throw new AppError('invalid', `url: ${reason}`);
  }

  private newDelivery(webhookId: string, event: AuditEvent | PingEvent, auditSeq: number | null): NewDelivery {
    const id = randomUUID();
    const body: DeliveryBody = { id, type: event.type, event };
    return { id, webhookId, auditSeq, eventId: event.id, eventType: event.type, payload: JSON.stringify(body), maxAttempts: this.settings.attempts };
  }
}
