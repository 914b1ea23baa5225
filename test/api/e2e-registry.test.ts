/**
 * End-to-end registry through the backend, once per store (the API's embedded member, and a real Apache ZooKeeper
 * 3.8 as the store via PADDOCK_CONNECT): real HTTP provider processes register on startup, a real consumer process
 * keeps calling the service through kill -9 of one provider, the API shows the providers as they come and go, and
 * operators steer the consumer's traffic with override routes (disable, re-weight), each change audited.
 * Build first (`npm run build`): the API and the fixtures run the built packages.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ManagedProcess } from '../support/processes.js';
import { E2eApi, STORE_TARGETS, fixture, spawnFixture, until, type Json } from './fixtures/e2e-support.js';

// borrowed from the platform suite: startHttpProvider in a process of its own, printing `READY <port> <session>`
const PROVIDER_SCRIPT = fixture('../../platform/fixtures/http-provider.mjs');
const CONSUMER_SCRIPT = fixture('service-consumer.mjs');

interface ConsumerStats {
  calls: number;
  ok: Record<string, number>;
  lastOkAt: Record<string, number>;
  failures: Array<{ startedAt: number; at: number; error: string }>;
  failureCount: number;
  now: number;
  instances: Array<{ address: string; weight: number; disabled: boolean }>;
  protection: Json;
}

describe.each(STORE_TARGETS)('registry end to end (%s store)', (target) => {
  const service = `com.acme.e2e.Greeter${target === 'zookeeper' ? 'Zk' : 'Embedded'}`;
  let api: E2eApi;
  const processes: ManagedProcess[] = [];
  let consumer: ManagedProcess;
  let consumerPort: number;

  beforeAll(async () => {
    api = await E2eApi.start(target);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop({ timeoutMs: 3_000 })));
    await api?.stop();
  }, 60_000);

  async function startProvider(name: string): Promise<{ name: string; address: string; process: ManagedProcess }> {
    // a 3 s session: a killed provider's ephemeral node goes soon (Apache ZooKeeper negotiates it up to 2 x tickTime)
    const { process, match } = await spawnFixture(`provider-${name}`, PROVIDER_SCRIPT, { CONNECT: api.store, SERVICE: service, NAME: name, SESSION_TIMEOUT: '3000' }, /READY (\d+) ([0-9a-f]+)/);
    processes.push(process);
    return { name, address: `127.0.0.1:${match[1]}`, process };
  }

  async function providersInApi(): Promise<Json[]> {
    return (await api.ok('GET', `/api/registry/services/${service}`)).providers as Json[];
  }

  async function stats(): Promise<ConsumerStats> {
    const res = await fetch(`http://127.0.0.1:${consumerPort}/stats`, { signal: AbortSignal.timeout(10_000) });
    return (await res.json()) as ConsumerStats;
  }

  /** Lets the consumer make at least `calls` more calls; returns how many it made, the successes per provider and the failures in that window. */
  async function window(calls: number): Promise<{ calls: number; ok: Record<string, number>; failures: number }> {
    // every counted call starts after this point (the one in flight now is left out)
    const now = await stats();
    const from = await until('the call in flight to finish', async () => {
      const s = await stats();
      return s.calls >= now.calls + 2 ? s : undefined;
    }, 30_000, 20);
    const to = await until(`${calls} more consumer calls`, async () => {
      const s = await stats();
      return s.calls >= from.calls + calls ? s : undefined;
    }, 60_000, 100);
    const ok: Record<string, number> = {};
    for (const [who, n] of Object.entries(to.ok)) if (n - (from.ok[who] ?? 0) > 0) ok[who] = n - (from.ok[who] ?? 0);
    return { calls: to.calls - from.calls, ok, failures: to.failureCount - from.failureCount };
  }

  it('providers register on startup; the consumer fails over through kill -9; overrides steer traffic; a restarted provider gets traffic again; every operator action is audited', async () => {
    // --- two provider processes register under /dubbo/{service}/providers, visible through the API
    const [p1, p2] = await Promise.all([startProvider('p1'), startProvider('p2')]);
    const registered = await until('both providers in the API', async () => {
      const providers = await providersInApi();
      return providers.length === 2 ? providers : undefined;
    });
    expect(registered.map((p: Json) => p.address).sort()).toEqual([p1.address, p2.address].sort());
    expect(registered.every((p: Json) => p.disabled === false && p.weight === 100 && p.url.startsWith(`http://127.0.0.1:`))).toBe(true);
    expect((await api.ok('GET', '/api/registry/services')).services).toContain(service);

    // --- a consumer process calls the service all the time, round robin over both
    const started = await spawnFixture('consumer', CONSUMER_SCRIPT, { CONNECT: api.store, SERVICE: service, PAUSE_MS: '10' }, /READY (\d+)/);
    consumer = started.process;
    processes.push(consumer);
    consumerPort = Number(started.match[1]);
    await until('the consumer registered in the API', async () => ((await api.ok('GET', `/api/registry/services/${service}`)).consumers.length === 1 ? true : undefined));
    const before = await window(40);
    expect(before.failures).toBe(0);
    expect(Object.keys(before.ok).sort()).toEqual(['p1', 'p2']);

    // --- kill -9 p2: the consumer fails over to p1; the API shows only p1 once p2's session expired
    const killedAt = Date.now();
    await p2.process.kill();
    const vanished = await until(
      "p2's ephemeral node to go",
      async () => {
        const providers = await providersInApi();
        return providers.length === 1 ? providers : undefined;
      },
      30_000,
      50,
    );
    const vanishedAt = Date.now();
    expect(vanished.map((p: Json) => p.address)).toEqual([p1.address]);
    await until('the consumer to apply the shrunken list', async () => ((await stats()).instances.length === 1 ? true : undefined), 10_000);
    const afterKill = await window(60);
    const s = await stats();
    console.log(
      `[${target}] kill -9 of p2: node gone after ${vanishedAt - killedAt} ms; consumer ${s.calls} calls, ok ${JSON.stringify(s.ok)}, ${s.failureCount} failed` +
        (s.failures.length ? ` (${s.failures.map((f) => `${f.at - killedAt} ms after the kill: ${f.error}`).join('; ')})` : ''),
    );
    expect(afterKill).toEqual({ calls: afterKill.calls, ok: { p1: afterKill.calls }, failures: 0 });
    // at most a few failed calls right at the kill (failover retries on p1), none once the node is gone
    expect(s.failureCount).toBeLessThanOrEqual(3);
    expect(s.failures.every((f) => f.startedAt >= killedAt - 100 && f.startedAt < vanishedAt)).toBe(true);
    // p2 answered nothing after it died (its last answers may have been in flight at the kill)
    const okOfP2AtKill = s.ok.p2 ?? 0;
    expect(s.lastOkAt.p2).toBeLessThan(killedAt + 1_000);
    expect(s.instances.map((i) => i.address)).toEqual([p1.address]);
    expect(s.protection).toBeNull();

    // --- a third provider joins and gets traffic; an operator disables it through the API: it gets none
    const p3 = await startProvider('p3');
    await until('p3 in the API', async () => ((await providersInApi()).some((p: Json) => p.address === p3.address) ? true : undefined));
    await until('p3 answering', async () => (((await stats()).ok.p3 ?? 0) > 0 ? true : undefined), 15_000);
    const disabled = await api.call('PUT', `/api/registry/services/${service}/overrides/disabled`, { address: p3.address, disabled: true, reason: 'E2E-1 drain p3' });
    expect(disabled.status).toBe(200);
    expect(disabled.body).toMatchObject({ service, address: p3.address });
    await until('the consumer to see p3 disabled', async () => ((await stats()).instances.find((i) => i.address === p3.address)?.disabled ? true : undefined), 10_000);
    const drained = await window(60);
    expect(drained).toEqual({ calls: drained.calls, ok: { p1: drained.calls }, failures: 0 });
    expect((await providersInApi()).find((p: Json) => p.address === p3.address)).toMatchObject({ disabled: true });
    // the provider's own ephemeral node was not touched: the override is a persistent node under configurators
    const detail = await api.ok('GET', `/api/registry/services/${service}`);
    expect(detail.overrides).toHaveLength(1);
    expect(detail.overrides[0]).toMatchObject({ address: p3.address, ephemeralOwner: '0x0', parameters: expect.objectContaining({ disabled: 'true' }) });

    // --- re-enable p3 and weight p1 three times as heavy: smooth weighted round robin, 3:1
    expect((await api.call('PUT', `/api/registry/services/${service}/overrides/disabled`, { address: p3.address, disabled: false, reason: 'E2E-2 p3 back' })).status).toBe(200);
    expect((await api.call('PUT', `/api/registry/services/${service}/overrides/weight`, { address: p1.address, weight: 300, reason: 'E2E-3 p1 is bigger' })).status).toBe(200);
    await until(
      'the consumer to apply both overrides',
      async () => {
        const inst = (await stats()).instances;
        return inst.find((i) => i.address === p1.address)?.weight === 300 && inst.find((i) => i.address === p3.address)?.disabled === false ? true : undefined;
      },
      10_000,
    );
    const weighted = await window(120);
    console.log(`[${target}] weights p1=300 p3=100 over ${weighted.calls} calls: ${JSON.stringify(weighted.ok)}`);
    expect(weighted.failures).toBe(0);
    expect(Object.keys(weighted.ok).sort()).toEqual(['p1', 'p3']);
    expect(weighted.ok.p1! + weighted.ok.p3!).toBe(weighted.calls);
    expect(weighted.ok.p1! / weighted.calls).toBeGreaterThan(0.65);
    expect(weighted.ok.p1! / weighted.calls).toBeLessThan(0.85);
    expect((await providersInApi()).find((p: Json) => p.address === p1.address)).toMatchObject({ weight: 300, disabled: false });

    // --- the killed provider restarts: it registers again (new port) and gets traffic
    const p2again = await startProvider('p2');
    await until('p2 back in the API', async () => ((await providersInApi()).some((p: Json) => p.address === p2again.address) ? true : undefined));
    await until('p2 answering again', async () => (((await stats()).ok.p2 ?? 0) > okOfP2AtKill ? true : undefined), 15_000);
    const all = await window(100);
    expect(all.failures).toBe(0);
    expect(Object.keys(all.ok).sort()).toEqual(['p1', 'p2', 'p3']);
    expect((await providersInApi()).map((p: Json) => p.address).sort()).toEqual([p1.address, p2again.address, p3.address].sort());

    // --- each operator action is an audit row: who, why, and the override before/after
    const rows = (await api.audit({ type: 'registry.override.set', pathPrefix: `/dubbo/${service}/configurators` })).reverse();
    expect(rows.map((r: Json) => r.reason)).toEqual(['E2E-1 drain p3', 'E2E-2 p3 back', 'E2E-3 p1 is bigger']);
    expect(rows.every((r: Json) => r.actor === 'root' && r.source === 'api')).toBe(true);
    expect(rows[0]).toMatchObject({ before: null, after: { disabled: 'true' }, details: { service, address: p3.address } });
    expect(rows[1]).toMatchObject({ before: { disabled: 'true' }, details: { address: p3.address } });
    expect(rows[1].after?.disabled).not.toBe('true');
    expect(rows[2]).toMatchObject({ before: null, after: { weight: '300' }, details: { address: p1.address } });
    expect((await api.ok('GET', '/api/audit/verify')).ok).toBe(true);
  }, 240_000);
});
