import type { Entry, Snapshot } from './types.js';

/**
 * ZabLog is the replica's in-memory view of its history: the txns above `base` (the last snapshot or
 * compaction point), plus what of it the shell has been told to persist.
 *
 * Invariants: `entries` are in strictly increasing zxid order, all > base; stable <= lastZxid is the
 * last zxid handed to the shell in a Ready; durable <= stable is the last zxid known fsynced.
 */
export class ZabLog {
  private entries: Entry[];
  base: number;
  /** last zxid handed to the shell for persistence */
  private stable: number;
  /** last zxid the shell has made durable (advance()) */
  durable: number;
  private pendingTrunc: number | null = null;
  private pendingSnap: Snapshot | null = null;

  constructor(base: number, entries: Entry[]) {
    this.base = base;
    this.entries = entries.filter((e) => e.zxid > base);
    for (let i = 1; i < this.entries.length; i++) {
      if (this.entries[i]!.zxid <= this.entries[i - 1]!.zxid) throw new Error('ZabLog: entries out of zxid order');
    }
    this.stable = this.lastZxid;
    this.durable = this.lastZxid;
  }

  get lastZxid(): number {
    return this.entries.length > 0 ? this.entries[this.entries.length - 1]!.zxid : this.base;
  }

  get length(): number {
    return this.entries.length;
  }

  /** index of the first entry with zxid > z */
  private after(z: number): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid]!.zxid <= z) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** true if z is the base or a logged zxid */
  has(z: number): boolean {
    if (z === this.base) return true;
    const i = this.after(z) - 1;
    return i >= 0 && this.entries[i]!.zxid === z;
  }

  /** the greatest zxid in {base} ∪ log that is <= z (z must be >= base) */
  floor(z: number): number {
    const i = this.after(z) - 1;
    return i >= 0 ? this.entries[i]!.zxid : this.base;
  }

  /** entries with after < zxid <= upTo */
  slice(after: number, upTo = Infinity): Entry[] {
    const from = this.after(after);
    const to = upTo === Infinity ? this.entries.length : this.after(upTo);
    return this.entries.slice(from, to);
  }

  append(entries: readonly Entry[]): void {
    let last = this.lastZxid;
    for (const e of entries) {
      if (e.zxid <= last) throw new Error(`ZabLog: append of ${e.zxid} after ${last}`);
      this.entries.push(e);
      last = e.zxid;
    }
  }

  /** Drops every entry above t (t >= base). Returns the dropped entries. */
  truncate(t: number): Entry[] {
    if (t < this.base) throw new Error(`ZabLog: truncate below the snapshot (${t} < ${this.base})`);
    const i = this.after(t);
    const dropped = this.entries.splice(i);
    if (t < this.stable) {
      this.pendingTrunc = this.pendingTrunc === null ? t : Math.min(this.pendingTrunc, t);
      this.stable = t;
    }
    if (t < this.durable) this.durable = t;
    return dropped;
  }

  /** Replaces the whole history by a snapshot (SNAP). */
  installSnapshot(s: Snapshot): void {
    this.entries = [];
    this.base = s.zxid;
    this.pendingSnap = s;
    this.pendingTrunc = null;
    this.stable = s.zxid;
    this.durable = -1; // nothing is durable until the snapshot is
  }

  /** Forgets entries <= z (the shell has a durable snapshot at z). */
  compact(z: number): void {
    if (z <= this.base) return;
    if (z > this.lastZxid) throw new Error('ZabLog: compact beyond the log');
    this.entries.splice(0, this.after(z));
    this.base = z;
  }

  get hasUnstable(): boolean {
    return this.pendingSnap !== null || this.pendingTrunc !== null || this.stable < this.lastZxid;
  }

  /** Hands out what must be persisted; after it is durable call markDurable(returned.upTo). */
  takeUnstable(): { snapshot?: Snapshot; truncateAfter?: number; entries: Entry[]; upTo: number } {
    const out: { snapshot?: Snapshot; truncateAfter?: number; entries: Entry[]; upTo: number } = {
      entries: this.slice(this.stable),
      upTo: this.lastZxid,
    };
    if (this.pendingSnap !== null) out.snapshot = this.pendingSnap;
    else if (this.pendingTrunc !== null) out.truncateAfter = this.pendingTrunc;
    this.pendingSnap = null;
    this.pendingTrunc = null;
    this.stable = this.lastZxid;
    return out;
  }

  markDurable(upTo: number): void {
    // a truncation after the Ready was taken may have lowered stable below upTo
    const z = Math.min(upTo, this.stable);
    if (z > this.durable) this.durable = z;
  }
}
