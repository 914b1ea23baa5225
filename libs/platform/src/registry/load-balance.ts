/**
 * Load balancers with Dubbo's semantics (org.apache.dubbo.rpc.cluster.loadbalance):
 *
 * - `random`: weighted random; uniform when all weights are equal;
 * - `roundrobin`: smooth weighted round robin (nginx-style, as Dubbo 2.7), state per method;
 * - `leastactive`: the fewest in-flight calls; ties broken by weighted random;
 * - `consistenthash`: ketama ring of md5 points (160 virtual nodes per provider by default) over the
 *   `hashArguments` (default the first argument); weights are ignored, as in Dubbo.
 *
 * Weights are the effective weight (provider `weight` param, overridden by configurators; default 100). A
 * `warmup` ms param on the provider scales its weight linearly with uptime since its `timestamp` (Dubbo
 * does this by default with 10 minutes; here only when the provider declares `warmup`). Weight 0 is never
 * chosen while another candidate has a positive weight.
 */
import { createHash } from 'node:crypto';

export interface Balanceable {
  /** Stable identity (the registry node name). */
  readonly id: string;
  /** Effective weight (>= 0). */
  readonly weight: number;
}

export interface SelectContext {
  method: string;
  args: readonly unknown[];
  /** In-flight calls of a candidate (least-active). */
  active?: (id: string) => number;
  random?: () => number;
}

export interface LoadBalancer {
  readonly name: LoadBalanceName;
  select<T extends Balanceable>(candidates: readonly T[], ctx: SelectContext): T | undefined;
}

export type LoadBalanceName = 'random' | 'roundrobin' | 'leastactive' | 'consistenthash';

function weightedRandom<T extends Balanceable>(candidates: readonly T[], random: () => number): T {
  let total = 0;
  let same = true;
  const first = candidates[0]!.weight;
  for (const c of candidates) {
    total += Math.max(0, c.weight);
    if (c.weight !== first) same = false;
  }
  if (total > 0 && !same) {
    let offset = random() * total;
    for (const c of candidates) {
      offset -= Math.max(0, c.weight);
      if (offset < 0) return c;
    }
  }
  return candidates[Math.floor(random() * candidates.length) % candidates.length]!;
}

/** Drops zero-weight candidates unless all are zero. */
function positive<T extends Balanceable>(candidates: readonly T[]): readonly T[] {
  const p = candidates.filter((c) => c.weight > 0);
  return p.length > 0 ? p : candidates;
}

export class RandomLoadBalancer implements LoadBalancer {
  readonly name = 'random' as const;
  select<T extends Balanceable>(candidates: readonly T[], ctx: SelectContext): T | undefined {
    if (candidates.length === 0) return undefined;
    return weightedRandom(positive(candidates), ctx.random ?? Math.random);
  }
}

export class RoundRobinLoadBalancer implements LoadBalancer {
  readonly name = 'roundrobin' as const;
  private readonly state = new Map<string, Map<string, number>>();

  select<T extends Balanceable>(candidates: readonly T[], ctx: SelectContext): T | undefined {
    if (candidates.length === 0) return undefined;
    const list = positive(candidates);
    let current = this.state.get(ctx.method);
    if (!current) this.state.set(ctx.method, (current = new Map()));
    const ids = new Set(list.map((c) => c.id));
    for (const id of [...current.keys()]) if (!ids.has(id)) current.delete(id);
    let total = 0;
    let best: T | undefined;
    let bestValue = -Infinity;
    for (const c of list) {
      const w = Math.max(0, c.weight) || 1;
      const v = (current.get(c.id) ?? 0) + w;
      current.set(c.id, v);
      total += w;
      if (v > bestValue) {
        bestValue = v;
        best = c;
      }
    }
    current.set(best!.id, bestValue - total);
    return best;
  }
}

export class LeastActiveLoadBalancer implements LoadBalancer {
  readonly name = 'leastactive' as const;
  select<T extends Balanceable>(candidates: readonly T[], ctx: SelectContext): T | undefined {
    if (candidates.length === 0) return undefined;
    const list = positive(candidates);
    const active = ctx.active ?? (() => 0);
    let least = Infinity;
    let ties: T[] = [];
    for (const c of list) {
      const a = active(c.id);
      if (a < least) {
        least = a;
        ties = [c];
      } else if (a === least) ties.push(c);
    }
    return ties.length === 1 ? ties[0] : weightedRandom(ties, ctx.random ?? Math.random);
  }
}

function md5(text: string): Buffer {
  return createHash('md5').update(text, 'utf8').digest();
}

/** Ketama point i (0..3) of an md5 digest (Dubbo ConsistentHashSelector.hash). */
function ketama(digest: Buffer, i: number): number {
  return ((digest[3 + i * 4]! << 24) >>> 0) + (digest[2 + i * 4]! << 16) + (digest[1 + i * 4]! << 8) + digest[i * 4]!;
}

export interface ConsistentHashOptions {
  /** Virtual nodes per provider (Dubbo `hash.nodes`, default 160). */
  replicas?: number;
  /** Indexes of the arguments hashed (Dubbo `hash.arguments`, default [0]). */
  hashArguments?: readonly number[];
}

export class ConsistentHashLoadBalancer implements LoadBalancer {
  readonly name = 'consistenthash' as const;
  private readonly replicas: number;
  private readonly hashArguments: readonly number[];
  private rings = new Map<string, { key: string; points: number[]; owners: string[] }>();

  constructor(options: ConsistentHashOptions = {}) {
    this.replicas = Math.max(4, options.replicas ?? 160);
    this.hashArguments = options.hashArguments ?? [0];
  }

  private ring(method: string, ids: readonly string[]): { points: number[]; owners: string[] } {
    const key = [...ids].sort().join('\n');
    const cached = this.rings.get(method);
    if (cached && cached.key === key) return cached;
    const entries: Array<[number, string]> = [];
    for (const id of ids) {
      for (let i = 0; i < this.replicas / 4; i++) {
        const d = md5(`${id}${i}`);
        for (let h = 0; h < 4; h++) entries.push([ketama(d, h), id]);
      }
    }
    entries.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1));
    const ring = { key, points: entries.map((e) => e[0]), owners: entries.map((e) => e[1]) };
    this.rings.set(method, ring);
    return ring;
  }

  select<T extends Balanceable>(candidates: readonly T[], ctx: SelectContext): T | undefined {
    if (candidates.length === 0) return undefined;
    const byId = new Map(candidates.map((c) => [c.id, c]));
    const { points, owners } = this.ring(ctx.method, [...byId.keys()]);
    const key = this.hashArguments.map((i) => (i < ctx.args.length ? stableString(ctx.args[i]) : '')).join('');
    const h = ketama(md5(key), 0);
    // first point >= h, wrapping around
    let lo = 0;
    let hi = points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (points[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    return byId.get(owners[lo === points.length ? 0 : lo]!);
  }
}

function stableString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return JSON.stringify(value) ?? String(value);
}

export function createLoadBalancer(name: LoadBalanceName, options: ConsistentHashOptions = {}): LoadBalancer {
  switch (name) {
    case 'random':
      return new RandomLoadBalancer();
    case 'roundrobin':
      return new RoundRobinLoadBalancer();
    case 'leastactive':
      return new LeastActiveLoadBalancer();
    case 'consistenthash':
      return new ConsistentHashLoadBalancer(options);
    default:
      throw new Error(`unknown load balancer ${String(name)}`);
  }
}

/** Weight with Dubbo's warm-up: `weight * uptime / warmup` while younger than `warmup` (at least 1). */
export function warmedWeight(weight: number, timestamp: number | undefined, warmupMs: number | undefined, now: number): number {
  if (weight <= 0 || !timestamp || !warmupMs || warmupMs <= 0) return Math.max(0, weight);
  const uptime = Math.max(1, now - timestamp);
  if (uptime >= warmupMs) return weight;
  return Math.max(1, Math.min(weight, Math.floor((uptime / warmupMs) * weight)));
}
