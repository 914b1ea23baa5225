/**
 * The Dubbo-compatible registry against a started Paddock and a started Apache ZooKeeper 3.8: real HTTP
 * provider processes, a consumer calling through SIGKILL of one, operator overrides, empty-push protection,
 * zombie detection, routes, audit.
 */
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { Framework } from '@paddock/recipes';
import {
  DubboUrl,
  MemoryAuditSink,
  RegistryService,
  ServiceConsumer,
  categoryDir,
  fourLetterSessionProbe,
  startHttpProvider,
  type ProtectionReport,
} from '@paddock/platform';
import { sleep } from '../support/processes.js';
import { TARGETS } from '../sdk/targets.js';
import { openFramework, spawnProvider, unique, until, usePlatformTarget, type ProviderProcess } from './platform-support.js';

jest.setTimeout(60_000);

const ctx = { actor: 'alice', reason: 'test', source: 'test' };

describe.each(TARGETS)('registry against %s', (_kind, start) => {
  const target = usePlatformTarget(start);
  const { closers, framework } = target;
  const providers: ProviderProcess[] = [];

  afterEach(async () => {
    await Promise.all(providers.splice(0).map((p) => p.process.kill()));
  });

  async function consumerOf(f: Framework, service: string, options: Partial<ConstructorParameters<typeof ServiceConsumer>[1]> = {}): Promise<ServiceConsumer> {
    const c = new ServiceConsumer(f, { service, application: 'demo-consumer', timeoutMs: 2_000, ...options });
    closers.push(() => c.close());
    await c.start();
    return c;
  }

  it('providers register Dubbo URLs; a consumer keeps calling through SIGKILL of one provider process', async () => {
    const service = `com.paddock.${unique('Demo').replace(/-/g, '_')}`;
    const spawned = await Promise.all(['p1', 'p2', 'p3'].map((n) => spawnProvider(target.server.connectString, service, n)));
    providers.push(...spawned);
    const f = await framework();
    const registry = new RegistryService(f);

    // the layout is Dubbo's: URL-encoded full provider URLs, ephemeral, under /dubbo/{service}/providers
    const nodes = await registry.listProviders(service);
    expect(nodes).toHaveLength(3);
    for (const n of nodes) {
      expect(n.path.startsWith(`/dubbo/${service}/providers/http%3A%2F%2F127.0.0.1%3A`)).toBe(true);
      expect(n.ephemeralOwner).not.toBe(0n);
      expect(n.url.param('side')).toBe('provider');
      expect(n.url.param('interface')).toBe(service);
      expect(n.url.param('methods')).toBe('echo,fail,whoami');
      expect(DubboUrl.fromNodeName(n.id).toFullString()).toBe(n.url.toFullString());
    }

    const consumer = await consumerOf(f, service, { loadBalance: 'roundrobin' });
    expect(consumer.instances).toHaveLength(3);
    expect((await registry.listConsumers(service))[0]!.url.param('side')).toBe('consumer');

    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add(await consumer.call<string>('whoami'));
    expect(seen).toEqual(new Set(['p1', 'p2', 'p3']));

    // business errors are not failed over
    await expect(consumer.call('fail')).rejects.toThrow(/business error/);

    // a steady stream of calls; SIGKILL p2 in the middle
    let ok = 0;
    const failures: unknown[] = [];
    const answeredBy = new Set<string>();
    let stop = false;
    const loop = (async () => {
      while (!stop) {
        try {
          const r = await consumer.call<{ from: string }>('echo', [ok]);
          answeredBy.add(r.from);
          ok++;
        } catch (error) {
          failures.push(error);
        }
        await sleep(5);
      }
    })();
    const victim = spawned[1]!;
    await until('some calls', () => ok > 20);
    const killedAt = Date.now();
    await victim.process.kill();
    const victimNode = nodes.find((n) => n.url.port === victim.port)!;
    // the dead provider's node vanishes after its session timeout (3 s requested)
    await until('the dead provider node to vanish', async () => !(await f.client.exists(victimNode.path)), 15_000);
    const vanishedAfter = Date.now() - killedAt;
    await until('the consumer to drop the dead provider', () => consumer.instances.length === 2, 5_000);
    const okAtRemoval = ok;
    await until('calls after the removal', () => ok > okAtRemoval + 20);
    stop = true;
    await loop;
    expect(failures).toEqual([]);
    expect(vanishedAfter).toBeLessThan(12_000);
    expect(consumer.instances.map((p) => p.address).sort()).toEqual([spawned[0]!.address, spawned[2]!.address].sort());
    expect(consumer.status().protection).toBeUndefined();
  });

  it('an operator disables and re-weights an instance by override; the provider node is untouched', async () => {
    const service = `com.paddock.${unique('Ovr').replace(/-/g, '_')}`;
    const f = await framework();
    const audit = new MemoryAuditSink();
    const registry = new RegistryService(f, { audit });
    const started = await Promise.all(['a', 'b'].map((name) => startHttpProvider(f, { service, application: 'svc', handlers: { whoami: () => name } })));
    for (const p of started) closers.push(() => p.close());
    const consumer = await consumerOf(f, service);
    const target = started[0]!;
    const before = await f.client.exists(target.registration.path);

    await registry.setInstanceDisabled(service, `127.0.0.1:${target.port}`, true, ctx);
    await until('the consumer to see the override', () => consumer.instances.some((p) => p.disabled), 2_000);
    for (let i = 0; i < 20; i++) expect(await consumer.call('whoami')).toBe('b');

    // the override is a persistent override:// URL under configurators; the provider node is as it was
    const overrides = await registry.listOverrides(service);
    expect(overrides).toHaveLength(1);
    expect(overrides[0]!.ephemeralOwner).toBe(0n);
    expect(overrides[0]!.url.toFullString()).toBe(`override://127.0.0.1:${target.port}/${service}?category=configurators&disabled=true&dynamic=false&enabled=true`);
    const after = await f.client.exists(target.registration.path);
    expect(after).toEqual(before);

    // weight in the same override node; disable off keeps the weight
    await registry.setInstanceWeight(service, `127.0.0.1:${target.port}`, 300, ctx);
    await registry.setInstanceDisabled(service, `127.0.0.1:${target.port}`, false, { ...ctx, reason: 'back' });
    await until('re-enabled with weight 300', () => consumer.instances.some((p) => p.address === `127.0.0.1:${target.port}` && !p.disabled && p.weight === 300), 2_000);
    expect(await registry.listOverrides(service)).toHaveLength(1);

    // an expiring weight
    await registry.setInstanceWeight(service, `127.0.0.1:${target.port}`, 5, ctx, { expiresAt: Date.now() + 300 });
    await sleep(350);
    expect(await registry.expireDue()).toHaveLength(1);
    await until('the expired override to be gone', () => consumer.instances.every((p) => p.weight === 100), 2_000);

    const events = audit.events.map((e) => [e.type, e.before, e.after]);
    expect(events[0]).toEqual(['registry.override.set', null, { disabled: 'true' }]);
    expect(events[1]).toEqual(['registry.override.set', { disabled: 'true' }, { disabled: 'true', weight: '300' }]);
    expect(events[2]).toEqual(['registry.override.set', { disabled: 'true', weight: '300' }, { weight: '300' }]);
    expect(audit.events.at(-1)).toMatchObject({ type: 'registry.override.expire', actor: 'system:override-expiry', after: null });
    expect(audit.events[0]).toMatchObject({ actor: 'alice', reason: 'test', source: 'test' });
  });

  it('empty-push protection keeps the last good list when providers vanish at once', async () => {
    const service = `com.paddock.${unique('Empty').replace(/-/g, '_')}`;
    const f = await framework();
    const single = await framework();
    const fleet = await openFramework(target.server.connectString);
    closers.push(() => fleet.close());
    const started = await Promise.all(['a', 'b', 'c'].map((name) => startHttpProvider(fleet, { service, application: 'svc', handlers: { whoami: () => name } })));
    for (const p of started) closers.push(() => p.close());
    const d = await startHttpProvider(single, { service, application: 'svc', handlers: { whoami: () => 'd' } });
    closers.push(() => d.close());
    const consumer = await consumerOf(f, service, { emptyPush: { maxDropRatio: 0.5 } });
    expect(consumer.instances).toHaveLength(4);
    const reports: ProtectionReport<string>[] = [];
    consumer.on('protected', (r) => reports.push(r));

    // 4 -> 3 is fine
    await d.registration.close();
    await until('3 providers', () => consumer.instances.length === 3, 3_000);
    // 3 -> 0 at once (the fleet's shared session is closed: all its ephemerals go in one transaction): refused
    await fleet.close();
    await until('a protection report', () => reports.some((r) => r.reason === 'empty'), 3_000);
    expect(await f.client.getChildren(categoryDir(service, 'providers'))).toEqual([]);
    expect(consumer.instances).toHaveLength(3);
    expect(consumer.status().protection).toMatchObject({ reason: 'empty', refused: [], dropRatio: 1 });
    expect(await consumer.call('whoami')).toMatch(/^[abc]$/); // the processes still answer
    // two of them register again (new sessions, new URLs): 3 -> 2 is within the threshold, applied
    const back = await framework();
    const again = await Promise.all(['a2', 'b2'].map((name) => startHttpProvider(back, { service, application: 'svc', handlers: { whoami: () => name } })));
    for (const p of again) closers.push(() => p.close());
    await until('protection lifted', () => consumer.status().protection === undefined && consumer.instances.length === 2, 3_000);
    expect(await consumer.call('whoami')).toMatch(/^[ab]2$/);
  });

  it('condition routes steer calls; preview shows the matched providers', async () => {
    const service = `com.paddock.${unique('Route').replace(/-/g, '_')}`;
    const f = await framework();
    const registry = new RegistryService(f);
    const started = await Promise.all(
      ['v1', 'v2'].map((name) => startHttpProvider(f, { service, application: 'svc', parameters: { version: name === 'v1' ? '1.0' : '2.0' }, handlers: { whoami: () => name, other: () => name } })),
    );
    for (const p of started) closers.push(() => p.close());
    const consumer = await consumerOf(f, service);
    const preview = await registry.previewRoute(service, { application: 'demo-consumer', host: '127.0.0.1' }, 'whoami', { name: 'canary', rule: 'method = whoami => version = 2.0' });
    expect(preview.map((p) => p.url.param('version'))).toEqual(['2.0']);
    await registry.setRoute(service, { name: 'canary', rule: 'method = whoami => version = 2.0' }, ctx);
    await until('the route to arrive', () => consumer.status().routes.length === 1, 2_000);
    for (let i = 0; i < 10; i++) expect(await consumer.call('whoami')).toBe('v2');
    const others = new Set<string>();
    for (let i = 0; i < 30; i++) others.add(await consumer.call<string>('other'));
    expect(others).toEqual(new Set(['v1', 'v2']));
    expect(await registry.removeRoute(service, 'canary', ctx)).toBe(true);
    await until('the route to go', () => consumer.status().routes.length === 0, 2_000);
  });

  it('zombie detection flags a provider whose owner session has lost its connection (killed process)', async () => {
    const service = `com.paddock.${unique('Zombie').replace(/-/g, '_')}`;
    const f = await framework();
    const registry = new RegistryService(f);
    const live = await startHttpProvider(f, { service, application: 'svc', handlers: { x: () => 1 } });
    closers.push(() => live.close());
    // a provider process with a long session: after SIGKILL its node stays until the session times out
    const victim = await spawnProvider(target.server.connectString, service, 'zombie', { SESSION_TIMEOUT: '10000' });
    providers.push(victim);
    const probe = fourLetterSessionProbe([target.server.connectString]);
    let report = await registry.detectZombies(probe, [service]);
    expect(report.map((r) => r.status)).toEqual(['live', 'live']);
    expect(report.find((r) => r.address === victim.address)!.ephemeralOwner).toBe(`0x${victim.sessionHex}`);
    await victim.process.kill();
    await until(
      'the zombie to be flagged',
      async () => {
        report = await registry.detectZombies(probe, [service]);
        return report.some((r) => r.status === 'disconnected');
      },
      5_000,
    );
    expect(report).toHaveLength(2);
    expect(report.find((r) => r.status === 'disconnected')!.address).toBe(victim.address);
    expect(report.find((r) => r.address === `127.0.0.1:${live.port}`)!.status).toBe('live');
    expect(await registry.listServices()).toContain(service);
    expect(categoryDir(service, 'providers')).toBe(`/dubbo/${service}/providers`);
  });
});
