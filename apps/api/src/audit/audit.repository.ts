/**
 * The platform's AuditSink, persisted: every AuditEvent becomes one hash-chained row of `audit_events`.
 * Appends are serialised in the database, so several API instances may share it: each append is one
 * transaction that takes the chain lock (an advisory lock on PostgreSQL, the write lock on SQLite; see
 * lockForWrite), reads the head's hash and inserts the row after it. In this process they also queue up
 * (one transaction, one pooled connection at a time). After a row is stored, in-process listeners get the
 * event (job scheduling, webhooks).
 */
import { EventEmitter } from 'node:events';
import type { AuditEvent, AuditEventType, AuditSink } from '@paddock/platform';
import { lockForWrite, providerOf, type Database, type Provider } from '../persistence/database.js';
import { GENESIS_HASH, chainHash, verifyChain, type ChainedEvent, type VerifyResult } from './audit-chain.js';

export interface AuditQuery {
  path?: string;
  pathPrefix?: string;
  actor?: string;
  type?: string;
  /** ISO time, inclusive. */
  from?: string;
  /** ISO time, exclusive. */
  to?: string;
  /** Rows with seq below this (paging backwards). */
  beforeSeq?: number;
  limit?: number;
}

export interface AuditRow extends AuditEvent {
  seq: number;
  prevHash: string;
  hash: string;
}

type Record_ = Awaited<ReturnType<Database['auditRecord']['findFirstOrThrow']>>;

function parse(text: string | null): unknown {
  return text === null ? undefined : JSON.parse(text);
}

export function rowToEvent(r: Record_): AuditEvent {
  return {
    id: r.id,
    time: r.time,
    actor: r.actor,
    source: r.source,
    reason: r.reason ?? undefined,
    requestId: r.requestId ?? undefined,
    type: r.type as AuditEventType,
    path: r.path,
    before: parse(r.before),
    after: parse(r.after),
    ...(r.details !== null ? { details: parse(r.details) as Record<string, unknown> } : {}),
  };
}

/** Advisory lock key of the chain head on PostgreSQL (ASCII "pdk-audt"). */
export const AUDIT_CHAIN_LOCK_KEY = 0x70646b2d61756474n;
const AUDIT_TABLE = 'audit_events';
/** Waiting for the other instances' appends counts against these, so they are generous. */
const APPEND_TRANSACTION = { maxWait: 30_000, timeout: 60_000 };

export class AuditRepository implements AuditSink {
  readonly events = new EventEmitter<{ stored: [AuditEvent] }>();
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Database,
    private readonly provider: Provider = providerOf(db),
  ) {}

  emit(event: AuditEvent): Promise<void> {
    const next = this.tail.then(() => this.append(event));
    this.tail = next.catch(() => undefined);
    return next.then((e) => {
      this.events.emit('stored', e);
    });
  }

  private async append(event: AuditEvent): Promise<AuditEvent> {
    await this.db.$transaction(async (tx) => {
      await lockForWrite(tx, this.provider, AUDIT_CHAIN_LOCK_KEY, AUDIT_TABLE);
      const last = await tx.auditRecord.findFirst({ orderBy: { seq: 'desc' }, select: { hash: true } });
      const prevHash = last?.hash ?? GENESIS_HASH;
      const hash = chainHash(prevHash, event);
      await tx.auditRecord.create({
        data: {
          id: event.id,
          time: event.time,
          actor: event.actor,
          source: event.source,
          reason: event.reason ?? null,
          requestId: event.requestId ?? null,
          type: event.type,
          path: event.path,
          before: JSON.stringify(event.before ?? null),
          after: JSON.stringify(event.after ?? null),
          details: event.details === undefined ? null : JSON.stringify(event.details),
          prevHash,
          hash,
        },
      });
    }, APPEND_TRANSACTION);
    return event;
  }

  async query(q: AuditQuery): Promise<AuditRow[]> {
    const limit = Math.min(Math.max(q.limit ?? 100, 1), 1000);
    const rows = await this.db.auditRecord.findMany({
      where: {
        ...(q.path !== undefined ? { path: q.path } : {}),
        ...(q.pathPrefix !== undefined ? { path: { startsWith: q.pathPrefix } } : {}),
        ...(q.actor !== undefined ? { actor: q.actor } : {}),
        ...(q.type !== undefined ? { type: q.type } : {}),
        ...(q.from !== undefined || q.to !== undefined ? { time: { ...(q.from ? { gte: q.from } : {}), ...(q.to ? { lt: q.to } : {}) } } : {}),
        ...(q.beforeSeq !== undefined ? { seq: { lt: q.beforeSeq } } : {}),
      },
      orderBy: { seq: 'desc' },
      take: limit,
    });
    return rows.map((r) => ({ ...rowToEvent(r), seq: r.seq, prevHash: r.prevHash, hash: r.hash }));
  }

  /** Re-computes the whole chain, in pages. */
  async verify(): Promise<VerifyResult> {
    let prev = GENESIS_HASH;
    let checked = 0;
    let after = 0;
    for (;;) {
      const page = await this.db.auditRecord.findMany({ where: { seq: { gt: after } }, orderBy: { seq: 'asc' }, take: 500 });
      if (page.length === 0) return { ok: true, checked, head: prev };
      const rows: ChainedEvent[] = [];
      for (const r of page) {
        let event: AuditEvent;
        try {
          event = rowToEvent(r);
        } catch {
          return { ok: false, checked, head: prev, brokenAt: { seq: r.seq, id: r.id, reason: 'unreadable' } };
        }
        rows.push({ seq: r.seq, event, prevHash: r.prevHash, hash: r.hash });
      }
      const result = verifyChain(rows, prev);
      if (!result.ok) return { ...result, checked: checked + result.checked };
      checked += result.checked;
      prev = result.head;
      after = page[page.length - 1]!.seq;
    }
  }
}
