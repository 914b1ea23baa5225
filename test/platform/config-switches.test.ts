/**
 * Config center and degradation switches against a started Paddock and a started Apache ZooKeeper 3.8:
 * publish -> client within a second, CAS conflicts, history/diff/rollback, schema, listener receipts; a
 * switch flip reaching a SwitchClient within a second, an atomic 3-switch plan, expiry, receipts, audit.
 */
import { describe, expect, it, jest } from '@jest/globals';
import {
  ConfigClient,
  ConfigConflictError,
  ConfigService,
  ConfigValidationError,
  MemoryAuditSink,
  MissingReasonError,
  ProviderRegistration,
  SwitchClient,
  SwitchConflictError,
  SwitchFallbackError,
  SwitchService,
  formatUnified,
  switchId,
  type ConfigRelease,
} from '@paddock/platform';
import { killSession } from '../sdk/recipes-support.js';
import { TARGETS } from '../sdk/targets.js';
import { unique, until, usePlatformTarget } from './platform-support.js';

jest.setTimeout(60_000);

const alice = { actor: 'alice', reason: 'INC-1', source: 'test' };
const bob = { actor: 'bob', reason: 'INC-2', source: 'test' };

describe.each(TARGETS)('config center and switches against %s', (_kind, start) => {
  const target = usePlatformTarget(start);
  const { closers, framework } = target;

  it('publish reaches a ConfigClient within a second; receipts tell who holds which release', async () => {
    const root = `/${unique('cfg')}`;
    const ref = { env: 'prod', app: 'checkout', namespace: 'application' };
    const f = await framework();
    const audit = new MemoryAuditSink();
    const config = new ConfigService(f, { root, audit });
    const clientSide = await framework();
    const client = new ConfigClient(clientSide, { ...ref, root, clientId: 'checkout-1' });
    closers.push(() => client.close());
    await client.start();
    expect(client.current).toBeNull();
    const seen: ConfigRelease[] = [];
    const iterator = client.changes();
    const collected = (async () => {
      for await (const r of iterator) {
        seen.push(r);
        if (seen.length === 2) break;
      }
    })();

    // draft is separate from live
    await config.saveDraft(ref, 'timeout=100\nretries=2\n', alice, { format: 'properties' });
    expect(await config.get(ref)).toBeNull();
    expect((await config.diffDraft(ref)).added).toBe(2);
    let t0 = Date.now();
    const r1 = await config.publish(ref, alice);
    expect(r1).toMatchObject({ release: 1, format: 'properties', publishedBy: 'alice' });
    await until('client at release 1', () => client.current?.release === 1, 1_000);
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(await config.getDraft(ref)).toBeNull(); // publishing consumed the draft

    t0 = Date.now();
    await config.publish(ref, bob, { content: 'timeout=200\nretries=2\n', expectedRelease: 1 });
    await until('client at release 2', () => client.current?.release === 2, 1_000);
    expect(Date.now() - t0).toBeLessThan(1_000);
    await collected;
    expect(seen.map((r) => r.release)).toEqual([1, 2]);
    await until('the receipt', async () => (await config.listeners(ref)).some((l) => l.release === 2), 2_000);
    expect(await config.listeners(ref)).toEqual([expect.objectContaining({ clientId: 'checkout-1', release: 2, md5: client.current!.md5 })]);
    expect(audit.ofType('config.publish').map((e) => [e.actor, (e.before as ConfigRelease | null)?.release ?? null, (e.after as ConfigRelease).release])).toEqual([
      ['alice', null, 1],
      ['bob', 1, 2],
    ]);
    expect(audit.ofType('config.draft.save')).toHaveLength(1);
    // the receipt goes with the client's session
    await client.close();
    await until('receipt gone', async () => (await config.listeners(ref)).length === 0, 5_000);
  });

  it('concurrent publishes: exactly one wins, the other fails with ConfigConflictError and writes nothing', async () => {
    const root = `/${unique('cfg')}`;
    const ref = { env: 'dev', app: 'a', namespace: 'ns' };
    const audit = new MemoryAuditSink();
    const c1 = new ConfigService(await framework(), { root, audit });
    const c2 = new ConfigService(await framework(), { root, audit });
    await c1.publish(ref, alice, { content: 'v1' });
    const results = await Promise.allSettled([c1.publish(ref, alice, { content: 'alice', expectedRelease: 1 }), c2.publish(ref, bob, { content: 'bob', expectedRelease: 1 })]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(ConfigConflictError);
    expect((rejected.reason as ConfigConflictError).message).toMatch(/expected release 1, live is 2|concurrent change/);
    expect((await c1.history(ref)).map((r) => r.release)).toEqual([1, 2]);
    // without expectedRelease the znode version CAS still serialises racing publishers
    const racing = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => (i % 2 ? c1 : c2).publish(ref, alice, { content: `race ${i}` })));
    const won = racing.filter((r) => r.status === 'fulfilled').length;
    expect(won).toBeGreaterThanOrEqual(1);
    for (const r of racing) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConfigConflictError);
    const history = await c1.history(ref);
    expect(history.map((r) => r.release)).toEqual(Array.from({ length: 2 + won }, (_, i) => i + 1));
    expect(audit.ofType('config.publish')).toHaveLength(2 + won);
    // a draft based on an old release is refused
    await c1.saveDraft(ref, 'stale', alice);
    await c2.publish(ref, bob, { content: 'newer' });
    await expect(c1.publish(ref, alice)).rejects.toThrow(ConfigConflictError);
  });

  it('history, diff of any two releases, rollback as a new release, schema validation', async () => {
    const root = `/${unique('cfg')}`;
    const ref = { env: 'prod', app: 'pay', namespace: 'limits' };
    const otherEnv = { ...ref, env: 'staging' };
    const audit = new MemoryAuditSink();
    const config = new ConfigService(await framework(), { root, audit, policy: { requireReason: true } });
    await expect(config.publish(ref, { actor: 'x' }, { content: '{}' })).rejects.toThrow(MissingReasonError);
    const v = (o: object) => `${JSON.stringify(o, null, 2)}\n`;
    await config.publish(ref, alice, { content: v({ maxAmount: 100, currency: 'EUR' }), format: 'json' });
    await config.publish(ref, alice, { content: v({ maxAmount: 500, currency: 'EUR' }) });
    await config.publish(ref, bob, { content: v({ maxAmount: 900, currency: 'USD' }) });
    await config.publish(otherEnv, bob, { content: v({ maxAmount: 100, currency: 'EUR' }), format: 'json' });
    const diff = await config.diff(ref, 1, 3);
    expect(diff).toMatchObject({ added: 2, removed: 2 });
    expect(formatUnified(diff, { from: 'r1', to: 'r3' })).toContain('-  "maxAmount": 100,\n-  "currency": "EUR"\n+  "maxAmount": 900,\n+  "currency": "USD"');
    expect((await config.compare({ ...ref, release: 1 }, otherEnv)).identical).toBe(true);

    const rolled = await config.rollback(ref, 1, bob, { expectedRelease: 3 });
    expect(rolled).toMatchObject({ release: 4, rollbackOf: 1, content: v({ maxAmount: 100, currency: 'EUR' }) });
    expect((await config.history(ref)).map((r) => [r.release, r.rollbackOf ?? null])).toEqual([
      [1, null],
      [2, null],
      [3, null],
      [4, 1],
    ]);
    expect((await config.get(ref))!.release).toBe(4);
    expect(audit.ofType('config.rollback')[0]).toMatchObject({ actor: 'bob', reason: 'INC-2', details: { release: 4, rollbackOf: 1 } });

    // schema: enforced on publish, and the client refuses invalid releases
    await config.setSchema(ref, { type: 'object', required: ['maxAmount'], properties: { maxAmount: { type: 'integer', maximum: 1000 }, currency: { enum: ['EUR', 'USD'] } } }, alice);
    await expect(config.publish(ref, alice, { content: v({ maxAmount: 5000, currency: 'EUR' }) })).rejects.toThrow(ConfigValidationError);
    await expect(config.publish(ref, alice, { content: 'not json' })).rejects.toThrow(ConfigValidationError);
    await expect(config.setSchema(ref, { type: 'object', anyOf: [] } as never, alice)).rejects.toThrow(/anyOf/);
    expect((await config.get(ref))!.release).toBe(4);
    expect(await config.listNamespaces('prod', 'pay')).toEqual(['limits']);
    expect(await config.listEnvs()).toEqual(['prod', 'staging']);
  });

  it('a switch flip reaches a SwitchClient within a second and is applied to calls; expiry reverts it', async () => {
    const root = `/${unique('sw')}`;
    const audit = new MemoryAuditSink();
    const switches = new SwitchService(await framework(), { root, audit });
    const client = new SwitchClient(await framework(), { env: 'prod', application: 'web', clientId: 'web-1', root });
    closers.push(() => client.close());
    await client.start();
    expect(client.switches).toEqual([]);
    let calls = 0;
    const real = async () => {
      calls++;
      return { name: 'real' };
    };
    expect(await client.call('com.foo.UserService', 'get', real)).toEqual({ name: 'real' });

    const t0 = Date.now();
    const s = await switches.set('prod', { scope: { service: 'com.foo.UserService', method: 'get' }, mode: 'force', fallback: { kind: 'value', value: { name: 'cached' } } }, alice);
    await until('the flip to arrive', () => client.evaluate('com.foo.UserService', 'get')?.version === s.version, 1_000);
    expect(Date.now() - t0).toBeLessThan(1_000);
    calls = 0;
    expect(await client.call('com.foo.UserService', 'get', real)).toEqual({ name: 'cached' });
    expect(calls).toBe(0); // force: never called
    expect(await client.call('com.foo.UserService', 'list', real)).toEqual({ name: 'real' });

    // fail mode: call, fallback on error; throw fallback
    await switches.set('prod', { scope: { service: 'com.foo.UserService', method: 'list' }, mode: 'fail', fallback: { kind: 'empty', of: 'array' } }, alice);
    await switches.set('prod', { scope: { service: 'com.foo.Orders', consumerApp: 'web' }, mode: 'force', fallback: { kind: 'throw', message: 'orders degraded' } }, alice);
    await until('both', () => client.switches.length === 3, 1_000);
    expect(await client.call('com.foo.UserService', 'list', async () => Promise.reject(new Error('down')))).toEqual([]);
    expect(await client.call('com.foo.UserService', 'list', async () => ['x'])).toEqual(['x']);
    await expect(client.call('com.foo.Orders', 'create', real)).rejects.toThrow(SwitchFallbackError);

    // receipts: which client applied which revision and switch versions
    const { revision } = await switches.list('prod');
    await client.waitForRevision(revision, 2_000);
    await until('receipt', async () => (await switches.receipts('prod')).some((r) => r.revision === revision), 2_000);
    const [receipt] = await switches.receipts('prod');
    expect(receipt).toMatchObject({ clientId: 'web-1', application: 'web', revision });
    expect(receipt!.switches[switchId({ service: 'com.foo.UserService', method: 'get' })]).toBe(1);
    expect(await switches.laggards('prod')).toEqual([]);

    // CAS on the switch version
    await expect(switches.set('prod', { scope: { service: 'com.foo.UserService', method: 'get' }, mode: 'off' }, bob, { expectedVersion: 7 })).rejects.toThrow(SwitchConflictError);

    // expiry: the client stops applying it at expiresAt, expireDue writes it off
    const expiresAt = Date.now() + 400;
    await switches.set('prod', { scope: { service: 'com.foo.UserService', method: 'get' }, mode: 'force', expiresAt }, alice);
    await until('expiring version', () => client.evaluate('com.foo.UserService', 'get')?.expiresAt === expiresAt, 1_000);
    await until('client-side expiry', () => client.evaluate('com.foo.UserService', 'get') === undefined, 2_000);
    expect(await switches.expireDue('prod', Date.now())).toEqual([switchId({ service: 'com.foo.UserService', method: 'get' })]);
    expect((await switches.get('prod', { service: 'com.foo.UserService', method: 'get' }))!.mode).toBe('off');
    const expired = audit.ofType('switch.expire')[0]!;
    expect(expired).toMatchObject({ actor: 'system:switch-expiry', before: { mode: 'force' }, after: { mode: 'off' } });
    expect(audit.ofType('switch.set')[0]).toMatchObject({ actor: 'alice', reason: 'INC-1', before: null, after: { mode: 'force', version: 1 } });
  });

  it('a plan flips three switches atomically and reverts them in one step', async () => {
    const root = `/${unique('sw')}`;
    const audit = new MemoryAuditSink();
    const switches = new SwitchService(await framework(), { root, audit });
    const client = new SwitchClient(await framework(), { env: 'prod', application: 'web', clientId: 'web-2', root });
    closers.push(() => client.close());
    await client.start();
    await switches.set('prod', { scope: { service: 'svc.A' }, mode: 'fail', fallback: { kind: 'null' } }, alice);
    const scopes = [{ service: 'svc.A' }, { service: 'svc.B', method: 'm' }, { service: 'svc.C', consumerApp: 'web' }];
    await switches.savePlan('prod', { name: 'black-friday', description: 'shed load', switches: scopes.map((scope) => ({ scope, mode: 'force' as const, fallback: { kind: 'null' as const } })) }, alice);
    expect((await switches.previewPlan('prod', 'black-friday')).map((p) => p.current?.mode ?? null)).toEqual(['fail', null, null]);

    // every snapshot the client applies has all three or none of them forced
    const forcedCounts: number[] = [];
    client.on('applied', (s) => forcedCounts.push(s.switches.filter((x) => x.mode === 'force').length));
    const before = (await switches.list('prod')).revision;
    const t0 = Date.now();
    const executed = await switches.executePlan('prod', 'black-friday', bob);
    expect(executed.revision).toBe(before + 1);
    await client.waitForRevision(executed.revision, 1_000);
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(['svc.A', 'svc.B', 'svc.C'].map((svc) => client.evaluate(svc, 'm')?.mode)).toEqual(['force', 'force', 'force']);
    expect(forcedCounts.every((n) => n === 0 || n === 3)).toBe(true);
    expect((await switches.getPlan('prod', 'black-friday'))!.status).toBe('active');

    const reverted = await switches.revertPlan('prod', 'black-friday', bob);
    await client.waitForRevision(reverted.revision, 1_000);
    expect(['svc.A', 'svc.B', 'svc.C'].map((svc) => client.evaluate(svc, 'm')?.mode ?? 'none')).toEqual(['fail', 'none', 'none']);
    await expect(switches.revertPlan('prod', 'black-friday', bob)).rejects.toThrow(/not active/);

    const exec = audit.ofType('switch.plan.execute')[0]!;
    expect(exec).toMatchObject({ actor: 'bob', details: { plan: 'black-friday', revision: executed.revision } });
    expect((exec.before as Array<{ mode: string } | null>).map((s) => s?.mode ?? null)).toEqual(['fail', null, null]);
    expect((exec.after as Array<{ mode: string }>).map((s) => s.mode)).toEqual(['force', 'force', 'force']);
    expect(audit.ofType('switch.plan.revert')).toHaveLength(1);
  });

  it('a provider registration comes back under a new session after its session is lost', async () => {
    const f = await framework();
    const observer = await framework();
    const service = `com.paddock.${unique('Reg').replace(/-/g, '_')}`;
    const reg = new ProviderRegistration(f, { service, application: 'svc', host: '127.0.0.1', port: 12345, methods: ['x'], root: `/${unique('dubbo')}` });
    closers.push(() => reg.close());
    await reg.start();
    expect(await reg.verify()).toBe(true);
    const firstOwner = (await observer.client.exists(reg.path))!.ephemeralOwner;
    await killSession(target.server, f.client);
    await until(
      're-registered under a new session',
      async () => {
        const stat = await observer.client.exists(reg.path);
        return stat !== null && stat.ephemeralOwner !== firstOwner && stat.ephemeralOwner === f.client.sessionId;
      },
      15_000,
    );
    expect(await reg.verify()).toBe(true);
  });
});
