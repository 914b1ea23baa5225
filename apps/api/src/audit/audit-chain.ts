/**
 * The audit stream's hash chain, the pure part. Each row stores `hash = sha256(prevHash + canonicalJson(event))`
 * where `prevHash` is the previous row's hash (GENESIS for the first). Changing any stored field, deleting or
 * reordering rows in the middle breaks the chain at that row; `verifyChain` reports the first break.
 *
 * Canonical JSON: object keys sorted (UTF-16 order), no whitespace, `undefined` members dropped, arrays in order.
 */
import { createHash } from 'node:crypto';
import type { AuditEvent } from '@paddock/platform';

export const GENESIS_HASH = '0'.repeat(64);

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (value === undefined) return 'null';
    if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
    if (typeof value === 'bigint') return JSON.stringify(value.toString());
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return canonicalJson((value as { toJSON(): unknown }).toJSON());
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && typeof v !== 'function')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * HASHED_FIELD_SET names every field of an AuditEvent, once: its type demands an entry for each field (a field added to
 * AuditEvent fails to compile until it is listed here), and the hash, the stored row (audit.repository.ts) and the
 * row read back all follow it.
 */
const HASHED_FIELD_SET: { [K in keyof AuditEvent]-?: true } = {
  id: true,
  time: true,
  actor: true,
  source: true,
  reason: true,
  requestId: true,
  type: true,
  path: true,
  before: true,
  after: true,
  details: true,
};

export type HashedAuditField = keyof AuditEvent;

/** HASHED_AUDIT_FIELDS lists the fields the chain hashes: all of AuditEvent's. */
export const HASHED_AUDIT_FIELDS = Object.freeze(Object.keys(HASHED_FIELD_SET) as HashedAuditField[]);

/** HashedAuditFields is the hashed view of an event: every field present, the optional ones `null` when absent. */
export type HashedAuditFields = { [K in HashedAuditField]-?: undefined extends AuditEvent[K] ? Exclude<AuditEvent[K], undefined> | null : AuditEvent[K] };

/** hashedFields returns the hashed view of an event: every field, `reason`/`requestId`/`details` as null when absent. */
export function hashedFields(event: AuditEvent): HashedAuditFields {
  return Object.fromEntries(HASHED_AUDIT_FIELDS.map((field) => [field, event[field] ?? null])) as HashedAuditFields;
}

export function chainHash(prevHash: string, event: AuditEvent): string {
  return createHash('sha256').update(prevHash).update(canonicalJson(hashedFields(event))).digest('hex');
}

export interface ChainedEvent {
  seq: number;
  event: AuditEvent;
  prevHash: string;
  hash: string;
}

export interface VerifyResult {
  ok: boolean;
  /** Rows checked. */
  checked: number;
  /** Hash of the last row (GENESIS when empty): an anchor to compare with a copy kept elsewhere. */
  head: string;
  /** The first row that does not verify. */
  brokenAt?: { seq: number; id: string; reason: 'hash-mismatch' | 'prev-hash-mismatch' | 'unreadable' };
}

/** Verifies rows in seq order, continuing from `prevHash` (GENESIS for the start of the stream). */
export function verifyChain(rows: Iterable<ChainedEvent>, prevHash = GENESIS_HASH): VerifyResult {
  let checked = 0;
  let expectedPrev = prevHash;
  for (const row of rows) {
    if (row.prevHash !== expectedPrev) return { ok: false, checked, head: expectedPrev, brokenAt: { seq: row.seq, id: row.event.id, reason: 'prev-hash-mismatch' } };
    if (chainHash(row.prevHash, row.event) !== row.hash) return { ok: false, checked, head: expectedPrev, brokenAt: { seq: row.seq, id: row.event.id, reason: 'hash-mismatch' } };
    expectedPrev = row.hash;
    checked++;
  }
  return { ok: true, checked, head: expectedPrev };
}
