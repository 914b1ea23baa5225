import type { Prng } from './prng.js';

/**
 * SimDisk is one node's disk: an append-only journal of records (a txn log) whose writes sit in a page
 * cache until `fsync`, plus small files written atomically and durably (tmp + fsync + rename).
 * `crash()` keeps the synced journal and, when `loseUnsynced` is set, only a random prefix of the
 * unsynced writes (writes reach the platter in order); otherwise all of them.
 */
export class SimDisk<R, F = unknown> {
  private synced: R[] = [];
  private unsynced: R[] = [];
  private readonly files = new Map<string, F>();
  fsyncs = 0;

  constructor(private readonly rng: Prng) {}

  append(rec: R): void {
    this.unsynced.push(rec);
  }

  fsync(): void {
    if (this.unsynced.length > 0) {
      for (const r of this.unsynced) this.synced.push(r);
      this.unsynced = [];
    }
    this.fsyncs++;
  }

  /** every record, synced or not, in write order (what a live process reads back) */
  records(): readonly R[] {
    return this.unsynced.length === 0 ? this.synced : [...this.synced, ...this.unsynced];
  }

  get unsyncedCount(): number {
    return this.unsynced.length;
  }

  /** Replaces the journal by `recs`, durably (a compaction: write a new file, fsync, rename). */
  rewrite(recs: R[]): void {
    this.synced = recs;
    this.unsynced = [];
  }

  writeFile(name: string, value: F): void {
    this.files.set(name, value);
  }

  readFile(name: string): F | undefined {
    return this.files.get(name);
  }

  /** The process dies: unsynced writes are lost (a random suffix of them) if loseUnsynced. */
  crash(loseUnsynced: boolean): { lost: number } {
    const keep = loseUnsynced ? this.rng.int(this.unsynced.length + 1) : this.unsynced.length;
    const lost = this.unsynced.length - keep;
    for (let i = 0; i < keep; i++) this.synced.push(this.unsynced[i]!);
    this.unsynced = [];
    return { lost };
  }
}
