/**
 * Service discovery (Curator x-discovery): instances are ephemeral JSON nodes `<basePath>/<name>/<id>` (kept
 * registered while the discovery runs, re-registered after a session loss), queried directly or through a
 * ServiceCache (a PathChildrenCache of one service) and a ServiceProvider with a selection strategy
 * (random, round-robin, sticky) and a down-instance policy.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { NoNodeError } from '@paddock/client';
import { toFramework, type ClientLike, type Framework } from './framework.js';
import { PathChildrenCache } from './path-children-cache.js';
import { PersistentEphemeralNode } from './persistent-node.js';
import { joinPath } from './utils.js';

export type ServiceType = 'DYNAMIC' | 'STATIC' | 'PERMANENT';

/** Curator's ServiceInstance JSON shape. */
export interface ServiceInstance<T = unknown> {
  name: string;
  id: string;
  address: string | null;
  port: number | null;
  sslPort: number | null;
  payload: T | null;
  registrationTimeUTC: number;
  serviceType: ServiceType;
  uriSpec: string | null;
}

export function newServiceInstance<T = unknown>(
  init: Partial<ServiceInstance<T>> & { name: string },
): ServiceInstance<T> {
  return {
    id: init.id ?? randomUUID(),
    address: init.address ?? null,
    port: init.port ?? null,
    sslPort: init.sslPort ?? null,
    payload: init.payload ?? null,
    registrationTimeUTC: init.registrationTimeUTC ?? Date.now(),
    serviceType: init.serviceType ?? 'DYNAMIC',
    uriSpec: init.uriSpec ?? null,
    name: init.name,
  };
}

export function serializeInstance(instance: ServiceInstance<unknown>): Buffer {
  return Buffer.from(JSON.stringify(instance), 'utf8');
}

export function deserializeInstance<T>(bytes: Buffer): ServiceInstance<T> | undefined {
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as ServiceInstance<T>;
    return typeof parsed?.name === 'string' && typeof parsed.id === 'string' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export interface ServiceDiscoveryOptions<T> {
  /** Default "/services". */
  basePath?: string;
  /** Registered on start(). */
  thisInstance?: ServiceInstance<T>;
}

export class ServiceDiscovery<T = unknown> {
  readonly framework: Framework;
  readonly basePath: string;
  private readonly registered = new Map<string, PersistentEphemeralNode>();
  private readonly caches = new Set<ServiceCache<T>>();
  private readonly thisInstance: ServiceInstance<T> | undefined;

  constructor(client: ClientLike, options: ServiceDiscoveryOptions<T> = {}) {
    this.framework = toFramework(client);
    this.basePath = options.basePath ?? '/services';
    this.thisInstance = options.thisInstance;
  }

  async start(): Promise<void> {
    if (this.thisInstance) await this.registerService(this.thisInstance);
  }

  async close(): Promise<void> {
    for (const cache of [...this.caches]) await cache.close();
    for (const node of [...this.registered.values()]) await node.close().catch(() => undefined);
    this.registered.clear();
  }

  pathFor(name: string, id?: string): string {
    const base = joinPath(this.basePath, name);
    return id === undefined ? base : joinPath(base, id);
  }

  /** Registers (or re-registers) an instance as an ephemeral node that survives session loss while we run. */
  async registerService(instance: ServiceInstance<T>): Promise<void> {
    const key = `${instance.name}/${instance.id}`;
    const existing = this.registered.get(key);
    if (existing) {
      await existing.setData(serializeInstance(instance));
      return;
    }
    const node = new PersistentEphemeralNode(this.framework, this.pathFor(instance.name, instance.id), serializeInstance(instance));
    this.registered.set(key, node);
    await node.start();
  }

  async updateService(instance: ServiceInstance<T>): Promise<void> {
    const node = this.registered.get(`${instance.name}/${instance.id}`);
    if (!node) throw new Error(`service ${instance.name}/${instance.id} is not registered here`);
    await node.setData(serializeInstance(instance));
  }

  async unregisterService(instance: Pick<ServiceInstance<T>, 'name' | 'id'>): Promise<void> {
    const key = `${instance.name}/${instance.id}`;
    const node = this.registered.get(key);
    this.registered.delete(key);
    await node?.close();
  }

  async queryForNames(): Promise<string[]> {
    try {
      return (await this.framework.run((c) => c.getChildren(this.basePath))).sort();
    } catch (error) {
      if (error instanceof NoNodeError) return [];
      throw error;
    }
  }

  async queryForInstances(name: string): Promise<Array<ServiceInstance<T>>> {
    let ids: string[];
    try {
      ids = await this.framework.run((c) => c.getChildren(this.pathFor(name)));
    } catch (error) {
      if (error instanceof NoNodeError) return [];
      throw error;
    }
    const found = await Promise.all(ids.sort().map((id) => this.queryForInstance(name, id)));
    return found.filter((i): i is ServiceInstance<T> => i !== undefined);
  }

  async queryForInstance(name: string, id: string): Promise<ServiceInstance<T> | undefined> {
    try {
      const { data } = await this.framework.run((c) => c.getData(this.pathFor(name, id)));
      return deserializeInstance<T>(data ?? Buffer.alloc(0));
    } catch (error) {
      if (error instanceof NoNodeError) return undefined;
      throw error;
    }
  }

  /** A cache of one service's instances (start() it). */
  serviceCache(name: string): ServiceCache<T> {
    const cache = new ServiceCache<T>(this.framework, this.pathFor(name), () => this.caches.delete(cache));
    this.caches.add(cache);
    return cache;
  }

  /** A provider of one service's instances (start() it). */
  serviceProvider(name: string, options: ServiceProviderOptions<T> = {}): ServiceProvider<T> {
    return new ServiceProvider<T>(this.serviceCache(name), options);
  }
}

export type ServiceCacheEvents<T> = {
  changed: [instances: Array<ServiceInstance<T>>];
  error: [error: unknown];
};

export class ServiceCache<T = unknown> extends EventEmitter<ServiceCacheEvents<T>> {
  private readonly cache: PathChildrenCache;

  constructor(
    framework: Framework,
    readonly path: string,
    private readonly onClose: () => void = () => undefined,
  ) {
    super();
    this.cache = new PathChildrenCache(framework, path);
    const changed = () => this.emit('changed', this.getInstances());
    this.cache.on('childAdded', changed);
    this.cache.on('childUpdated', changed);
    this.cache.on('childRemoved', changed);
    this.cache.on('error', (e) => this.listenerCount('error') > 0 && this.emit('error', e));
  }

  start(): Promise<void> {
    return this.cache.start();
  }

  async close(): Promise<void> {
    this.onClose();
    await this.cache.close();
  }

  /** The instances in id order. */
  getInstances(): Array<ServiceInstance<T>> {
    const out: Array<ServiceInstance<T>> = [];
    for (const d of this.cache.getCurrentData()) {
      const i = deserializeInstance<T>(d.data);
      if (i) out.push(i);
    }
    return out;
  }
}

/** Picks one instance out of the (non-empty) list. */
export interface ProviderStrategy<T> {
  getInstance(instances: ReadonlyArray<ServiceInstance<T>>): ServiceInstance<T> | undefined;
}

export class RandomStrategy<T> implements ProviderStrategy<T> {
  constructor(private readonly random: () => number = Math.random) {}
  getInstance(instances: ReadonlyArray<ServiceInstance<T>>): ServiceInstance<T> | undefined {
    if (instances.length === 0) return undefined;
    return instances[Math.floor(this.random() * instances.length)];
  }
}

export class RoundRobinStrategy<T> implements ProviderStrategy<T> {
  private index = 0;
  getInstance(instances: ReadonlyArray<ServiceInstance<T>>): ServiceInstance<T> | undefined {
    if (instances.length === 0) return undefined;
    const i = this.index++ % instances.length;
    return instances[i];
  }
}

/** Keeps returning the same instance while it is listed; picks a new one with `master` otherwise. */
export class StickyStrategy<T> implements ProviderStrategy<T> {
  private current: ServiceInstance<T> | undefined;
  constructor(private readonly master: ProviderStrategy<T> = new RoundRobinStrategy<T>()) {}
  getInstance(instances: ReadonlyArray<ServiceInstance<T>>): ServiceInstance<T> | undefined {
    const still = this.current && instances.find((i) => i.id === this.current!.id);
    if (still) return (this.current = still);
    this.current = this.master.getInstance(instances);
    return this.current;
  }
}

export type StrategyName = 'random' | 'roundRobin' | 'sticky';

export function strategyOf<T>(strategy: StrategyName | ProviderStrategy<T> | undefined): ProviderStrategy<T> {
  if (strategy === undefined || strategy === 'roundRobin') return new RoundRobinStrategy<T>();
  if (strategy === 'random') return new RandomStrategy<T>();
  if (strategy === 'sticky') return new StickyStrategy<T>();
  return strategy;
}

export interface ServiceProviderOptions<T> {
  /** Default round-robin. */
  strategy?: StrategyName | ProviderStrategy<T>;
  /** noteError(): an instance with this many errors is skipped for `downTimeoutMs`. Defaults 2 and 30 s (Curator). */
  downErrorThreshold?: number;
  downTimeoutMs?: number;
}

export class ServiceProvider<T = unknown> {
  private readonly strategy: ProviderStrategy<T>;
  private readonly errors = new Map<string, { count: number; since: number }>();
  private readonly threshold: number;
  private readonly downTimeoutMs: number;

  constructor(
    readonly cache: ServiceCache<T>,
    options: ServiceProviderOptions<T> = {},
  ) {
    this.strategy = strategyOf(options.strategy);
    this.threshold = options.downErrorThreshold ?? 2;
    this.downTimeoutMs = options.downTimeoutMs ?? 30_000;
  }

  start(): Promise<void> {
    return this.cache.start();
  }

  close(): Promise<void> {
    return this.cache.close();
  }

  /** Every instance (down ones included). */
  getAllInstances(): Array<ServiceInstance<T>> {
    return this.cache.getInstances();
  }

  /** One instance chosen by the strategy among those not marked down, or undefined when there is none. */
  getInstance(): ServiceInstance<T> | undefined {
    const now = Date.now();
    for (const [id, e] of this.errors) if (now - e.since > this.downTimeoutMs) this.errors.delete(id);
    const up = this.cache.getInstances().filter((i) => (this.errors.get(i.id)?.count ?? 0) < this.threshold);
    return this.strategy.getInstance(up);
  }

  /** Reports a failure talking to an instance (the down-instance policy may skip it for a while). */
  noteError(instance: ServiceInstance<T>): void {
    const e = this.errors.get(instance.id);
    if (e) e.count++;
    else this.errors.set(instance.id, { count: 1, since: Date.now() });
  }
}
