/**
 * The audit stream of the platform's domain services. Every mutating service method takes a
 * {@link ChangeContext} (who, why, from where) and emits one {@link AuditEvent} per logical change, with the
 * state before and after, through an injected {@link AuditSink}. Persisting, hash-chaining and querying the
 * stream is the backend's job; the domain only guarantees that an event is emitted after the change
 * succeeded in the store (a failed CAS emits nothing).
 */
import { randomUUID } from 'node:crypto';

/** Who makes a change, why, and through which channel. */
export interface ChangeContext {
  /** User name, token name or `system:<job>` (e.g. `system:switch-expiry`). */
  actor: string;
  /** Free text (ticket, incident); may be required by policy (see {@link AuditPolicy}). */
  reason?: string;
  /** Channel: `api`, `console`, `cli`, `trigger:<name>`, `scheduler`, ... Default `api`. */
  source?: string;
  /** Correlates the events of one request. */
  requestId?: string;
}

export type AuditEventType =
  | 'registry.override.set'
  | 'registry.override.remove'
  | 'registry.override.expire'
  | 'registry.route.set'
  | 'registry.route.remove'
  | 'config.draft.save'
  | 'config.draft.discard'
  | 'config.publish'
  | 'config.rollback'
  | 'config.schema.set'
  // gray (canary) releases and scheduled changes (executed as system:scheduler on behalf of the scheduling user)
  | 'config.gray.start'
  | 'config.gray.rules'
  | 'config.gray.promote'
  | 'config.gray.abort'
  | 'config.schedule.create'
  | 'config.schedule.cancel'
  | 'config.schedule.execute'
  | 'switch.set'
  | 'switch.expire'
  | 'switch.delete'
  | 'switch.plan.save'
  | 'switch.plan.delete'
  | 'switch.plan.execute'
  | 'switch.plan.revert'
  | 'switch.schedule.create'
  | 'switch.schedule.cancel'
  | 'switch.schedule.execute'
  // log-center (operators, and the master's decisions as system:log-center-master)
  | 'logcenter.topic.set'
  | 'logcenter.topic.delete'
  | 'logcenter.group.set'
  | 'logcenter.group.delete'
  | 'logcenter.pin.set'
  | 'logcenter.pin.remove'
  | 'logcenter.master.elected'
  | 'logcenter.assignment.change'
  // data-sync (operators, and the master's decisions as system:data-sync-master)
  | 'datasync.task.publish'
  | 'datasync.task.cancel'
  | 'datasync.task.retry'
  | 'datasync.task.delete'
  | 'datasync.master.elected'
  | 'datasync.task.dispatch'
  | 'datasync.task.fail'
  | 'datasync.task.complete'
  // raw znode writes through the backend's znode browser
  | 'znode.create'
  | 'znode.set'
  | 'znode.delete'
  // the backend's webhook subscriptions (their secrets never appear in before/after)
  | 'webhook.create'
  | 'webhook.update'
  | 'webhook.secret.rotate'
  | 'webhook.delete'
  // the backend's admin clearing a username's login throttle (locks and failure counts)
  | 'auth.throttle.clear';

export interface AuditEvent {
  /** Unique id (UUID). */
  id: string;
  /** ISO-8601 time the change was applied. */
  time: string;
  actor: string;
  source: string;
  reason: string | undefined;
  requestId: string | undefined;
  type: AuditEventType;
  /** The znode path the change is about (the main one when several were written atomically). */
  path: string;
  /** JSON-serialisable state before (null: did not exist). */
  before: unknown;
  /** JSON-serialisable state after (null: deleted). */
  after: unknown;
  /** Extra facts (e.g. the znode version written, the plan's switch list). */
  details?: Record<string, unknown>;
}

export interface AuditSink {
  emit(event: AuditEvent): void | Promise<void>;
}

/** Keeps events in memory (tests, and a buffer in front of a real sink). */
export class MemoryAuditSink implements AuditSink {
  readonly events: AuditEvent[] = [];
  emit(event: AuditEvent): void {
    this.events.push(event);
  }
  ofType(type: AuditEventType): AuditEvent[] {
    return this.events.filter((e) => e.type === type);
  }
}

/** Discards events. */
export const NULL_AUDIT_SINK: AuditSink = { emit: () => undefined };

export interface AuditPolicy {
  /** Reject changes without a non-empty reason (e.g. for prod). Default false. */
  requireReason?: boolean;
}

export class MissingReasonError extends Error {
  constructor(type: AuditEventType) {
    super(`a reason is required for ${type}`);
    this.name = 'MissingReasonError';
  }
}

/** Builds events and hands them to the sink; shared by the services. */
export class Auditor {
  constructor(
    private readonly sink: AuditSink = NULL_AUDIT_SINK,
    private readonly policy: AuditPolicy = {},
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Throws before the change when the policy is not met. */
  check(ctx: ChangeContext, type: AuditEventType): void {
    if (!ctx || typeof ctx.actor !== 'string' || ctx.actor.trim() === '') throw new Error(`an actor is required for ${type}`);
    if (this.policy.requireReason && !(ctx.reason && ctx.reason.trim())) throw new MissingReasonError(type);
  }

  async emit(
    ctx: ChangeContext,
    type: AuditEventType,
    path: string,
    before: unknown,
    after: unknown,
    details?: Record<string, unknown>,
  ): Promise<AuditEvent> {
    const event: AuditEvent = {
      id: randomUUID(),
      time: this.now().toISOString(),
      actor: ctx.actor,
      source: ctx.source ?? 'api',
      reason: ctx.reason,
      requestId: ctx.requestId,
      type,
      path,
      before: before === undefined ? null : before,
      after: after === undefined ? null : after,
      ...(details ? { details } : {}),
    };
    await this.sink.emit(event);
    return event;
  }
}
