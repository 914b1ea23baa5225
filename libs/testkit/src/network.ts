import type { VirtualClock } from './clock.js';
import type { Prng } from './prng.js';

export interface NetworkOptions {
  /** delivery latency bounds, in clock units */
  minLatency: number;
  maxLatency: number;
  /** probability that a packet is lost */
  loss: number;
  /** probability that a packet is delivered twice */
  duplicate: number;
  /** probability that a packet ignores FIFO order on its link (delivered late, after newer packets) */
  reorder: number;
}

/**
 * SimNetwork delivers messages between numbered nodes on a virtual clock, with seeded loss, duplication,
 * delay and reordering, and partitions. Each directed link is FIFO except for the `reorder` fraction.
 * Messages to a node that is down, or across a partition, are dropped when sent and again when delivered.
 */
export class SimNetwork<M> {
  private readonly lastAt = new Map<string, number>();
  private readonly down = new Set<number>();
  /** node -> partition group; nodes in different groups cannot talk */
  private group = new Map<number, number>();
  /** directed links blocked one way */
  private readonly blocked = new Set<string>();
  sent = 0;
  delivered = 0;
  dropped = 0;

  constructor(
    private readonly clock: VirtualClock,
    private readonly rng: Prng,
    public options: NetworkOptions,
    private readonly deliver: (to: number, msg: M) => void,
  ) {}

  setDown(node: number, down: boolean): void {
    if (down) this.down.add(node);
    else this.down.delete(node);
  }

  isDown(node: number): boolean {
    return this.down.has(node);
  }

  /** Splits the nodes into groups that cannot reach each other (nodes not listed form their own group). */
  partition(groups: number[][]): void {
    this.group = new Map();
    groups.forEach((g, i) => g.forEach((n) => this.group.set(n, i)));
  }

  /** Blocks (or unblocks) the directed link from -> to. */
  block(from: number, to: number, blocked = true): void {
    const k = `${from}>${to}`;
    if (blocked) this.blocked.add(k);
    else this.blocked.delete(k);
  }

  heal(): void {
    this.group = new Map();
    this.blocked.clear();
  }

  connected(from: number, to: number): boolean {
    if (this.down.has(from) || this.down.has(to) || this.blocked.has(`${from}>${to}`)) return false;
    const a = this.group.get(from) ?? -1 - from;
    const b = this.group.get(to) ?? -1 - to;
    return this.group.size === 0 || a === b;
  }

  send(from: number, to: number, msg: M): void {
    this.sent++;
    const o = this.options;
    if (!this.connected(from, to) || this.rng.chance(o.loss)) {
      this.dropped++;
      return;
    }
    const copies = this.rng.chance(o.duplicate) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const lat = this.rng.range(o.minLatency, o.maxLatency);
      let at = this.clock.now + lat;
      const link = `${from}>${to}`;
      if (this.rng.chance(o.reorder)) {
        at += this.rng.range(1, o.maxLatency * 4 + 1);
      } else {
        at = Math.max(at, this.lastAt.get(link) ?? 0);
        this.lastAt.set(link, at);
      }
      this.clock.at(at, () => {
        if (!this.connected(from, to)) {
          this.dropped++;
          return;
        }
        this.delivered++;
        this.deliver(to, msg);
      });
    }
  }
}
