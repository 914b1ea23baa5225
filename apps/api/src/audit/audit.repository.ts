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
import type { AuditRowView } from '@paddock/platform/contracts';
import { lockForWrite, providerOf, type Database, type Provider } from '../persistence/database.js';
import { GENESIS_HASH, HASHED_AUDIT_FIELDS, chainHash, hashedFields, verifyChain, type ChainedEvent, type HashedAuditField, type VerifyResult } from './audit-chain.js';

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

/** AuditRow is a stored event with its place in the chain, as GET /api/audit answers it. */
export type AuditRow = AuditRowView;

type Record_ = Awaited<ReturnType<Database['auditRecord']['findFirstOrThrow']>>;

/**
 * AuditColumns: one column of `audit_events` per hashed field (a hashed field without its column fails to compile),
 * JSON-valued fields as text.
 */
export type AuditColumns = Pick<Record_, HashedAuditField>;

function parse(text: string | null): unknown {
  return text === null ? undefined : JSON.parse(text);
}

/** eventToColumns stores the hashed view of an event (hashedFields), so the row holds exactly what was hashed. */
export function eventToColumns(event: AuditEvent): AuditColumns {
  const fields = hashedFields(event);
  return {
    ...fields,
    before: JSON.stringify(fields.before),
    after: JSON.stringify(fields.after),
    details: fields.details === null ? null : JSON.stringify(fields.details),
  };
}

/** rowToEvent reads the hashed columns back (HASHED_AUDIT_FIELDS), undoing eventToColumns. */
export function rowToEvent(r: Record_): AuditEvent {
  const columns = Object.fromEntries(HASHED_AUDIT_FIELDS.map((field) => [field, r[field]])) as AuditColumns;
  const { reason, requestId, type, before, after, details, ...plain } = columns;
  return {
    ...plain,
    reason: reason ?? undefined,
    requestId: requestId ?? undefined,
    type: type as AuditEventType,
    before: parse(before),
    after: parse(after),
    ...(details !== null ? { details: parse(details) as Record<string, unknown> } : {}),
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
        data: { ...eventToColumns(event), prevHash, hash },
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
