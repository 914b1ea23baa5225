/**
 * The outbox walk, attempt claims and retention against a real SQLite database (the checked-in migrations applied to
 * a temp file), with audit rows written by the real AuditRepository.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AuditEvent } from '@paddock/platform';
import { AuditRepository } from '../audit/audit.repository.js';
import { openDatabase, type Database } from '../persistence/database.js';
import { migrate } from '../persistence/migrator.js';
import { matchesFilter } from './webhook-filter.js';
import { WebhooksRepository, type DispatchTarget, type NewDelivery } from './webhooks.repository.js';

function auditEvent(type: string, p: string): AuditEvent {
  return { id: randomUUID(), time: new Date().toISOString(), actor: 'root', source: 'api', type: type as AuditEvent['type'], path: p, before: null, after: { n: 1 } };
}

/** What WebhooksService.plan does: one delivery per matching subscription created before the event. */
function plan(events: Array<{ seq: number; event: AuditEvent }>, targets: DispatchTarget[]): NewDelivery[] {
  return events.flatMap(({ seq, event }) =>
    targets
      .filter((t) => seq > t.fromSeq && matchesFilter(t, event))
      .map((t) => ({ id: randomUUID(), webhookId: t.id, auditSeq: seq, eventId: event.id, eventType: event.type, payload: JSON.stringify({ type: event.type }), maxAttempts: 3 })),
  );
}

describe('webhooks repository on SQLite', () => {
  let dir: string;
  let db: Database;
  let repo: WebhooksRepository;
  let audit: AuditRepository;

  const hook = (name: string, events: string[], pathPrefixes: string[] = []) =>
    repo.create({ id: randomUUID(), name, url: 'https://hooks.example.com/x', events, pathPrefixes, secret: 'whsec_0123456789abcdef', enabled: true, createdBy: 'root' });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'paddock-webhooks-repo-'));
    const opened = openDatabase(`file:${path.join(dir, 'api.db')}`);
    db = opened.db;
    await migrate(db, opened.provider);
    repo = new WebhooksRepository(db);
    audit = new AuditRepository(db);
  });

  afterAll(async () => {
    await db?.$disconnect();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fans out each audit row once, only to subscriptions that existed before it, whoever walks and however often', async () => {
    await audit.emit(auditEvent('config.publish', '/paddock/config/prod/a')); // before any subscription: never delivered
    expect((await repo.dispatch(100, plan)).created).toEqual([]);
    const configs = await hook('configs', ['config.publish'], ['/paddock/config/prod']);
    const all = await hook('all', ['*']);
    const events = [auditEvent('config.publish', '/paddock/config/prod/b'), auditEvent('switch.set', '/paddock/switches/prod/x'), auditEvent('config.publish', '/paddock/config/staging/c')];
    for (const e of events) await audit.emit(e);

    // two walkers at once (as two instances would): the cursor lock serialises them, nothing is written twice
    const [a, b] = await Promise.all([repo.dispatch(2, plan), repo.dispatch(2, plan)]);
    const rest = await repo.dispatch(100, plan);
    const created = [...a.created, ...b.created, ...rest.created];
    expect(created.map((d) => [d.webhookId === configs.id ? 'configs' : 'all', d.eventId])).toEqual([
      ['configs', events[0]!.id],
      ['all', events[0]!.id],
      ['all', events[1]!.id],
      ['all', events[2]!.id],
    ]);
    expect((await repo.dispatch(100, plan)).events).toBe(0);
    expect(await db.webhookDelivery.count()).toBe(4);
    expect(await repo.dispatchedUpTo()).toBe(rest.upTo);

    // a cursor set back (a walk whose commit was lost, say) re-reads rows whose deliveries exist: none is duplicated
    await db.webhookDispatchCursor.update({ where: { name: 'audit' }, data: { lastSeq: 0 } });
    const again = await repo.dispatch(100, plan);
    expect(again.created).toEqual([]);
    expect(again.events).toBeGreaterThanOrEqual(4);
    expect(await db.webhookDelivery.count()).toBe(4);
    // and the database refuses a second delivery of one audit row to one subscription
    const first = (await db.webhookDelivery.findFirst({ where: { webhookId: all.id }, orderBy: { auditSeq: 'asc' } }))!;
    await expect(repo.createDeliveries([{ id: randomUUID(), webhookId: all.id, auditSeq: first.auditSeq, eventId: first.eventId, eventType: first.eventType, payload: '{}', maxAttempts: 3 }])).rejects.toThrow();
  });

  it('lets one claimer send an attempt; a second claim, a stale attempt count or an early claim fail; a lost claim records nothing', async () => {
    const target = await hook('claims', ['webhook.ping']);
    const id = randomUUID();
    await repo.createDeliveries([{ id, webhookId: target.id, auditSeq: null, eventId: null, eventType: 'webhook.ping', payload: '{}', maxAttempts: 3 }]);
    const attempt = (n: number, ok: boolean) => ({ attempt: n, ok, statusCode: ok ? 200 : 503, error: ok ? null : 'HTTP 503', durationMs: 5, responseBody: null, startedAt: new Date() });

    expect(await repo.claimAttempt(id, 0, 'api-a', 60_000)).toBe(true);
    expect(await repo.claimAttempt(id, 0, 'api-b', 60_000)).toBe(false); // a's lease holds
    expect(await repo.recordAttempt(id, attempt(1, false), { status: 'retrying', nextAttemptAt: new Date(Date.now() + 60_000) }, 'api-b')).toBe(false);
    expect(await repo.recordAttempt(id, attempt(1, false), { status: 'retrying', nextAttemptAt: new Date(Date.now() + 60_000) }, 'api-a')).toBe(true);
    // attempt 2 is not due yet, and attempt 1 is done
    expect(await repo.claimAttempt(id, 1, 'api-b', 60_000)).toBe(false);
    expect(await repo.claimAttempt(id, 0, 'api-b', 60_000, new Date(Date.now() + 120_000))).toBe(false);
    expect(await repo.claimAttempt(id, 1, 'api-b', 60_000, new Date(Date.now() + 61_000))).toBe(true);
    // b died holding the lease; once it runs out, a takes attempt 2 over, and b's late result is not recorded
    expect(await repo.claimAttempt(id, 1, 'api-a', 60_000, new Date(Date.now() + 100_000))).toBe(false);
    expect(await repo.claimAttempt(id, 1, 'api-a', 60_000, new Date(Date.now() + 125_000))).toBe(true);
    expect(await repo.recordAttempt(id, attempt(2, true), { status: 'delivered', nextAttemptAt: null }, 'api-b')).toBe(false);
    expect(await repo.recordAttempt(id, attempt(2, true), { status: 'delivered', nextAttemptAt: null }, 'api-a')).toBe(true);
    const done = (await repo.delivery(target.id, id))!;
    expect(done).toMatchObject({ status: 'delivered', attemptCount: 2 });
    expect(done.attempts.map((a) => [a.attempt, a.statusCode])).toEqual([
      [1, 503],
      [2, 200],
    ]);
    expect(await repo.claimAttempt(id, 2, 'api-a', 60_000, new Date(Date.now() + 200_000))).toBe(false); // finished
  });

  it('prunes delivered and dead deliveries (with their attempts) past their own retention, and keeps the rest', async () => {
    const target = await hook('retention', ['webhook.ping']);
    const make = async (status: string, completedAgoMs: number | null) => {
      const id = randomUUID();
      await repo.createDeliveries([{ id, webhookId: target.id, auditSeq: null, eventId: null, eventType: 'webhook.ping', payload: '{}', maxAttempts: 3 }]);
      await db.webhookDelivery.update({ where: { id }, data: { status, attemptCount: 1, completedAt: completedAgoMs === null ? null : new Date(Date.now() - completedAgoMs) } });
      await db.webhookAttempt.create({ data: { deliveryId: id, attempt: 1, ok: status === 'delivered', durationMs: 1, startedAt: new Date() } });
      return id;
    };
    const hour = 3_600_000;
    const oldDelivered = await make('delivered', 3 * hour);
    const newDelivered = await make('delivered', 10_000);
    const oldDead = await make('dead', 3 * hour);
    const olderDead = await make('dead', 30 * hour);
    const retrying = await make('retrying', null);
    const now = Date.now();
    // delivered: kept 1 hour; dead: kept 1 day
    expect(await repo.prune(new Date(now - hour), new Date(now - 24 * hour), 1)).toBe(2);
    const left = (await db.webhookDelivery.findMany({ where: { webhookId: target.id }, select: { id: true } })).map((r) => r.id).sort();
    expect(left).toEqual([newDelivered, oldDead, retrying].sort());
    expect(await db.webhookAttempt.count({ where: { deliveryId: { in: [oldDelivered, olderDead] } } })).toBe(0);
    expect(await db.webhookAttempt.count({ where: { deliveryId: { in: left } } })).toBe(3);
    expect(await repo.prune(new Date(now - hour), new Date(now - 24 * hour))).toBe(0);
  });

  it('finds unfinished deliveries nobody is working on', async () => {
    const target = await hook('stalled', ['webhook.ping']);
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const id of ids) await repo.createDeliveries([{ id, webhookId: target.id, auditSeq: null, eventId: null, eventType: 'webhook.ping', payload: '{}', maxAttempts: 3 }]);
    await db.webhookDelivery.update({ where: { id: ids[1] }, data: { status: 'retrying', nextAttemptAt: new Date(Date.now() + 3_600_000) } });
    expect(await repo.claimAttempt(ids[2]!, 0, 'api-a', 3_600_000)).toBe(true);
    const later = new Date(Date.now() + 60_000);
    const stalled = (await repo.stalled(later, new Date())).filter((r) => r.webhookId === target.id).map((r) => r.id);
    expect(stalled).toEqual([ids[0]]);
  });
});
