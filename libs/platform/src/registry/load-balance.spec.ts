import { describe, expect, it } from '@jest/globals';
import { ConsistentHashLoadBalancer, LeastActiveLoadBalancer, RandomLoadBalancer, RoundRobinLoadBalancer, warmedWeight } from './load-balance.js';

const lcg = (seed: number) => () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const inst = (id: string, weight = 100) => ({ id, weight });

function counts(pick: () => { id: string } | undefined, n: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const p = pick()!;
    out[p.id] = (out[p.id] ?? 0) + 1;
  }
  return out;
}

describe('load balancers', () => {
  it('random honours weights and never picks weight 0 when others are positive', () => {
    const lb = new RandomLoadBalancer();
    const list = [inst('a', 100), inst('b', 300), inst('z', 0)];
    const r7 = lcg(7);
    const c = counts(() => lb.select(list, { method: 'm', args: [], random: r7 }), 8000);
    expect(c.z).toBeUndefined();
    expect(c.b! / c.a!).toBeGreaterThan(2.5);
    expect(c.b! / c.a!).toBeLessThan(3.5);
    expect(lb.select([], { method: 'm', args: [] })).toBeUndefined();
  });

  it('round robin is smooth and weighted', () => {
    const lb = new RoundRobinLoadBalancer();
    const list = [inst('a', 5), inst('b', 1), inst('c', 1)];
    const seq = Array.from({ length: 7 }, () => lb.select(list, { method: 'm', args: [] })!.id).join('');
    expect(seq).toBe('aabacaa');
    const equal = [inst('x'), inst('y'), inst('z')];
    expect(Array.from({ length: 6 }, () => lb.select(equal, { method: 'n', args: [] })!.id).join('')).toBe('xyzxyz');
  });

  it('least active prefers the provider with the fewest calls in flight', () => {
    const lb = new LeastActiveLoadBalancer();
    const active: Record<string, number> = { a: 3, b: 0, c: 1 };
    expect(lb.select([inst('a'), inst('b'), inst('c')], { method: 'm', args: [], active: (id) => active[id]! })!.id).toBe('b');
    const r3 = lcg(3);
    const tie = counts(() => lb.select([inst('a', 100), inst('b', 100)], { method: 'm', args: [], active: () => 0, random: r3 }), 1000);
    expect(tie.a).toBeGreaterThan(300);
    expect(tie.b).toBeGreaterThan(300);
  });

  it('consistent hash is sticky per argument and moves few keys when a provider leaves', () => {
    const lb = new ConsistentHashLoadBalancer();
    const list = ['p1', 'p2', 'p3', 'p4'].map((id) => inst(id));
    const keys = Array.from({ length: 400 }, (_, i) => `user-${i}`);
    const before = new Map(keys.map((k) => [k, lb.select(list, { method: 'get', args: [k] })!.id]));
    for (const k of keys.slice(0, 20)) expect(lb.select(list, { method: 'get', args: [k] })!.id).toBe(before.get(k));
    const spread = new Set(before.values());
    expect(spread.size).toBe(4);
    const without = list.filter((p) => p.id !== 'p2');
    let moved = 0;
    for (const k of keys) {
      const now = lb.select(without, { method: 'get', args: [k] })!.id;
      if (before.get(k) !== 'p2' && now !== before.get(k)) moved++;
      expect(now).not.toBe('p2');
    }
    expect(moved).toBe(0);
  });

  it('warm-up scales weight with uptime', () => {
    expect(warmedWeight(100, 1000, 10_000, 6000)).toBe(50);
    expect(warmedWeight(100, 1000, 10_000, 20_000)).toBe(100);
    expect(warmedWeight(100, undefined, 10_000, 20_000)).toBe(100);
    expect(warmedWeight(100, 1000, 10_000, 1000)).toBe(1);
  });
});
