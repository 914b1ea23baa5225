/**
 * The audit rows against a real SQLite database (the checked-in migrations applied to a temp file): every hashed field
 * is stored and read back unchanged, so the chain verifies from the rows alone.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AuditEvent } from '@paddock/platform';
import { openDatabase, type Database } from '../persistence/database.js';
import { migrate } from '../persistence/migrator.js';
import { HASHED_AUDIT_FIELDS, hashedFields } from './audit-chain.js';
import { AuditRepository, eventToColumns } from './audit.repository.js';

const full: AuditEvent = {
  id: 'evt-full',
  time: '2026-01-02T03:04:05.000Z',
  actor: 'alice',
  source: 'console',
  reason: 'INC-7',
  requestId: 'req-9',
  type: 'config.publish',
  path: '/paddock/config/prod/app/ns',
  before: { release: 1, tags: ['a', 'b'] },
  after: { release: 2, tags: [] },
  details: { md5: 'abc', nested: { n: 1 } },
};
const bare: AuditEvent = { id: 'evt-bare', time: '2026-01-02T03:04:06.000Z', actor: 'bob', source: 'api', reason: undefined, requestId: undefined, type: 'switch.delete', path: '/paddock/switches/prod/items/s1', before: { mode: 'off' }, after: null };

describe('audit repository on SQLite', () => {
  let dir: string;
  let db: Database;
  let audit: AuditRepository;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'paddock-audit-repo-'));
    const opened = openDatabase(`file:${path.join(dir, 'api.db')}`);
    db = opened.db;
    await migrate(db, opened.provider);
    audit = new AuditRepository(db);
  });

  afterAll(async () => {
    await db?.$disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores one column per hashed field', () => {
    expect(Object.keys(eventToColumns(full)).sort()).toEqual([...HASHED_AUDIT_FIELDS].sort());
    expect(eventToColumns(bare)).toMatchObject({ reason: null, requestId: null, before: '{"mode":"off"}', after: 'null', details: null });
  });

  it('reads every event back as it was hashed, and the chain verifies', async () => {
    await audit.emit(full);
    await audit.emit(bare);
    const rows = await audit.query({ limit: 10 });
    expect(rows.map((r) => r.id)).toEqual(['evt-bare', 'evt-full']);
    const [storedBare, storedFull] = rows;
    expect(hashedFields(storedFull!)).toEqual(hashedFields(full));
    expect(hashedFields(storedBare!)).toEqual(hashedFields(bare));
    expect(storedBare).not.toHaveProperty('details');
    expect(await audit.verify()).toEqual({ ok: true, checked: 2, head: storedBare!.hash });
  });

  it('reports the row whose stored field was changed', async () => {
    await db.auditRecord.update({ where: { id: 'evt-full' }, data: { reason: 'rewritten' } });
    expect(await audit.verify()).toMatchObject({ ok: false, checked: 0, brokenAt: { id: 'evt-full', reason: 'hash-mismatch' } });
  });
});
