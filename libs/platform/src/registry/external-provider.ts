/**
 * Registers a provider that another process serves — a Java RMI service (Dubbo's `rmi://` protocol), or any HTTP/TCP
 * endpoint — the way Nacos' and Consul's sidecars do: the URL is registered once the endpoint answers its protocol's
 * probe (so consumers never see a half-started JVM), it is unregistered after `failureThreshold` probes fail in a row
 * (a hung or killed process stops receiving traffic even while this process' session lives on), and registered again
 * when the endpoint recovers. While registered, the node is a ProviderRegistration: re-created after a session loss.
 *
 * `superviseProvider` also owns the provider process: it starts the command, registers it when it serves, and on its
 * exit unregisters at once and reports the exit status; on close it unregisters first and then stops the process
 * (consumers move away before the provider goes).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { toFramework, type ClientLike, type Framework } from '@paddock/recipes';
import { ProviderRegistration, providerUrl, type ProviderOptions } from './provider.js';
import { probeJrmp } from './rmi/jrmp-transport.js';
import type { DubboUrl } from './url.js';

/** How an endpoint is checked: the protocol's handshake (`jrmp`), an HTTP GET answering 2xx, or a TCP connect. */
export type EndpointProbe = { kind: 'jrmp' } | { kind: 'http'; path: string } | { kind: 'tcp' };

export interface ExternalProviderOptions extends ProviderOptions {
  /** Default: `jrmp` for `rmi`, `http` GET /health for `http`, else `tcp`. */
  probe?: EndpointProbe;
  /** Between probes once started (default 2000 ms). */
  probeIntervalMs?: number;
  /** One probe's deadline (default 2000 ms). */
  probeTimeoutMs?: number;
  /** Failed probes in a row before the provider is unregistered (default 2). */
  failureThreshold?: number;
  /** How long start() waits for the first successful probe (default 60 s). */
  startTimeoutMs?: number;
  /**
   * How long an unregister may wait for the store (default 5 s). Past it the provider goes on stopping: the node is
   * ephemeral and goes with the session, so an unreachable store must not hold up a shutdown.
   */
  unregisterTimeoutMs?: number;
}

export function defaultProbe(protocol: string): EndpointProbe {
  if (protocol === 'rmi') return { kind: 'jrmp' };
  if (protocol === 'http') return { kind: 'http', path: '/health' };
  return { kind: 'tcp' };
}

export function probeEndpoint(probe: EndpointProbe, host: string, port: number, timeoutMs: number): Promise<void> {
  switch (probe.kind) {
    case 'jrmp':
      return probeJrmp(host, port, timeoutMs);
    case 'http':
      return probeHttp(host, port, probe.path, timeoutMs);
    case 'tcp':
      return probeTcp(host, port, timeoutMs);
  }
}

function probeHttp(host: string, port: number, path: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path, timeout: timeoutMs }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) resolve();
      else reject(new Error(`GET http://${host}:${port}${path} answered ${status}`));
    });
    req.once('timeout', () => req.destroy(new Error(`GET http://${host}:${port}${path}: no answer within ${timeoutMs} ms`)));
    req.once('error', reject);
  });
}

function probeTcp(host: string, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => socket.destroy(new Error(`cannot connect to ${host}:${port} within ${timeoutMs} ms`)));
    socket.once('error', reject);
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export type ExternalProviderEvents = {
  /** The URL is registered (first time and after each recovery). */
  up: [path: string];
  /** The endpoint failed `failureThreshold` probes in a row: unregistered. */
  down: [reason: string];
  error: [error: unknown];
};

export class ExternalProvider extends EventEmitter<ExternalProviderEvents> {
  readonly url: DubboUrl;
  private readonly framework: Framework;
  private readonly probe: EndpointProbe;
  private registration: ProviderRegistration | undefined;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private checking: Promise<void> = Promise.resolve();

  constructor(
    client: ClientLike,
    private readonly options: ExternalProviderOptions,
  ) {
    super();
    this.framework = toFramework(client);
    // one timestamp for every registration of this provider: the URL (node name) stays the same across recoveries
    this.options = { ...options, timestamp: options.timestamp ?? Date.now() };
    this.url = providerUrl(this.options);
    this.probe = options.probe ?? defaultProbe(this.url.protocol);
  }

  get registered(): boolean {
    return this.registration !== undefined;
  }

  /** The registered node's path (undefined while unregistered). */
  get path(): string | undefined {
    return this.registration?.path;
  }

  /** Waits until the endpoint answers its probe, registers it, then keeps probing. */
  async start(): Promise<void> {
    const deadline = Date.now() + (this.options.startTimeoutMs ?? 60_000);
    let lastError: unknown;
    for (;;) {
      if (this.closed) throw new Error('provider closed before it started');
      try {
        await this.probeOnce();
        break;
      } catch (error) {
        lastError = error;
      }
      if (Date.now() >= deadline) {
        throw new Error(`${this.endpoint()} did not answer its ${this.probe.kind} probe within ${this.options.startTimeoutMs ?? 60_000} ms: ${messageOf(lastError)}`);
      }
      await sleep(Math.min(250, Math.max(0, deadline - Date.now())));
    }
    await this.register();
    this.schedule();
  }

  /** Unregisters now (the endpoint is going away) and stops probing. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.checking;
    await this.unregister();
  }

  /** Unregisters at once without waiting for failed probes (e.g. the supervised process exited). */
  async markDown(reason: string): Promise<void> {
    this.failures = this.options.failureThreshold ?? 2;
    if (!this.registration) return;
    await this.unregister();
    this.emit('down', reason);
  }

  private endpoint(): string {
    return `${this.url.protocol}://${this.url.host}:${this.url.port}`;
  }

  private probeOnce(): Promise<void> {
    return probeEndpoint(this.probe, this.url.host, this.url.port, this.options.probeTimeoutMs ?? 2_000);
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      this.checking = this.check().finally(() => this.schedule());
    }, this.options.probeIntervalMs ?? 2_000);
    this.timer.unref?.();
  }

  private async check(): Promise<void> {
    try {
      await this.probeOnce();
      this.failures = 0;
      if (!this.registration && !this.closed) await this.register();
    } catch (error) {
      this.failures++;
      if (this.registration && this.failures >= (this.options.failureThreshold ?? 2)) {
        await this.unregister();
        this.emit('down', messageOf(error));
      }
    }
  }

  private async register(): Promise<void> {
    const registration = new ProviderRegistration(this.framework, this.options);
    registration.on('error', (e) => this.listenerCount('error') > 0 && this.emit('error', e));
    try {
      await registration.start();
    } catch (error) {
      await registration.close().catch(() => undefined);
      if (this.listenerCount('error') > 0) this.emit('error', error);
      return;
    }
    this.registration = registration;
    this.emit('up', registration.path);
  }

  private async unregister(): Promise<void> {
    const registration = this.registration;
    this.registration = undefined;
    if (!registration) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.options.unregisterTimeoutMs ?? 5_000)));
    await Promise.race([registration.close().catch(() => undefined), timeout]);
    clearTimeout(timer);
  }
}

export interface SupervisedProviderOptions extends ExternalProviderOptions {
  /** The provider process, e.g. `['java', '-cp', 'app.jar', 'com.foo.Main']`. */
  command: readonly string[];
  /** Extra environment for the process. */
  env?: Record<string, string>;
  /** Where the process' output goes (default: this process' stdout/stderr). */
  stdio?: 'inherit' | 'ignore';
  /** After close() sends SIGTERM, how long before SIGKILL (default 10 s). */
  stopTimeoutMs?: number;
}

export interface SupervisedProvider {
  readonly provider: ExternalProvider;
  readonly child: ChildProcess;
  /** Resolves with the process' exit code (128 + signal number when it was killed by a signal). */
  readonly exited: Promise<number>;
  /** Unregisters, then stops the process (SIGTERM, SIGKILL after stopTimeoutMs). */
  close(): Promise<number>;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/** Starts the provider process and registers it once it serves; see the file comment. */
export async function superviseProvider(client: ClientLike, options: SupervisedProviderOptions): Promise<SupervisedProvider> {
  const [command, ...args] = options.command;
  if (!command) throw new Error('superviseProvider: an empty command');
  const child = spawn(command, args, { stdio: ['ignore', options.stdio ?? 'inherit', options.stdio ?? 'inherit'], env: { ...process.env, ...options.env } });
  // the URL's pid is the provider process', as a JVM registering itself would write it
  const provider = new ExternalProvider(client, { ...options, parameters: { ...(child.pid ? { pid: String(child.pid) } : {}), ...options.parameters } });
  let exitedEarly = false;
  const exited = new Promise<number>((resolve) => {
    child.once('error', (error) => {
      exitedEarly = true;
      void provider.markDown(`cannot start ${command}: ${error.message}`).finally(() => resolve(127));
    });
    child.once('exit', (code, signal) => {
      exitedEarly = true;
      const status = code ?? 128 + (signal ? (SIGNAL_NUMBERS[signal] ?? 1) : 1);
      void provider.markDown(`process exited (${signal ?? code})`).finally(() => resolve(status));
    });
  });
  const starting = provider.start();
  starting.catch(() => undefined); // the race below reports it
  // a process that dies while starting fails start() at once instead of after startTimeoutMs
  const failed = await Promise.race([starting.then(() => false), exited.then(() => true)]).catch(async (error: unknown) => {
    child.kill('SIGKILL');
    await provider.close();
    throw error;
  });
  if (failed || exitedEarly) {
    await provider.close();
    const code = await exited;
    throw new Error(`provider process ${command} exited with status ${code} before it served`);
  }
  return {
    provider,
    child,
    exited,
    async close() {
      await provider.close();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), options.stopTimeoutMs ?? 10_000);
        try {
          return await exited;
        } finally {
          clearTimeout(timer);
        }
      }
      return exited;
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
