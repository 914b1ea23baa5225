/**
 * Log-center against a started Paddock and a started Apache ZooKeeper 3.8: 2 masters + 3 slaves in 2 groups;
 * topics assigned by capacity, a pinned topic stays in its group, a dead slave's topics move after the grace
 * period (not before), a killed master is replaced with a higher epoch and the stale master's write is rejected.
 */
import { describe, expect, it, jest } from '@jest/globals';
import type { Framework } from '@paddock/recipes';
import {
  LOG_CENTER_MASTER_ACTOR,
  LogCenterMaster,
  LogCenterService,
  LogCenterSlave,
  MemoryAuditSink,
  StaleEpochError,
  jsonData,
  type DesiredAssignment,
} from '@paddock/platform';
import { killSession } from '../sdk/recipes-support.js';
import { TARGETS } from '../sdk/targets.js';
import { unique, until, usePlatformTarget } from './platform-support.js';

jest.setTimeout(60_000);

const ops = { actor: 'ops', reason: 'LC-1', source: 'test' };
const GRACE = 2_500;

describe.each(TARGETS)('log-center against %s', (_kind, start) => {
  const target = usePlatformTarget(start, { sessionTimeout: 4_000 });
  const { closers, framework } = target;

  it('assigns, respects pins, fails over slaves after the grace period and masters with a higher epoch', async () => {
    const root = `/${unique('lc')}`;
    const audit = new MemoryAuditSink();
    const service = new LogCenterService(await framework(), { root, audit });
    const topics = ['orders', 'payments', 'clicks', 'logs', 'metrics', 'audit-trail'];
    for (const [i, name] of topics.entries()) await service.setTopic({ name, partitions: 1 + (i % 3) }, ops);
    await service.setGroup('g1', ops, { description: 'east' });
    await service.setGroup('g2', ops);
    await service.pin('audit-trail', 'g2', ops);

    const masters: LogCenterMaster[] = [];
    for (const id of ['m1', 'm2']) {
      const m = new LogCenterMaster(await framework(), { id, root, graceMs: GRACE, reconcileIntervalMs: 300, audit });
      m.on('error', () => undefined);
      closers.push(() => m.close());
      await m.start();
      masters.push(m);
    }
    const slaveFrameworks = new Map<string, Framework>();
    const slaves = new Map<string, LogCenterSlave>();
    for (const [group, id, capacity] of [['g1', 's1', 10], ['g1', 's2', 10], ['g2', 's3', 10]] as const) {
      const f = await framework();
      const s = new LogCenterSlave(f, { group, id, capacity, root, reportIntervalMs: 100 });
      s.on('error', () => undefined);
      closers.push(() => s.close());
      await s.start();
      slaveFrameworks.set(id, f);
      slaves.set(id, s);
    }

    await until('all topics assigned and running', async () => (await service.status()).every((t) => t.inSync), 15_000);
    const leader = masters.find((m) => m.isLeader)!;
    expect(leader).toBeDefined();
    const desired = (await service.getDesired())!;
    expect(desired.epoch).toBe(leader.epoch);
    expect(desired.topics['audit-trail']).toMatchObject({ group: 'g2', slave: 's3' });
    const running = [...slaves.values()].flatMap((s) => s.topics).sort();
    expect(running).toEqual([...topics].sort());
    // the slaves report offsets/rates into their node
    slaves.get('s3')!.report('audit-trail', { offsets: { '0': 42 }, rate: 12.5 });
    await until('report visible', async () => (await service.status()).find((t) => t.topic === 'audit-trail')?.report?.rate === 12.5);

    // a slave dies: its topics stay during the grace period, then move within its group
    const victimTopics = slaves.get('s1')!.topics;
    expect(victimTopics.length).toBeGreaterThan(0);
    const t0 = Date.now();
    await slaveFrameworks.get('s1')!.close();
    await until('s1 gone', async () => !(await service.listSlaves()).some((s) => s.id === 's1'));
    await new Promise((r) => setTimeout(r, GRACE / 2));
    const during = (await service.getDesired())!;
    for (const t of victimTopics) expect(during.topics[t]).toMatchObject({ group: 'g1', slave: 's1' });
    await until('s1 topics reassigned', async () => {
      const d = await service.getDesired();
      return victimTopics.every((t) => d?.topics[t]?.slave === 's2');
    }, GRACE + 8_000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(GRACE - 300);
    await until('s2 runs them', () => victimTopics.every((t) => slaves.get('s2')!.topics.includes(t)));
    expect((await service.getDesired())!.topics['audit-trail']).toMatchObject({ group: 'g2', slave: 's3' });

    // the master dies: the standby takes over with a higher epoch; the old master's write is fenced
    const oldEpoch = leader.epoch!;
    const standby = masters.find((m) => m !== leader)!;
    const oldSession = leader.framework.client.sessionId;
    await killSession(target.server, leader.framework.client);
    await until('standby leads', () => standby.isLeader && (standby.epoch ?? 0) > oldEpoch, 15_000);
    await until('assignment stamped with the new epoch', async () => (await service.getDesired())?.epoch === standby.epoch, 10_000);
    await until('slaves follow the new epoch', () => [...slaves.entries()].filter(([id]) => id !== 's1').every(([, s]) => s.epoch === standby.epoch), 10_000);
    await until('old master on a new session', () => leader.framework.client.sessionId !== oldSession && leader.framework.isConnected, 10_000);
    expect(leader.isLeader).toBe(false);
    const stale: DesiredAssignment = { ...(await service.getDesired())!, epoch: oldEpoch, topics: {} };
    await expect(leader.election.multi([{ type: 'setData', path: `${root}/assignment`, data: jsonData(stale), version: -1 }], oldEpoch)).rejects.toBeInstanceOf(StaleEpochError);
    expect((await service.getDesired())!.topics['audit-trail']).toMatchObject({ group: 'g2', slave: 's3' });
    expect((await service.master()).epoch).toBe(standby.epoch);

    // pin moves a topic to the other group
    const moving = topics.find((t) => t !== 'audit-trail' && (during.topics[t]?.group === 'g1'))!;
    await service.pin(moving, 'g2', ops);
    await until('pinned topic moved to g2', async () => (await service.getDesired())?.topics[moving]?.group === 'g2', 10_000);
    await until('s3 runs it', () => slaves.get('s3')!.topics.includes(moving));

    // audit: operator actions and master decisions
    expect(audit.ofType('logcenter.pin.set').map((e) => e.actor)).toEqual(['ops', 'ops']);
    const decisions = audit.ofType('logcenter.assignment.change');
    expect(decisions.length).toBeGreaterThanOrEqual(3);
    expect(decisions.every((e) => e.actor === LOG_CENTER_MASTER_ACTOR)).toBe(true);
    expect(decisions.some((e) => (e.details?.moves as Array<{ reason: string }>).some((m) => m.reason === 'slave-dead'))).toBe(true);
    expect(audit.ofType('logcenter.master.elected').map((e) => e.details?.epoch)).toEqual(expect.arrayContaining([oldEpoch, standby.epoch]));
  });

  it('without its periodic round (reconcileIntervalMs: 0, as the API runs it) a re-pin and a grace expiry still move topics', async () => {
    const root = `/${unique('lc-nopoll')}`;
    const service = new LogCenterService(await framework(), { root });
    for (const name of ['a', 'b']) await service.setTopic({ name, partitions: 1 }, ops);
    await service.pin('b', 'g1', ops);
    const master = new LogCenterMaster(await framework(), { id: 'm', root, graceMs: GRACE, reconcileIntervalMs: 0 });
    master.on('error', () => undefined);
    closers.push(() => master.close());
    await master.start();
    const slaveFrameworks = new Map<string, Framework>();
    for (const [group, id] of [['g1', 's1'], ['g1', 's2'], ['g2', 's3']] as const) {
      const f = await framework();
      const s = new LogCenterSlave(f, { group, id, capacity: 10, root });
      s.on('error', () => undefined);
      closers.push(() => s.close());
      await s.start();
      slaveFrameworks.set(id, f);
    }
    await until('both topics assigned', async () => (await service.status()).every((t) => t.desired?.slave), 15_000);

    // a re-pin rewrites the pin's data (no child added): the pin's own watch starts the round
    await service.pin('b', 'g2', ops);
    await until('re-pinned topic moved to g2', async () => (await service.getDesired())?.topics.b?.group === 'g2', 10_000);

    // a slave of g1 dies: no watch fires when its grace period ends, the master's own timer runs that round
    const owner = (await service.getDesired())!.topics.a!;
    expect(owner.group).toBe('g1');
    const t0 = Date.now();
    await slaveFrameworks.get(owner.slave!)!.close();
    await until('a reassigned', async () => {
      const p = (await service.getDesired())?.topics.a;
      return !!p?.slave && p.slave !== owner.slave;
    }, GRACE + 8_000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(GRACE - 300);
  });

  it('a session blip shorter than the grace period moves nothing; a slave refuses an older epoch', async () => {
    const root = `/${unique('lc-blip')}`;
    const service = new LogCenterService(await framework(), { root });
    await service.setTopic({ name: 'a', partitions: 1 }, ops);
    const master = new LogCenterMaster(await framework(), { id: 'm', root, graceMs: 4_000, reconcileIntervalMs: 200 });
    master.on('error', () => undefined);
    closers.push(() => master.close());
    await master.start();
    const f = await framework();
    const slave = new LogCenterSlave(f, { group: 'g', id: 's', capacity: 1, root });
    slave.on('error', () => undefined);
    const revoked: string[] = [];
    slave.on('revoked', (_t, reason) => revoked.push(reason));
    closers.push(() => slave.close());
    await slave.start();
    await until('assigned', () => slave.topics.includes('a'));
    const generation = (await service.getDesired())!.generation;
    // expire the session: the owned framework opens a new one and the node is re-created within the grace period
    await killSession(target.server, f.client);
    await until('stopped on session loss', () => revoked.includes('session'));
    await until('running again', () => slave.topics.includes('a'), 10_000);
    await new Promise((r) => setTimeout(r, 500));
    expect((await service.getDesired())!.generation).toBe(generation);

    const refused: number[] = [];
    slave.on('refused', (e) => refused.push(e));
    const d = (await service.getDesired())!;
    // an older epoch written behind the master's back (a raw write, not fenced) is refused by the slave
    await f.run((c) => c.setData(`${root}/assignment`, jsonData({ ...d, epoch: d.epoch - 1, topics: {} })));
    await until('refused', () => refused.length > 0);
    expect(slave.topics).toEqual(['a']);
  });
});
