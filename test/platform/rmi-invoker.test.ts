/**
 * The TypeScript Java RMI client (rmiInvoker) against real Java RMI providers (GreetingServer: an RMI registry
 * and an exported GreetingService on one port): every method of the interface, business exceptions, dead ports,
 * unbound names, many sequential and concurrent calls, and agreement with a real Java RMI client; then a
 * ServiceConsumer over a real Paddock store failing over between two registered rmi:// providers through kill -9.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import {
  DubboUrl,
  ProviderRegistration,
  RmiInvocationError,
  ServiceConsumer,
  createRmiInvoker,
  httpInvoker,
  startHttpProvider,
  type ProviderInstance,
  type RmiInvoker,
} from '@paddock/platform';
import { startPaddock } from '../support/paddock.js';
import { getFreePort } from '../support/ports.js';
import { runCommand, sleep } from '../support/processes.js';
import { GREETING_SERVICE, callWithJavaClient, spawnRmiServer, type RmiServerProcess } from './java-rmi.js';
import { until, usePlatformTarget } from './platform-support.js';

jest.setTimeout(120_000);

const JCMD = process.env.JCMD ?? '/usr/bin/jcmd';

const GREETING_METHODS = {
  greet: '(Ljava/lang/String;)Ljava/lang/String;',
  add: '(II)I',
  twice: '(J)J',
  isEven: '(I)Z',
  boxed: '(I)Ljava/lang/Integer;',
  whoami: '()Ljava/lang/String;',
  noop: '()V',
  fail: '(Ljava/lang/String;)Ljava/lang/String;',
};

/** A provider instance as the consumer builds it from a registered `rmi://` URL. */
function rmiProvider(port: number, service = GREETING_SERVICE): ProviderInstance {
  const url = new DubboUrl({ protocol: 'rmi', host: '127.0.0.1', port, path: service, parameters: { interface: GREETING_SERVICE, side: 'provider' } });
  return { id: encodeURIComponent(url.toFullString()), url, effective: url, address: `127.0.0.1:${port}`, weight: 100, disabled: false };
}

describe('rmiInvoker against a real Java RMI provider', () => {
  let server: RmiServerProcess;
  let provider: ProviderInstance;
  let invoker: RmiInvoker;
  const options = { timeoutMs: 10_000, service: GREETING_SERVICE };
  const call = (method: string, ...args: unknown[]) => invoker(provider, method, args, options);

  beforeAll(async () => {
    server = await spawnRmiServer('rmi-a');
    provider = rmiProvider(server.port);
    invoker = createRmiInvoker({ methods: GREETING_METHODS });
  });

  afterAll(async () => {
    await invoker?.close();
    await server?.process.kill();
  });

  it('looks the interface up in the registry and gets a stub for the exported object', async () => {
    const ref = await invoker.lookup('127.0.0.1', server.port, GREETING_SERVICE, 10_000);
    expect(ref.port).toBe(server.port);
    expect(ref.refClass).toMatch(/^UnicastRef2?$/);
    expect(ref.interfaces).toContain(GREETING_SERVICE);
    // the registry itself is object 0; an exported object gets a random object number
    expect(ref.objId.objNum).not.toBe(0n);
  });

  it('calls every method of the interface with the right values', async () => {
    expect(await call('greet', 'world')).toBe('hello world from rmi-a');
    expect(await call('greet', 'zürich \u0000 ✓ 🎉')).toBe('hello zürich \u0000 ✓ 🎉 from rmi-a');
    expect(await call('greet', null)).toBe('hello null from rmi-a');
    expect(await call('add', 2, 40)).toBe(42);
    expect(await call('add', 2147483647, 1)).toBe(-2147483648); // Java int overflow
    expect(await call('add', -5, -7)).toBe(-12);
    expect(await call('twice', 21)).toBe(42);
    expect(await call('twice', -3)).toBe(-6);
    expect(await call('isEven', 4)).toBe(true);
    expect(await call('isEven', 7)).toBe(false);
    expect(await call('boxed', 7)).toBe(7);
    expect(await call('boxed', -1)).toBeNull();
    expect(await call('whoami')).toBe('rmi-a');
    expect(await call('noop')).toBeUndefined();
  });

  it('keeps longs exact: beyond 2^53 they come back as bigint, and bigint arguments are accepted', async () => {
    // 2^52 doubled is 2^53: past Number.MAX_SAFE_INTEGER, so a bigint
    expect(await call('twice', 2 ** 52)).toBe(2n ** 53n);
    expect(await call('twice', 2 ** 52 - 1)).toBe(2 ** 53 - 2);
    expect(await call('twice', 4611686018427387903n)).toBe(9223372036854775806n);
    // Java's long arithmetic wraps
    expect(await call('twice', 4611686018427387904n)).toBe(-9223372036854775808n);
    expect(await call('twice', 123n)).toBe(246);
    // a number that is not exactly representable is refused before anything is sent
    await expect(call('twice', 2 ** 60)).rejects.toMatchObject({ retryable: false, message: expect.stringMatching(/safe integer or a bigint/) });
  });

  it('a business exception is not retryable and carries the Java class and message', async () => {
    const error = await call('fail', 'boom: bad input').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RmiInvocationError);
    expect(error).toMatchObject({ retryable: false, javaClass: 'java.lang.IllegalArgumentException', javaMessage: 'boom: bad input' });
    expect((error as Error).message).toMatch(/java\.lang\.IllegalArgumentException: boom: bad input/);
    // the connection and the cached stub stay usable
    expect(await call('whoami')).toBe('rmi-a');
    expect(invoker.cachedRefs()).toEqual([`127.0.0.1:${server.port}/${GREETING_SERVICE}`]);
  });

  it('bad arguments and descriptors that do not match the remote interface are not retryable', async () => {
    await expect(call('add', 1)).rejects.toMatchObject({ retryable: false, message: expect.stringMatching(/takes 2 argument\(s\), got 1/) });
    await expect(call('add', 1, 2 ** 31)).rejects.toMatchObject({ retryable: false, message: expect.stringMatching(/integer in \[-2147483648, 2147483647\]/) });
    await expect(call('isEven', '4')).rejects.toMatchObject({ retryable: false });
    // not in the map: the default descriptor (Strings in, String out) names no remote method
    const unknown = await call('shout', 'x').catch((e: unknown) => e);
    // the server wraps the UnmarshalException of its dispatcher in a ServerException
    expect(unknown).toMatchObject({ retryable: false, javaClass: 'java.rmi.ServerException' });
    expect((unknown as Error).message).toMatch(/nested exception is: java\.rmi\.UnmarshalException: unrecognized method hash.*does not match the remote interface/);
  });

  it('uses the default descriptor (all-String arguments, String result) for a method that is not configured', async () => {
    const bare = createRmiInvoker();
    try {
      expect(await bare(provider, 'greet', ['default'], options)).toBe('hello default from rmi-a');
      expect(await bare(provider, 'whoami', [], options)).toBe('rmi-a');
    } finally {
      await bare.close();
    }
  });

  it('a dead port is retryable', async () => {
    const dead = rmiProvider(await getFreePort());
    const error = await invoker(dead, 'whoami', [], options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RmiInvocationError);
    expect(error).toMatchObject({ retryable: true, provider: dead.address });
    expect((error as Error).message).toMatch(/ECONNREFUSED|cannot connect/);
  });

  it('an unbound name (the provider lacks the service) is retryable and not cached', async () => {
    const wrong = rmiProvider(server.port, 'com.paddock.demo.NoSuchService');
    const error = await invoker(wrong, 'whoami', [], options).catch((e: unknown) => e);
    expect(error).toMatchObject({ retryable: true, javaClass: 'java.rmi.NotBoundException', javaMessage: 'com.paddock.demo.NoSuchService' });
    expect(invoker.cachedRefs()).not.toContain(`127.0.0.1:${server.port}/com.paddock.demo.NoSuchService`);
  });

  it('a timeout is retryable', async () => {
    const error = await invoker(provider, 'whoami', [], { ...options, timeoutMs: 0 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ retryable: true });
    expect((error as Error).message).toMatch(/timed out|timeout/);
  });

  it('200 sequential calls and 50 concurrent calls all succeed', async () => {
    for (let i = 0; i < 200; i++) expect(await call('add', i, i)).toBe(2 * i);
    // sequential calls reuse a pooled connection (one to the registry address, one to the stub's, if they differ)
    expect(invoker.idleConnections()).toBeGreaterThanOrEqual(1);
    expect(invoker.idleConnections()).toBeLessThanOrEqual(2);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => call('greet', `c${i}`)));
    expect(results).toEqual(Array.from({ length: 50 }, (_, i) => `hello c${i} from rmi-a`));
  });

  it('holds a DGC lease, so the exported object survives a full GC in the server JVM', async () => {
    expect(await call('whoami')).toBe('rmi-a');
    expect(invoker.leases()).toEqual([`127.0.0.1:${server.port}/${GREETING_SERVICE}`]);
    // the fixture keeps no strong reference to its GreetingServer: only the lease pins it (as for Java clients)
    const gc = await runCommand({ name: 'jcmd-gc', command: JCMD, args: [String(server.process.pid), 'GC.run'], timeoutMs: 60_000 });
    expect(gc.code).toBe(0);
    for (let i = 0; i < 20; i++) expect(await call('add', i, 1)).toBe(i + 1);
  });

  it('agrees with a real Java RMI client (java.rmi.Naming.lookup of the provider URL)', async () => {
    const url = `rmi://127.0.0.1:${server.port}/${GREETING_SERVICE}`;
    expect(await callWithJavaClient(url, 'greet', 'java')).toBe(await call('greet', 'java'));
    expect(await callWithJavaClient(url, 'add', '19', '23')).toBe(String(await call('add', 19, 23)));
  });
});

describe('ServiceConsumer over Paddock with rmi:// providers', () => {
  const target = usePlatformTarget(startPaddock);
  const servers: RmiServerProcess[] = [];

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.process.kill()));
  });

  it('dispatches by protocol and keeps calling with zero failures through kill -9 of one Java provider', async () => {
    servers.push(...(await Promise.all([spawnRmiServer('rmi-1'), spawnRmiServer('rmi-2')])));
    const f = await target.framework();
    const registrations = new Map<string, ProviderRegistration>();
    for (const server of servers) {
      // what Dubbo's RMI protocol registers: rmi://host:port/{interface}?...
      const registration = new ProviderRegistration(f, {
        service: GREETING_SERVICE,
        application: 'greeting-rmi',
        protocol: 'rmi',
        host: '127.0.0.1',
        port: server.port,
        methods: Object.keys(GREETING_METHODS),
      });
      await registration.start();
      target.closers.push(() => registration.close());
      registrations.set(server.instance, registration);
    }
    // an HTTP provider of the same service next to them: each provider gets its protocol's invoker
    const http = await startHttpProvider(f, { service: GREETING_SERVICE, application: 'greeting-http', handlers: { whoami: () => 'http-1', greet: (name) => `hello ${String(name)} from http-1` } });
    target.closers.push(() => http.close());

    const invoker = createRmiInvoker({ methods: GREETING_METHODS });
    target.closers.push(() => invoker.close());
    const consumer = new ServiceConsumer(f, {
      service: GREETING_SERVICE,
      application: 'greeting-consumer',
      loadBalance: 'roundrobin',
      timeoutMs: 5_000,
      invoker: httpInvoker,
      protocolInvokers: { rmi: invoker },
    });
    target.closers.push(() => consumer.close());
    await consumer.start();
    await until('three providers', () => consumer.instances.length === 3);
    expect(consumer.instances.map((p) => p.effective.protocol).sort()).toEqual(['http', 'rmi', 'rmi']);

    const seen = new Set<string>();
    for (let i = 0; i < 9; i++) seen.add(await consumer.call<string>('whoami'));
    expect(seen).toEqual(new Set(['rmi-1', 'rmi-2', 'http-1']));
    // a business exception from a Java provider is not failed over
    const business = consumer.instances.filter((p) => p.effective.protocol === 'rmi');
    expect(business).toHaveLength(2);
    await expect(invoker(business[0]!, 'fail', ['nope'], { timeoutMs: 5_000, service: GREETING_SERVICE })).rejects.toMatchObject({ retryable: false });

    let ok = 0;
    const failures: unknown[] = [];
    const answeredBy = new Map<string, number>();
    let stop = false;
    const loop = (async () => {
      while (!stop) {
        try {
          const who = await consumer.call<string>('whoami');
          answeredBy.set(who, (answeredBy.get(who) ?? 0) + 1);
          ok++;
        } catch (error) {
          failures.push(error);
        }
        await sleep(2);
      }
    })();
    await until('calls before the kill', () => ok > 30, 30_000);
    const victim = servers[0]!;
    await victim.process.kill(); // SIGKILL: its registry node stays until someone removes it
    const okAtKill = ok;
    await until('calls after the kill', () => ok > okAtKill + 100, 60_000);
    // the registry catches up (here: the registration is withdrawn, as a session expiry would)
    await registrations.get(victim.instance)!.close();
    await until('the consumer to drop the dead provider', () => consumer.instances.length === 2, 10_000);
    const okAtRemoval = ok;
    await until('calls after the removal', () => ok > okAtRemoval + 30, 30_000);
    stop = true;
    await loop;

    expect(failures).toEqual([]);
    expect(answeredBy.get('rmi-2')).toBeGreaterThan(10);
    expect(answeredBy.get('http-1')).toBeGreaterThan(10);
    expect(consumer.instances.map((p) => p.address).sort()).toEqual([`127.0.0.1:${servers[1]!.port}`, `127.0.0.1:${http.port}`].sort());
  });
});
