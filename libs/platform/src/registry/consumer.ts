/**
 * Consumer SDK: subscribes to a service's `providers`, `configurators` and `routers` (re-armed watches),
 * applies empty-push protection to the provider list, overrides (disable, weight, ...) and condition routes,
 * load-balances, and fails over:
 *
 * - `call(method, args)` picks a provider (disabled ones and ones that failed in the last `failurePenaltyMs`
 *   are skipped while others are left), invokes it, and on a non-business failure (connection refused/reset,
 *   timeout, HTTP 5xx without `business`) retries on another provider, up to `retries` more attempts
 *   (Dubbo's failover cluster, default 2 retries);
 * - the consumer registers itself as an ephemeral `consumer://` node under `consumers` (like Dubbo);
 * - events: `providers` (the applied list changed), `protected` (a push was refused: the report keeps the
 *   last good list), `error`.
 */
import { EventEmitter } from 'node:events';
import http from 'node:http';
import { PersistentEphemeralNode, toFramework, type ClientLike, type Framework } from '@paddock/recipes';
import { EmptyPushGuard, type EmptyPushOptions, type ProtectionReport } from './empty-push.js';
import { applyRoutes, buildInstances, routeFromUrl, type ConsumerInfo, type ProviderInstance, type Route } from './governance.js';
import { createLoadBalancer, type ConsistentHashOptions, type LoadBalanceName, type LoadBalancer } from './load-balance.js';
import { DEFAULT_DUBBO_ROOT, DubboUrl, categoryDir, tryParseNodeName, urlPath } from './url.js';
import { ChildrenWatch } from '../watch.js';

export interface InvokeOptions {
  timeoutMs: number;
  service: string;
}

/** Calls one provider; throw an {@link InvocationError} (or any error: treated as retryable). */
export type Invoker = (provider: ProviderInstance, method: string, args: readonly unknown[], options: InvokeOptions) => Promise<unknown>;

export class InvocationError extends Error {
  constructor(
    message: string,
    /** Whether another provider may be tried. */
    readonly retryable: boolean,
    readonly provider?: string,
  ) {
    super(message);
    this.name = 'InvocationError';
  }
}

export class NoProviderError extends Error {
  constructor(service: string, method: string, detail: string) {
    super(`no provider available for ${service}.${method} (${detail})`);
    this.name = 'NoProviderError';
  }
}

/** The HTTP invoker matching startHttpProvider (`POST http://host:port/{service}/{method}`). */
export const httpInvoker: Invoker = (provider, method, args, { timeoutMs, service }) =>
  new Promise((resolve, reject) => {
    const body = JSON.stringify({ args });
    const u = provider.effective;
    const req = http.request(
      {
        host: u.host,
        port: u.port,
        method: 'POST',
        path: `/${service}/${encodeURIComponent(method)}`,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        agent: false,
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => reject(new InvocationError(e.message, true, provider.address)));
        res.on('end', () => {
          let parsed: { result?: unknown; error?: string; business?: boolean } = {};
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof parsed;
          } catch {
            return reject(new InvocationError(`bad response from ${provider.address} (HTTP ${res.statusCode})`, true, provider.address));
          }
          if (res.statusCode === 200) return resolve(parsed.result);
          reject(new InvocationError(parsed.error ?? `HTTP ${res.statusCode}`, !parsed.business && (res.statusCode ?? 500) >= 500, provider.address));
        });
      },
    );
    req.on('timeout', () => req.destroy(new InvocationError(`timeout after ${timeoutMs} ms calling ${provider.address}`, true, provider.address)));
    req.on('error', (e) => reject(e instanceof InvocationError ? e : new InvocationError(`${provider.address}: ${e.message}`, true, provider.address)));
    req.end(body);
  });

export interface ConsumerOptions {
  service: string;
  application: string;
  /** The consumer's host (for routes and its registry node). Default 127.0.0.1. */
  host?: string;
  loadBalance?: LoadBalanceName;
  consistentHash?: ConsistentHashOptions;
  /** Extra attempts on other providers after a retryable failure. Default 2. */
  retries?: number;
  timeoutMs?: number;
  /** How long a provider that failed with a retryable error is avoided. Default 2000 ms. */
  failurePenaltyMs?: number;
  emptyPush?: EmptyPushOptions;
  invoker?: Invoker;
  /** Invokers by provider protocol (`provider.effective.protocol`), e.g. `{ rmi: createRmiInvoker({ methods }) }`; other protocols use `invoker`. */
  protocolInvokers?: Readonly<Record<string, Invoker>>;
  /** Register a consumer node. Default true. */
  register?: boolean;
  /** Extra consumer params (route matching). */
  parameters?: Record<string, string>;
  root?: string;
  random?: () => number;
}

export type ServiceConsumerEvents = {
  providers: [providers: readonly ProviderInstance[]];
  protected: [report: ProtectionReport<string>];
  error: [error: unknown];
};

export interface ConsumerStatus {
  /** Provider node names from the last push that was applied. */
  applied: readonly string[];
  protection: ProtectionReport<string> | undefined;
  instances: readonly ProviderInstance[];
  routes: readonly Route[];
}

export class ServiceConsumer extends EventEmitter<ServiceConsumerEvents> {
  readonly service: string;
  private readonly framework: Framework;
  private readonly options: ConsumerOptions;
  private readonly consumer: ConsumerInfo;
  private readonly balancer: LoadBalancer;
  private readonly guard: EmptyPushGuard<string>;
  private readonly invoker: Invoker;
  private readonly root: string;
  private readonly watches: ChildrenWatch[] = [];
  private readonly active = new Map<string, number>();
  private readonly penalty = new Map<string, number>();
  private providerIds: readonly string[] = [];
  private overrides: DubboUrl[] = [];
  private routes: Route[] = [];
  private _instances: ProviderInstance[] = [];
  private registration: PersistentEphemeralNode | undefined;
  private tickTimer: NodeJS.Timeout | undefined;

  constructor(client: ClientLike, options: ConsumerOptions) {
    super();
    this.framework = toFramework(client);
    this.options = options;
    this.service = options.service;
    this.root = options.root ?? DEFAULT_DUBBO_ROOT;
    this.consumer = { application: options.application, host: options.host ?? '127.0.0.1', parameters: options.parameters ?? {} };
    this.balancer = createLoadBalancer(options.loadBalance ?? 'random', options.consistentHash);
    this.guard = new EmptyPushGuard<string>((id) => id, options.emptyPush);
    this.invoker = options.invoker ?? httpInvoker;
  }

  async start(): Promise<void> {
    const dir = (c: 'providers' | 'configurators' | 'routers') => categoryDir(this.service, c, this.root);
    const onError = (e: unknown) => this.listenerCount('error') > 0 && this.emit('error', e);
    const providers = new ChildrenWatch(this.framework, dir('providers'), (ids) => this.onProviders(ids), onError);
    const configurators = new ChildrenWatch(
      this.framework,
      dir('configurators'),
      (ids) => {
        this.overrides = ids.map((id) => tryParseNodeName(id)).filter((u): u is DubboUrl => u !== undefined && u.protocol === 'override');
        this.rebuild();
      },
      onError,
    );
    const routers = new ChildrenWatch(
      this.framework,
      dir('routers'),
      (ids) => {
        this.routes = ids.map((id) => {
          const url = tryParseNodeName(id);
          return url ? routeFromUrl(id, url) : undefined;
        }).filter((r): r is Route => r !== undefined);
        this.rebuild();
      },
      onError,
    );
    this.watches.push(configurators, routers, providers);
    await Promise.all([configurators.start(), routers.start()]);
    await providers.start();
    if (this.options.emptyPush?.acceptShrinkAfterMs !== undefined) {
      this.tickTimer = setInterval(() => {
        if (this.guard.protection && this.guard.tick().applied) this.afterApply();
      }, Math.max(100, Math.min(1000, this.options.emptyPush.acceptShrinkAfterMs / 4)));
      this.tickTimer.unref();
    }
    if (this.options.register ?? true) {
      const url = new DubboUrl({
        protocol: 'consumer',
        host: this.consumer.host,
        path: this.service,
        parameters: {
          application: this.consumer.application,
          category: 'consumers',
          check: 'false',
          dubbo: '2.0.2',
          interface: this.service,
          pid: String(process.pid),
          side: 'consumer',
          timestamp: String(Date.now()),
          ...this.options.parameters,
        },
      });
      this.registration = new PersistentEphemeralNode(this.framework, urlPath(url, 'consumers', this.root), this.consumer.host);
      await this.registration.start();
    }
  }

  async close(): Promise<void> {
    clearInterval(this.tickTimer);
    for (const w of this.watches.splice(0)) w.close();
    await this.registration?.close().catch(() => undefined);
  }

  private onProviders(ids: string[]): void {
    const result = this.guard.offer(ids);
    if (!result.applied && result.protection) this.emit('protected', result.protection);
    if (result.applied) this.afterApply();
  }

  private afterApply(): void {
    this.providerIds = this.guard.current;
    this.rebuild();
  }

  private rebuild(): void {
    this._instances = buildInstances(this.providerIds, this.overrides, this.consumer);
    this.emit('providers', this._instances);
  }

  /** The applied provider instances (overrides applied, disabled ones included and flagged). */
  get instances(): readonly ProviderInstance[] {
    return this._instances;
  }

  status(): ConsumerStatus {
    return { applied: this.providerIds, protection: this.guard.protection, instances: this._instances, routes: this.routes };
  }

  /** Applies a refused shrink/empty list (operator confirmation). */
  acceptPendingProviders(): void {
    if (this.guard.acceptPending().applied) this.afterApply();
  }

  /** The providers a call of `method` may go to (enabled, routed). */
  candidates(method: string): readonly ProviderInstance[] {
    const enabled = this._instances.filter((p) => !p.disabled);
    return applyRoutes(enabled, this.routes, { consumer: this.consumer, method });
  }

  /** Calls `method` with failover. */
  async call<T = unknown>(method: string, args: readonly unknown[] = [], options: { timeoutMs?: number; retries?: number } = {}): Promise<T> {
    const retries = options.retries ?? this.options.retries ?? 2;
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs ?? 3_000;
    const tried = new Set<string>();
    let lastError: unknown;
    for (let attempt = 0; attempt <= retries; attempt++) {
      const all = this.candidates(method);
      if (all.length === 0) throw new NoProviderError(this.service, method, this._instances.length === 0 ? 'none registered' : 'all disabled or routed away');
      const now = Date.now();
      let pool: readonly ProviderInstance[] = all.filter((p) => !tried.has(p.id));
      if (pool.length === 0) pool = all; // every one tried: try again anyway
      const healthy = pool.filter((p) => (this.penalty.get(p.id) ?? 0) <= now);
      if (healthy.length > 0) pool = healthy;
      const provider = this.balancer.select(pool, {
        method,
        args,
        active: (id) => this.active.get(id) ?? 0,
        ...(this.options.random ? { random: this.options.random } : {}),
      });
      if (!provider) break;
      tried.add(provider.id);
      this.active.set(provider.id, (this.active.get(provider.id) ?? 0) + 1);
      try {
        const invoke = this.options.protocolInvokers?.[provider.effective.protocol] ?? this.invoker;
        return (await invoke(provider, method, args, { timeoutMs, service: this.service })) as T;
      } catch (error) {
        lastError = error;
        const retryable = !(error instanceof InvocationError) || error.retryable;
        if (!retryable) throw error;
        this.penalty.set(provider.id, Date.now() + (this.options.failurePenaltyMs ?? 2_000));
      } finally {
        const n = (this.active.get(provider.id) ?? 1) - 1;
        if (n <= 0) this.active.delete(provider.id);
        else this.active.set(provider.id, n);
      }
    }
    throw lastError instanceof Error ? lastError : new NoProviderError(this.service, method, 'no provider selected');
  }
}
