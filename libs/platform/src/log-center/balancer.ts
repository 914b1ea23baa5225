/**
 * The log-center balancer (pure): Kafka topics -> slave groups -> slaves.
 *
 * Rules, in order:
 * 1. A pinned topic goes to its pinned group, whatever else holds (with no live slave there it stays unassigned).
 * 2. Sticky: a topic stays with its current slave while that slave is live or still within its grace period
 *    (a blip moves nothing), and with its current group while the group has a live slave.
 * 3. New or orphaned topics (no owner, owner dead past grace, group gone) are placed, heaviest first, on the
 *    group and then the slave with the lowest load/capacity ratio after the placement (weight = partitions).
 * 4. Optionally (`maxMoves` > 0) topics move from the most to the least loaded slave of a group while that
 *    strictly lowers the higher of the two ratios (bounded, so a rebalance is a wave, not a storm).
 * Slaves with capacity 0 get nothing. Output is deterministic for a given input.
 */

export interface TopicSpec {
  name: string;
  /** Kafka partition count; the topic's weight. */
  partitions: number;
  metadata?: Record<string, unknown>;
}

export interface SlaveRef {
  group: string;
  id: string;
}

export interface SlaveLoadInfo extends SlaveRef {
  /** How much weight (partitions) the slave can take. */
  capacity: number;
}

export interface TopicPlacement {
  group: string | null;
  slave: string | null;
}

export type MoveReason = 'new' | 'pin' | 'slave-dead' | 'group-gone' | 'rebalance' | 'removed' | 'unassignable';

export interface Move {
  topic: string;
  from: TopicPlacement | null;
  to: TopicPlacement | null;
  reason: MoveReason;
}

export interface BalanceInput {
  topics: readonly TopicSpec[];
  /** Live slaves. */
  slaves: readonly SlaveLoadInfo[];
  /** Slaves gone but within their grace period: their topics stay. */
  inGrace?: readonly SlaveRef[];
  /** topic -> group. */
  pins?: Readonly<Record<string, string>>;
  current?: Readonly<Record<string, TopicPlacement>>;
  /** Rebalancing moves allowed per round (default 0: only place what must be placed). */
  maxMoves?: number;
}

export interface BalanceResult {
  assignment: Record<string, TopicPlacement>;
  moves: Move[];
}

export function slaveKey(s: SlaveRef): string {
  return `${s.group}/${s.id}`;
}

export function topicWeight(t: TopicSpec): number {
  return Math.max(1, Math.floor(t.partitions) || 1);
}

function samePlacement(a: TopicPlacement | null | undefined, b: TopicPlacement | null | undefined): boolean {
  return (a?.group ?? null) === (b?.group ?? null) && (a?.slave ?? null) === (b?.slave ?? null);
}

export function balance(input: BalanceInput): BalanceResult {
  const pins = input.pins ?? {};
  const current = input.current ?? {};
  const live = new Map<string, SlaveLoadInfo>();
  for (const s of input.slaves) live.set(slaveKey(s), s);
  const grace = new Set((input.inGrace ?? []).map(slaveKey));
  const load = new Map<string, number>();
  for (const k of live.keys()) load.set(k, 0);
  const groups = new Map<string, SlaveLoadInfo[]>();
  for (const s of [...live.values()].sort((a, b) => (slaveKey(a) < slaveKey(b) ? -1 : 1))) {
    if (!groups.has(s.group)) groups.set(s.group, []);
    groups.get(s.group)!.push(s);
  }
  const groupCap = (g: string) => (groups.get(g) ?? []).reduce((n, s) => n + Math.max(0, s.capacity), 0);
  const groupLoad = (g: string) => (groups.get(g) ?? []).reduce((n, s) => n + (load.get(slaveKey(s)) ?? 0), 0);
  const ratio = (key: string, extra = 0) => {
    const cap = live.get(key)?.capacity ?? 0;
    return cap > 0 ? ((load.get(key) ?? 0) + extra) / cap : Infinity;
  };

  const assignment: Record<string, TopicPlacement> = {};
  const moves: Move[] = [];
  const topics = [...input.topics].sort((a, b) => topicWeight(b) - topicWeight(a) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const pending: Array<{ topic: TopicSpec; reason: MoveReason }> = [];

  // pass 1: sticky placements
  for (const t of topics) {
    const cur = current[t.name];
    const pin = pins[t.name];
    const w = topicWeight(t);
    if (cur?.group && cur.slave) {
      const key = `${cur.group}/${cur.slave}`;
      const alive = live.has(key) && (live.get(key)!.capacity > 0);
      if ((pin === undefined || pin === cur.group) && (alive || grace.has(key))) {
        assignment[t.name] = { group: cur.group, slave: cur.slave };
        if (alive) load.set(key, (load.get(key) ?? 0) + w);
        continue;
      }
      const reason: MoveReason = pin !== undefined && pin !== cur.group ? 'pin' : !groups.has(cur.group) ? 'group-gone' : 'slave-dead';
      pending.push({ topic: t, reason });
    } else {
      pending.push({ topic: t, reason: cur && pin !== undefined && pin !== cur.group ? 'pin' : 'new' });
    }
  }

  // pass 2: place the rest, heaviest first
  for (const { topic: t, reason } of pending) {
    const w = topicWeight(t);
    const pin = pins[t.name];
    let group: string | null = null;
    if (pin !== undefined) group = pin;
    else {
      const cur = current[t.name];
      if (cur?.group && groupCap(cur.group) > 0) group = cur.group;
      else {
        let best = Infinity;
        for (const g of groups.keys()) {
          const cap = groupCap(g);
          if (cap <= 0) continue;
          const r = (groupLoad(g) + w) / cap;
          if (r < best) {
            best = r;
            group = g;
          }
        }
      }
    }
    let slave: string | null = null;
    if (group !== null) {
      let best = Infinity;
      for (const s of groups.get(group) ?? []) {
        if (s.capacity <= 0) continue;
        const r = ratio(slaveKey(s), w);
        if (r < best) {
          best = r;
          slave = s.id;
        }
      }
      if (slave !== null) load.set(`${group}/${slave}`, (load.get(`${group}/${slave}`) ?? 0) + w);
    }
    const to: TopicPlacement = { group, slave };
    assignment[t.name] = to;
    const from = current[t.name] ?? null;
    if (!samePlacement(from, to)) moves.push({ topic: t.name, from, to, reason: slave === null ? 'unassignable' : reason });
  }

  // pass 3: bounded rebalancing inside each group
  let budget = input.maxMoves ?? 0;
  const weights = new Map(topics.map((t) => [t.name, topicWeight(t)]));
  for (const [group, members] of groups) {
    while (budget > 0) {
      const usable = members.filter((s) => s.capacity > 0).map(slaveKey);
      if (usable.length < 2) break;
      usable.sort((a, b) => ratio(b) - ratio(a) || (a < b ? -1 : 1));
      const hi = usable[0]!;
      const lo = usable[usable.length - 1]!;
      const hiId = live.get(hi)!.id;
      const loId = live.get(lo)!.id;
      let bestTopic: string | undefined;
      let bestPeak = ratio(hi);
      for (const [name, p] of Object.entries(assignment)) {
        if (p.group !== group || p.slave !== hiId) continue;
        const w = weights.get(name) ?? 1;
        const peak = Math.max(ratio(hi, -w), ratio(lo, w));
        if (peak < bestPeak - 1e-9 || (peak === bestPeak && bestTopic !== undefined && name < bestTopic)) {
          bestPeak = peak;
          bestTopic = name;
        }
      }
      if (bestTopic === undefined) break;
      const w = weights.get(bestTopic) ?? 1;
      load.set(hi, (load.get(hi) ?? 0) - w);
      load.set(lo, (load.get(lo) ?? 0) + w);
      const from = assignment[bestTopic]!;
      const to = { group, slave: loId };
      assignment[bestTopic] = to;
      const existing = moves.find((m) => m.topic === bestTopic);
      if (existing) existing.to = to;
      else moves.push({ topic: bestTopic, from, to, reason: 'rebalance' });
      budget--;
    }
  }

  // topics that disappeared
  const names = new Set(topics.map((t) => t.name));
  for (const [name, from] of Object.entries(current)) {
    if (!names.has(name)) moves.push({ topic: name, from, to: null, reason: 'removed' });
  }
  return { assignment, moves };
}

/** Total weight per slave key under an assignment. */
export function loadBySlave(topics: readonly TopicSpec[], assignment: Readonly<Record<string, TopicPlacement>>): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of topics) {
    const p = assignment[t.name];
    if (p?.group && p.slave) out.set(`${p.group}/${p.slave}`, (out.get(`${p.group}/${p.slave}`) ?? 0) + topicWeight(t));
  }
  return out;
}
