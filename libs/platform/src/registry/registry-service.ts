/**
 * The operator side of the Dubbo registry: read providers / consumers, write overrides (disable, weight, any
 * parameter; optionally expiring) and condition routes as persistent nodes under `configurators` / `routers`,
 * detect zombie registrations. It never writes a provider's own ephemeral node (dubbo#7124: a third party
 * rewriting provider nodes took over their ephemeral ownership).
 *
 * Every override/route node is a Dubbo URL (URL-encoded node name, empty data), so real Dubbo 2.6/2.7
 * consumers read them too. An instance has at most one Paddock-managed override per (address, application
 * scope): changing a parameter replaces that node atomically (multi: delete old + create new).
 */
import { NoNodeError, NodeExistsError, TransactionError, type Op, type ZooKeeperClient } from '@paddock/client';
import { toFramework, type ClientLike, type Framework } from '@paddock/recipes';
import { Auditor, type AuditPolicy, type AuditSink, type ChangeContext } from '../audit.js';
import { childrenOrEmpty, ensurePath } from '../zk.js';
import {
  EXPIRES_PARAM,
  applyRoutes,
  buildInstances,
  formatConditionRule,
  parseConditionRule,
  routeFromUrl,
  type ConsumerInfo,
  type ProviderInstance,
} from './governance.js';
import { DEFAULT_DUBBO_ROOT, DubboUrl, categoryDir, javaUrlDecode, javaUrlEncode, tryParseNodeName, type Category } from './url.js';
import { classifyOwner, type SessionProbe, type ZombieStatus } from './zombies.js';

export interface RegistryServiceOptions {
  audit?: AuditSink;
  policy?: AuditPolicy;
  /** Default `/dubbo`. */
  root?: string;
  now?: () => number;
}

export interface RegistryNode {
  id: string;
  path: string;
  url: DubboUrl;
  /** 0n for persistent nodes. */
  ephemeralOwner: bigint;
  ctime: number;
}

export interface OverrideScope {
  /** `host:port` of the instance, or `0.0.0.0` for every instance of the service. */
  address: string;
  /** Only for consumers of this application. */
  application?: string;
}

export interface OverrideChange extends OverrideScope {
  /** Parameters to set (a string) or remove (undefined). */
  set: Record<string, string | undefined>;
  /** Epoch ms after which the override no longer applies (and expireDue deletes it). null removes an expiry. */
  expiresAt?: number | null;
}

export interface RouteSpec {
  name: string;
  /** `when => then`, see governance.ts for the supported subset. */
  rule: string;
  force?: boolean;
  priority?: number;
  enabled?: boolean;
}

export interface ZombieReport {
  service: string;
  id: string;
  address: string;
  ephemeralOwner: string;
  status: ZombieStatus;
}

/** Params of an override node as a plain object (without category/dynamic/enabled bookkeeping). */
function overrideState(url: DubboUrl | undefined): Record<string, string> | null {
  if (!url) return null;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(url.parameters)) if (k !== 'category' && k !== 'dynamic' && k !== 'enabled') out[k] = v;
  return out;
}

function splitAddress(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  if (i < 0) return { host: address, port: 0 };
  return { host: address.slice(0, i), port: Number(address.slice(i + 1)) || 0 };
}

export class RegistryService {
  private readonly framework: Framework;
  private readonly auditor: Auditor;
  readonly root: string;
  private readonly now: () => number;

  constructor(client: ClientLike, options: RegistryServiceOptions = {}) {
    this.framework = toFramework(client);
    this.now = options.now ?? Date.now;
    this.auditor = new Auditor(options.audit, options.policy, () => new Date(this.now()));
    this.root = options.root ?? DEFAULT_DUBBO_ROOT;
  }

  private run<T>(fn: (c: ZooKeeperClient) => Promise<T>): Promise<T> {
    return this.framework.run(fn);
  }

  /** Interfaces registered under the root (decoded). */
  async listServices(): Promise<string[]> {
    const names = await this.run((c) => childrenOrEmpty(c, this.root));
    return names.map((n) => javaUrlDecode(n)).sort();
  }

  private async listCategory(service: string, category: Category): Promise<RegistryNode[]> {
    const dir = categoryDir(service, category, this.root);
    return this.run(async (c) => {
      const out: RegistryNode[] = [];
      for (const id of await childrenOrEmpty(c, dir)) {
        const url = tryParseNodeName(id);
        if (!url) continue;
        const path = `${dir}/${id}`;
        const stat = await c.exists(path);
        if (!stat) continue;
        out.push({ id, path, url, ephemeralOwner: stat.ephemeralOwner, ctime: stat.ctime });
      }
      return out.sort((a, b) => (a.id < b.id ? -1 : 1));
    });
  }

  listProviders(service: string): Promise<RegistryNode[]> {
    return this.listCategory(service, 'providers');
  }
  listConsumers(service: string): Promise<RegistryNode[]> {
    return this.listCategory(service, 'consumers');
  }
  listOverrides(service: string): Promise<RegistryNode[]> {
    return this.listCategory(service, 'configurators');
  }
  listRouteNodes(service: string): Promise<RegistryNode[]> {
    return this.listCategory(service, 'routers');
  }

  /** The providers as a consumer of `consumer` would see them (overrides applied). */
  async effectiveProviders(service: string, consumer?: ConsumerInfo): Promise<ProviderInstance[]> {
    const [providers, overrides] = await Promise.all([this.listProviders(service), this.listOverrides(service)]);
    return buildInstances(
      providers.map((p) => p.id),
      overrides.map((o) => o.url),
      consumer,
      this.now(),
    );
  }

  /** Which providers a call would be routed to, with the current routes or a candidate rule (preview). */
  async previewRoute(service: string, consumer: ConsumerInfo, method: string, candidate?: RouteSpec): Promise<ProviderInstance[]> {
    const instances = (await this.effectiveProviders(service, consumer)).filter((p) => !p.disabled);
    const routes = (await this.listRouteNodes(service))
      .map((n) => routeFromUrl(n.id, n.url))
      .filter((r) => r !== undefined)
      .filter((r) => !candidate || r.id !== this.routeUrl(service, candidate).toNodeName());
    if (candidate) {
      const url = this.routeUrl(service, candidate);
      const r = routeFromUrl(url.toNodeName(), url);
      if (r) routes.push(r);
    }
    return [...applyRoutes(instances, routes, { consumer, method })];
  }

  // ------------------------------------------------------------------------------------- overrides

  private async scopeOverrides(c: ZooKeeperClient, service: string, scope: OverrideScope): Promise<Array<{ id: string; url: DubboUrl; version: number }>> {
    const dir = categoryDir(service, 'configurators', this.root);
    const { host, port } = splitAddress(scope.address);
    const out: Array<{ id: string; url: DubboUrl; version: number }> = [];
    for (const id of await childrenOrEmpty(c, dir)) {
      const url = tryParseNodeName(id);
      if (!url || url.protocol !== 'override') continue;
      if (url.host !== host || url.port !== port) continue;
      if ((url.param('application') ?? undefined) !== scope.application) continue;
      const stat = await c.exists(`${dir}/${id}`);
      if (stat) out.push({ id, url, version: stat.version });
    }
    return out;
  }

  /**
   * Sets/removes override parameters of one instance (or all, address `0.0.0.0`). The scope's override
   * nodes are replaced by one node atomically; with no parameter left the override is deleted.
   * Returns the override state after the change (null: none).
   */
  async setOverride(service: string, change: OverrideChange, ctx: ChangeContext): Promise<Record<string, string> | null> {
    this.auditor.check(ctx, 'registry.override.set');
    const dir = categoryDir(service, 'configurators', this.root);
    for (let attempt = 0; ; attempt++) {
      const { before, after, ops, newUrl } = await this.run(async (c) => {
        const existing = await this.scopeOverrides(c, service, change);
        const merged: Record<string, string> = {};
        for (const e of existing) Object.assign(merged, overrideState(e.url));
        const beforeState = existing.length > 0 ? { ...merged } : null;
        delete merged.application;
        for (const [k, v] of Object.entries(change.set)) {
          if (v === undefined) delete merged[k];
          else merged[k] = v;
        }
        if (change.expiresAt === null) delete merged[EXPIRES_PARAM];
        else if (change.expiresAt !== undefined) merged[EXPIRES_PARAM] = String(change.expiresAt);
        const meaningful = Object.keys(merged).filter((k) => k !== EXPIRES_PARAM);
        const { host, port } = splitAddress(change.address);
        const url =
          meaningful.length === 0
            ? undefined
            : new DubboUrl({
                protocol: 'override',
                host,
                port,
                path: service,
                parameters: {
                  ...merged,
                  category: 'configurators',
                  dynamic: 'false',
                  enabled: 'true',
                  ...(change.application ? { application: change.application } : {}),
                },
              });
        const operations: Op[] = [];
        for (const e of existing) if (!url || e.id !== url.toNodeName()) operations.push({ type: 'delete', path: `${dir}/${e.id}`, version: e.version });
        if (url && !existing.some((e) => e.id === url.toNodeName())) operations.push({ type: 'create', path: `${dir}/${url.toNodeName()}` });
        if (operations.length > 0) await ensurePath(c, dir);
        return { before: beforeState, after: overrideState(url), ops: operations, newUrl: url };
      });
      if (ops.length === 0) return after;
      try {
        await this.run((c) => c.multi(ops));
      } catch (error) {
        // raced with another writer: read again
        if (attempt < 5 && error instanceof TransactionError && (error.code === -101 || error.code === -110 || error.code === -103)) continue;
        throw error;
      }
      const path = newUrl ? `${dir}/${newUrl.toNodeName()}` : dir;
      await this.auditor.emit(ctx, 'registry.override.set', path, before, after, { service, address: change.address, application: change.application ?? null });
      return after;
    }
  }

  /** Disables (or re-enables) an instance for consumers, by override. */
  setInstanceDisabled(service: string, address: string, disabled: boolean, ctx: ChangeContext, options: { expiresAt?: number | null; application?: string } = {}) {
    return this.setOverride(service, { address, ...options, set: { disabled: disabled ? 'true' : undefined } }, ctx);
  }

  /** Re-weights an instance (undefined: back to the provider's own weight). */
  setInstanceWeight(service: string, address: string, weight: number | undefined, ctx: ChangeContext, options: { expiresAt?: number | null; application?: string } = {}) {
    if (weight !== undefined && !(Number.isInteger(weight) && weight >= 0)) throw new RangeError('weight must be a non-negative integer');
    return this.setOverride(service, { address, ...options, set: { weight: weight === undefined ? undefined : String(weight) } }, ctx);
  }

  /** Deletes every override of a scope. */
  async removeOverride(service: string, scope: OverrideScope, ctx: ChangeContext): Promise<void> {
    this.auditor.check(ctx, 'registry.override.remove');
    const dir = categoryDir(service, 'configurators', this.root);
    const existing = await this.run((c) => this.scopeOverrides(c, service, scope));
    if (existing.length === 0) return;
    await this.run((c) => c.multi(existing.map((e) => ({ type: 'delete' as const, path: `${dir}/${e.id}`, version: e.version }))));
    const before: Record<string, string> = {};
    for (const e of existing) Object.assign(before, overrideState(e.url));
    await this.auditor.emit(ctx, 'registry.override.remove', `${dir}/${existing[0]!.id}`, before, null, { service, address: scope.address });
  }

  /** Deletes overrides whose `paddock.expires` is due (the backend schedules this). Returns the deleted paths. */
  async expireDue(now = this.now(), ctx: ChangeContext = { actor: 'system:override-expiry', source: 'scheduler', reason: 'override expired' }): Promise<string[]> {
    const deleted: string[] = [];
    for (const service of await this.listServices()) {
      const dir = categoryDir(service, 'configurators', this.root);
      for (const node of await this.listOverrides(service)) {
        const expires = node.url.param(EXPIRES_PARAM);
        if (expires === undefined || Number(expires) > now) continue;
        try {
          await this.run((c) => c.delete(`${dir}/${node.id}`));
        } catch (error) {
          if (error instanceof NoNodeError) continue;
          throw error;
        }
        deleted.push(node.path);
        await this.auditor.emit(ctx, 'registry.override.expire', node.path, overrideState(node.url), null, { service, address: node.url.address, expiresAt: Number(expires) });
      }
    }
    return deleted;
  }

  // ------------------------------------------------------------------------------------- routes

  private routeUrl(service: string, spec: RouteSpec): DubboUrl {
    const rule = formatConditionRule(parseConditionRule(spec.rule)); // validates
    return new DubboUrl({
      protocol: 'condition',
      host: '0.0.0.0',
      path: service,
      parameters: {
        category: 'routers',
        dynamic: 'false',
        enabled: String(spec.enabled ?? true),
        force: String(spec.force ?? false),
        name: spec.name,
        priority: String(spec.priority ?? 0),
        rule: javaUrlEncode(rule),
        runtime: 'false',
      },
    });
  }

  /** Creates or replaces (by name) a condition route. */
  async setRoute(service: string, spec: RouteSpec, ctx: ChangeContext): Promise<void> {
    this.auditor.check(ctx, 'registry.route.set');
    const dir = categoryDir(service, 'routers', this.root);
    const url = this.routeUrl(service, spec);
    const existing = (await this.listRouteNodes(service)).filter((n) => n.url.param('name') === spec.name);
    if (existing.length === 1 && existing[0]!.id === url.toNodeName()) return;
    await this.run(async (c) => {
      await ensurePath(c, dir);
      const ops: Op[] = existing.map((e) => ({ type: 'delete', path: e.path }));
      ops.push({ type: 'create', path: `${dir}/${url.toNodeName()}` });
      try {
        await c.multi(ops);
      } catch (error) {
        if (!(error instanceof TransactionError && error.code === -110)) throw error;
        throw new NodeExistsError(`${dir}/${url.toNodeName()}`);
      }
    });
    const state = (u: DubboUrl) => ({ ...u.parameters, rule: javaUrlDecode(u.param('rule') ?? '') });
    await this.auditor.emit(ctx, 'registry.route.set', `${dir}/${url.toNodeName()}`, existing[0] ? state(existing[0].url) : null, state(url), { service, name: spec.name });
  }

  async removeRoute(service: string, name: string, ctx: ChangeContext): Promise<boolean> {
    this.auditor.check(ctx, 'registry.route.remove');
    const existing = (await this.listRouteNodes(service)).filter((n) => n.url.param('name') === name);
    if (existing.length === 0) return false;
    await this.run((c) => c.multi(existing.map((e) => ({ type: 'delete' as const, path: e.path }))));
    await this.auditor.emit(ctx, 'registry.route.remove', existing[0]!.path, { ...existing[0]!.url.parameters }, null, { service, name });
    return true;
  }

  // ------------------------------------------------------------------------------------- zombies

  /** Classifies every provider node of the services (default all) by its owner session; see zombies.ts. */
  async detectZombies(probe: SessionProbe, services?: readonly string[]): Promise<ZombieReport[]> {
    const list = services ?? (await this.listServices());
    const nodes: Array<{ service: string; node: RegistryNode }> = [];
    for (const service of list) for (const node of await this.listProviders(service)) nodes.push({ service, node });
    const sessions = await probe.liveSessions();
    return nodes.map(({ service, node }) => ({
      service,
      id: node.id,
      address: node.url.address,
      ephemeralOwner: `0x${BigInt.asUintN(64, node.ephemeralOwner).toString(16)}`,
      status: node.ephemeralOwner === 0n ? 'unknown-session' : classifyOwner(node.ephemeralOwner, sessions),
    }));
  }
}
