/**
 * RMI providers in the Dubbo registry, against a started Paddock and a started Apache ZooKeeper 3.8: real Java RMI
 * servers (javac-compiled fixtures) registered by `paddock provider` — supervising the JVM, or beside one started
 * some other way — and called by a real Java RMI client through the URL read back from the registry.
 */
import net from 'node:net';
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { RegistryService, type RegistryNode } from '@paddock/platform';
import { PADDOCK_BIN, REPO_ROOT } from '../support/paddock.js';
import { getFreePort } from '../support/ports.js';
import { spawnManaged, type ExitInfo, type ManagedProcess } from '../support/processes.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { TARGETS } from '../sdk/targets.js';
import { GREETING_SERVICE, JAVA, callWithJavaClient, rmiClasses, spawnRmiServer, type RmiServerProcess } from './java-rmi.js';
import { unique, until, usePlatformTarget } from './platform-support.js';

jest.setTimeout(120_000);

/** The address a Java RMI client looks a Dubbo rmi:// provider URL up by (Dubbo's RmiProtocol does the same). */
function lookupUrl(node: RegistryNode): string {
  return `rmi://${node.url.host}:${node.url.port}/${node.url.path}`;
}

describe.each(TARGETS)('RMI providers against %s', (_kind, start) => {
  const target = usePlatformTarget(start);
  const processes: ManagedProcess[] = [];
  const proxies: TcpProxy[] = [];

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.kill()));
    await Promise.all(proxies.splice(0).map((p) => p.stop()));
  });

  function paddockProvider(name: string, args: readonly string[]): ManagedProcess {
    const proc = spawnManaged({ name: `paddock-provider-${name}`, command: PADDOCK_BIN, args: ['provider', ...args], cwd: REPO_ROOT, env: { NODE_OPTIONS: undefined } });
    processes.push(proc);
    return proc;
  }

  /** The exit of a process, failing after timeoutMs. */
  function exitOf(proc: ManagedProcess, timeoutMs: number): Promise<ExitInfo> {
    return Promise.race([proc.exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${proc.name} still running after ${timeoutMs} ms:\n${proc.output()}`)), timeoutMs).unref())]);
  }

  /** SIGTERM to the paddock process only (its group also holds the JVM it supervises). */
  function terminate(proc: ManagedProcess): void {
    process.kill(proc.pid, 'SIGTERM');
  }

  it('`paddock provider -- java ...` registers a Java RMI provider once it serves; Java clients call the registered URL; kill -9 unregisters at once', async () => {
    const classes = await rmiClasses();
    const registry = new RegistryService(await target.framework());
    const service = GREETING_SERVICE;
    const bindName = service;
    const group = unique('g');
    const started: Array<{ instance: string; port: number; proc: ManagedProcess }> = [];
    for (const instance of ['rmi-a', 'rmi-b']) {
      const port = await getFreePort();
      const proc = paddockProvider(instance, [
        '--connect', target.server.connectString,
        '--service', service,
        '--port', String(port),
        '--group', group,
        '--methods', 'greet,whoami,add',
        '--probe-interval', '500',
        '--',
        JAVA, '-cp', classes, 'com.paddock.demo.GreetingServer', String(port), bindName, instance,
      ]);
      started.push({ instance, port, proc });
    }
    for (const s of started) await s.proc.waitForOutput(/paddock provider: registered \/dubbo\//, { timeoutMs: 60_000 });

    // Dubbo's layout: rmi:// URLs, ephemeral, with the JVM's pid and the interface's methods
    const nodes = (await registry.listProviders(service)).filter((n) => n.url.param('group') === group);
    expect(nodes).toHaveLength(2);
    for (const n of nodes) {
      expect(n.path.startsWith(`/dubbo/${service}/providers/rmi%3A%2F%2F127.0.0.1%3A`)).toBe(true);
      expect(n.url.protocol).toBe('rmi');
      expect(n.url.param('side')).toBe('provider');
      expect(n.url.param('interface')).toBe(service);
      expect(n.url.param('methods')).toBe('add,greet,whoami');
      expect(n.ephemeralOwner).not.toBe(0n);
      expect(Number(n.url.param('pid'))).toBeGreaterThan(0);
    }
    // each registered URL is a live RMI service: a real Java client (java.rmi.Naming) calls it
    const answers = new Set<string>();
    for (const n of nodes) answers.add(await callWithJavaClient(lookupUrl(n), 'whoami'));
    expect(answers).toEqual(new Set(['rmi-a', 'rmi-b']));
    expect(await callWithJavaClient(lookupUrl(nodes[0]!), 'add', '20', '22')).toBe('42');

    // kill -9 the JVM of rmi-a: unregistered at once (not after a session timeout), the supervisor exits 137
    const victim = started[0]!;
    const victimNode = nodes.find((n) => n.url.port === victim.port)!;
    const javaPid = Number(victimNode.url.param('pid'));
    process.kill(javaPid, 'SIGKILL');
    const killedAt = Date.now();
    await until('rmi-a unregistered', async () => (await registry.listProviders(service)).every((n) => n.url.port !== victim.port), 5_000);
    const unregisteredAfter = Date.now() - killedAt;
    expect((await exitOf(victim.proc, 10_000)).code).toBe(137);
    const left = (await registry.listProviders(service)).filter((n) => n.url.param('group') === group);
    expect(left.map((n) => n.url.port)).toEqual([started[1]!.port]);
    expect(await callWithJavaClient(lookupUrl(left[0]!), 'greet', 'dubbo')).toBe('hello dubbo from rmi-b');
    expect(unregisteredAfter).toBeLessThan(5_000);

    // SIGTERM: unregister first, then stop the JVM; exit 0
    terminate(started[1]!.proc);
    expect((await exitOf(started[1]!.proc, 20_000)).code).toBe(0);
    expect((await registry.listProviders(service)).filter((n) => n.url.param('group') === group)).toHaveLength(0);
  });

  it('beside an RMI server: registered once it answers JRMP, unregistered while it hangs, back when it recovers and after a session loss', async () => {
    const registry = new RegistryService(await target.framework());
    const group = unique('g');
    const port = await getFreePort();
    // the provider's ZooKeeper connection goes through a proxy, to cut it for longer than the session timeout
    const proxy = await new TcpProxy(target.server.host, target.server.port, { record: false }).start();
    proxies.push(proxy);
    const sidecar = paddockProvider('sidecar', [
      '--connect', proxy.connectString,
      '--service', GREETING_SERVICE,
      '--port', String(port),
      '--group', group,
      '--probe-interval', '300',
      '--failure-threshold', '2',
      '--session-timeout', '4000',
    ]);
    const ours = async () => (await registry.listProviders(GREETING_SERVICE)).filter((n) => n.url.param('group') === group);

    // nothing listens yet: not registered; then a plain TCP listener that is not RMI: still not registered
    const impostor = net.createServer((s) => {
      s.on('error', () => undefined);
      s.resume(); // read the probe's bytes, so its close is seen and impostor.close() can finish
      s.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    });
    await new Promise<void>((resolve) => impostor.listen(port, '127.0.0.1', resolve));
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await ours()).toHaveLength(0);
    await new Promise<void>((resolve) => impostor.close(() => resolve()));

    const rmi: RmiServerProcess = await spawnRmiServer('side', { port });
    processes.push(rmi.process);
    await sidecar.waitForOutput(/paddock provider: registered \/dubbo\//, { timeoutMs: 30_000 });
    const [first] = await ours();
    expect(first).toBeDefined();
    expect(await callWithJavaClient(lookupUrl(first!), 'whoami')).toBe('side');

    // a hung JVM (SIGSTOP) answers no handshake: unregistered after two failed probes, though the session lives on
    rmi.process.signal('SIGSTOP');
    await until('unregistered while hung', async () => (await ours()).length === 0, 15_000);
    rmi.process.signal('SIGCONT');
    await until('registered again', async () => (await ours()).length === 1, 15_000);
    expect((await ours())[0]!.id).toBe(first!.id); // the same URL (same timestamp), not a new provider

    // session loss: cut the route for longer than the session timeout; a new session re-registers the provider
    const ownerBefore = (await ours())[0]!.ephemeralOwner;
    proxy.block();
    await until('gone with the expired session', async () => (await ours()).length === 0, 20_000);
    proxy.unblock();
    await until('re-registered under a new session', async () => {
      const now = await ours();
      return now.length === 1 && now[0]!.ephemeralOwner !== ownerBefore;
    }, 30_000);
    expect(await callWithJavaClient(lookupUrl((await ours())[0]!), 'greet', 'again')).toBe('hello again from side');

    terminate(sidecar);
    expect((await exitOf(sidecar, 20_000)).code).toBe(0);
    expect(await ours()).toHaveLength(0);
  });

  it('bad command lines are refused with a clear message (exit 2); an endpoint that never answers fails the start (exit 1)', async () => {
    const noService = paddockProvider('usage', ['--connect', target.server.connectString, '--port', '1099']);
    const usage = await exitOf(noService, 20_000);
    expect(usage.code).toBe(2);
    expect(noService.output()).toContain('--service is required');

    const port = await getFreePort();
    const never = paddockProvider('never', [
      '--connect', target.server.connectString,
      '--service', GREETING_SERVICE,
      '--port', String(port),
      '--start-timeout', '1500',
    ]);
    expect((await exitOf(never, 30_000)).code).toBe(1);
    expect(never.output()).toMatch(/did not answer its jrmp probe within 1500 ms/);
  });
});
