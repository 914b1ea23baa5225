/**
 * End-to-end switches and data-sync through the backend, once per store (the API's embedded member, and a real
 * Apache ZooKeeper 3.8 as the store via PADDOCK_CONNECT):
 *  - switch client processes (the switch SDK) observe a switch flipped through the API within a second, apply it
 *    to a call, and leave receipts the API lists; every flip is audited;
 *  - data-sync worker processes (the worker SDK) get a task published through the API from the master the API
 *    hosts, write progress and complete it; kill -9 of the worker running a task hands it, after the grace period,
 *    to the surviving worker, which resumes from the checkpoint and completes it; the master's decisions are audited.
 * Build first (`npm run build`): the API and the fixtures run the built packages.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ManagedProcess } from '../support/processes.js';
import { E2eApi, STORE_TARGETS, fixture, spawnFixture, until, type Json } from './fixtures/e2e-support.js';

const SWITCH_CLIENT_SCRIPT = fixture('switch-client.mjs');
const WORKER_SCRIPT = fixture('data-sync-worker.mjs');
/** How long the data-sync master lets a vanished worker keep its tasks. */
const GRACE_MS = 1_500;
/** A flip must reach the clients within this long after the API answered. */
const FLIP_BUDGET_MS = 1_000;

/** The JSON payloads of the complete `<TAG> {json}` lines a fixture printed after `since`. */
function lines(proc: ManagedProcess, tag: string, since = 0): Json[] {
  const text = proc.outputSince(since);
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((l) => l.startsWith(`${tag} `))
    .map((l) => JSON.parse(l.slice(tag.length + 1)));
}

describe.each(STORE_TARGETS)('switches and data-sync end to end (%s store)', (target) => {
  let api: E2eApi;
  const processes: ManagedProcess[] = [];

  beforeAll(async () => {
    api = await E2eApi.start(target, { PADDOCK_DATA_SYNC_GRACE_MS: String(GRACE_MS) });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop({ timeoutMs: 3_000 })));
    await api?.stop();
  }, 60_000);

  it('a switch flipped through the API reaches client processes within a second; receipts and audit rows follow', async () => {
    const env = 'e2e';
    const items = `/api/switches/${env}/items`;
    // the env exists before the clients start (its receipts dir is created by the API, which owns the env's ACL)
    expect((await api.call('PUT', items, { scope: { service: 'com.acme.Setup' }, mode: 'off', reason: 'SW-0 setup' })).status).toBe(200);

    const clients: ManagedProcess[] = [];
    for (const [clientId, application] of [['checkout-1', 'checkout'], ['checkout-2', 'checkout']] as const) {
      const { process } = await spawnFixture(`switch-client-${clientId}`, SWITCH_CLIENT_SCRIPT, {
        CONNECT: api.store,
        ENV: env,
        APPLICATION: application,
        CLIENT_ID: clientId,
        SERVICE: 'com.acme.Pay',
        METHOD: 'charge',
      });
      processes.push(process);
      clients.push(process);
    }

    const flips = [
      { spec: { mode: 'force', fallback: { kind: 'value', value: { ok: false, queued: true } } }, reason: 'SW-1 payments degraded', outcome: { value: { ok: false, queued: true } } },
      { spec: { mode: 'fail', fallback: { kind: 'null' } }, reason: 'SW-2 fallback on error only', outcome: { value: 'live-result' } },
      { spec: { mode: 'off' }, reason: 'SW-3 recovered', outcome: { value: 'live-result' } },
    ];
    const figures: string[] = [];
    let last: Json;
    for (const flip of flips) {
      const offsets = clients.map((c) => c.outputOffset);
      const sentAt = Date.now();
      const res = await api.call('PUT', items, { scope: { service: 'com.acme.Pay', method: 'charge' }, ...flip.spec, reason: flip.reason });
      const answeredAt = Date.now();
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ mode: flip.spec.mode, updatedBy: 'root' });
      last = res.body;
      for (const [i, client] of clients.entries()) {
        const seen = await until(
          `${client.name} to apply ${flip.spec.mode} v${res.body.version}`,
          () => lines(client, 'APPLIED', offsets[i]).find((a) => a.switches.some((s: Json) => s.id === res.body.id && s.version === res.body.version)),
          10_000,
          10,
        );
        const afterResponse = seen.at - answeredAt;
        figures.push(`${client.name} ${flip.spec.mode}: ${afterResponse} ms after the API response (${seen.at - sentAt} ms after the request)`);
        expect(seen.switches.find((s: Json) => s.id === res.body.id).mode).toBe(flip.spec.mode);
        // the client applies the switch to the call it guards
        expect(seen.outcome).toEqual(flip.outcome);
        expect(afterResponse).toBeLessThan(FLIP_BUDGET_MS);
      }
    }
    console.log(`[${target}] switch flip -> client observation:\n  ${figures.join('\n  ')}`);

    // each client's receipt: the revision and switch versions it applied; nobody lags behind
    const revision = (await api.ok('GET', `/api/switches/${env}`)).revision as number;
    const receipts = await until('both receipts at the latest revision', async () => {
      const r = await api.ok('GET', `/api/switches/${env}/receipts`);
      return r.receipts.length === 2 && r.receipts.every((x: Json) => x.revision === revision) ? r : undefined;
    }, 10_000);
    expect(receipts.receipts.map((r: Json) => r.clientId)).toEqual(['checkout-1', 'checkout-2']);
    for (const r of receipts.receipts) expect(r).toMatchObject({ application: 'checkout', switches: { [last.id]: last.version }, appliedAt: expect.any(String) });
    expect(receipts.laggards).toEqual([]);

    // every flip is an audit row with the actor, the reason and the before/after mode
    const rows = (await api.audit({ type: 'switch.set', path: `/paddock/switches/${env}/items/${last.id}` })).reverse();
    expect(rows.map((r: Json) => r.reason)).toEqual(flips.map((f) => f.reason));
    expect(rows.map((r: Json) => [r.before?.mode ?? null, r.after.mode])).toEqual([
      [null, 'force'],
      ['force', 'fail'],
      ['fail', 'off'],
    ]);
    expect(rows.every((r: Json) => r.actor === 'root' && r.source === 'api')).toBe(true);
    expect((await api.ok('GET', '/api/audit/verify')).ok).toBe(true);
  }, 120_000);

  it('data-sync: the API-hosted master dispatches to worker processes; kill -9 of a busy worker fails its task over after the grace period', async () => {
    const ds = '/api/data-sync';
    const workers = new Map<string, ManagedProcess>();
    for (const id of ['w1', 'w2']) {
      const { process } = await spawnFixture(`worker-${id}`, WORKER_SCRIPT, { CONNECT: api.store, WORKER_ID: id, SESSION_TIMEOUT: '3000' });
      processes.push(process);
      workers.set(id, process);
    }
    await until('both workers in the API', async () => ((await api.ok('GET', `${ds}/workers`)).workers.map((w: Json) => w.id).join() === 'w1,w2' ? true : undefined));
    const master = await api.ok('GET', `${ds}/master`);
    expect(master.participants.length).toBeGreaterThanOrEqual(1);

    // --- a task published through the API is dispatched, reports progress and completes
    const published = await api.call('POST', `${ds}/tasks`, { id: 'copy-orders', source: 'mysql://orders', target: 'es://orders', payload: { steps: 4, stepMs: 250 }, reason: 'DS-E2E-1' });
    expect(published).toMatchObject({ status: 201, body: { id: 'copy-orders', kind: 'collector', createdBy: 'root' } });
    const percents = new Set<number>();
    const done = await until(
      'copy-orders succeeded and acknowledged',
      async () => {
        const t = await api.ok('GET', `${ds}/tasks/copy-orders`);
        if (t.progress?.percent !== undefined) percents.add(t.progress.percent);
        return t.state.status === 'succeeded' && t.state.worker === null ? t : undefined;
      },
      30_000,
      30,
    );
    const ranOn = done.history[0].worker as string;
    expect(done.state).toMatchObject({ attempt: 1, failures: 0 });
    expect(done.history).toEqual([expect.objectContaining({ attempt: 1, worker: ranOn, outcome: 'succeeded' })]);
    expect(done.progress).toMatchObject({ attempt: 1, worker: ranOn, percent: 100, records: 400, checkpoint: { step: 4 } });
    // progress was visible through the API while it ran
    expect([...percents].some((p) => p > 0 && p < 100)).toBe(true);
    const finished = await until("the worker's own account of it", () => (lines(workers.get(ranOn)!, 'FINISHED').length > 0 ? lines(workers.get(ranOn)!, 'FINISHED') : undefined), 10_000);
    expect(finished).toEqual([expect.objectContaining({ task: 'copy-orders', attempt: 1, outcome: 'succeeded' })]);

    // --- a long task; kill -9 the worker running it once it is a few batches in
    expect((await api.call('POST', `${ds}/tasks`, { id: 'copy-clicks', source: 'kafka://clicks', target: 'hdfs://clicks', payload: { steps: 10, stepMs: 400 }, reason: 'DS-E2E-2' })).status).toBe(201);
    const running = await until(
      'copy-clicks 20% done',
      async () => {
        const t = await api.ok('GET', `${ds}/tasks/copy-clicks`);
        return t.state.status === 'running' && (t.progress?.percent ?? 0) >= 20 ? t : undefined;
      },
      30_000,
      30,
    );
    const victim = running.state.worker as string;
    const survivor = victim === 'w1' ? 'w2' : 'w1';
    const killedAt = Date.now();
    await workers.get(victim)!.kill();

    // its ephemeral worker node goes with its session; the task stays with it for the grace period
    await until('the victim gone from the workers', async () => ((await api.ok('GET', `${ds}/workers`)).workers.map((w: Json) => w.id).join() === survivor ? true : undefined), 30_000, 50);
    const vanishedAt = Date.now();
    const held = await api.ok('GET', `${ds}/tasks/copy-clicks`);
    expect(held.state).toMatchObject({ attempt: 1, worker: victim });
    const redispatched = await until(
      'copy-clicks re-dispatched',
      async () => {
        const t = await api.ok('GET', `${ds}/tasks/copy-clicks`);
        return t.state.attempt === 2 ? t : undefined;
      },
      30_000,
      50,
    );
    const assignedAt = Date.parse(redispatched.state.assignedAt);
    console.log(
      `[${target}] kill -9 of ${victim}: worker node gone after ${vanishedAt - killedAt} ms, task re-dispatched to ${redispatched.state.worker} ${assignedAt - killedAt} ms after the kill (${assignedAt - vanishedAt} ms after the node was seen gone; grace ${GRACE_MS} ms)`,
    );
    expect(redispatched.state.worker).toBe(survivor);
    expect(assignedAt - killedAt).toBeGreaterThanOrEqual(GRACE_MS);
    // the grace period runs from the moment the master saw the worker go (seen here within a poll or two)
    expect(assignedAt - vanishedAt).toBeGreaterThanOrEqual(GRACE_MS - 500);

    const completed = await until(
      'copy-clicks completed on the survivor',
      async () => {
        const t = await api.ok('GET', `${ds}/tasks/copy-clicks`);
        return t.state.status === 'succeeded' && t.state.worker === null ? t : undefined;
      },
      30_000,
      50,
    );
    expect(completed.state).toMatchObject({ attempt: 2, failures: 0 });
    expect(completed.history.map((h: Json) => [h.attempt, h.worker, h.outcome])).toEqual([
      [1, victim, 'failover'],
      [2, survivor, 'succeeded'],
    ]);
    expect(completed.progress).toMatchObject({ attempt: 2, worker: survivor, percent: 100, records: 1000, checkpoint: { step: 10 } });
    // the survivor resumed from the killed attempt's checkpoint instead of starting over
    const resumed = lines(workers.get(survivor)!, 'STARTED').find((s) => s.task === 'copy-clicks');
    expect(resumed).toMatchObject({ attempt: 2 });
    expect(resumed.resumeFrom).toBeGreaterThanOrEqual(2);
    expect((await api.ok('GET', `${ds}/tasks?status=succeeded`)).tasks.map((t: Json) => t.id)).toEqual(['copy-clicks', 'copy-orders']);

    // --- audit: the operator's publishes, and the master's decisions as system:data-sync-master
    const publishes = (await api.audit({ type: 'datasync.task.publish', actor: 'root' })).reverse();
    expect(publishes.map((r: Json) => [r.path, r.reason])).toEqual([
      ['/data-sync-system/data-sync-tasks/copy-orders', 'DS-E2E-1'],
      ['/data-sync-system/data-sync-tasks/copy-clicks', 'DS-E2E-2'],
    ]);
    const decisions = (await api.audit({ actor: 'system:data-sync-master', pathPrefix: '/data-sync-system' })).reverse();
    expect(decisions.every((r: Json) => r.source === 'master')).toBe(true);
    expect(decisions.some((r: Json) => r.type === 'datasync.master.elected')).toBe(true);
    const ofTask = (id: string) => decisions.filter((r: Json) => r.path === `/data-sync-system/data-sync-tasks/${id}`).map((r: Json) => [r.type, r.details?.reason ?? null, r.details?.worker ?? null]);
    expect(ofTask('copy-orders')).toEqual([
      ['datasync.task.dispatch', 'new', ranOn],
      ['datasync.task.complete', null, ranOn],
    ]);
    expect(ofTask('copy-clicks')).toEqual([
      ['datasync.task.dispatch', 'new', victim],
      ['datasync.task.dispatch', 'failover', survivor],
      ['datasync.task.complete', null, survivor],
    ]);
    expect((await api.ok('GET', '/api/audit/verify')).ok).toBe(true);
  }, 150_000);
});
