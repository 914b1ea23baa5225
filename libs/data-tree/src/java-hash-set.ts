/**
 * A set of strings that iterates in the order java.util.HashSet<String> (JDK 8-18 HashMap) would.
 *
 * ZooKeeper keeps a session's ephemeral paths in a HashSet, and closeSession deletes them in that set's
 * iteration order (PrepRequestProcessor clones the set, CloseSessionTxn lists it, DataTree.killSession
 * deletes in list order), so the order of the NodeDeleted / NodeChildrenChanged events a session's end
 * produces is the HashSet order. This reproduces it: String.hashCode, the spread `h ^ (h >>> 16)`,
 * power-of-two tables that double when size exceeds 3/4 of the capacity (or when a bin gets a 9th entry
 * while the table is below 64), bins appended at the tail, and `clone()`'s pre-sizing.
 * (Tree bins, made only from 8 colliding entries in a table of 64 or more, are not modelled.)
 */
export class JavaHashSet implements Iterable<string> {
  /** bins are created on their first entry (most stay empty or hold one path) */
  private table: (string[] | undefined)[] | null = null;
  private threshold: number;
  private count = 0;

  /** `new HashSet<>()`: capacity 16 on the first add. */
  constructor(initialThreshold = 0) {
    this.threshold = initialThreshold;
  }

  /** `HashSet.clone()` of a set that iterates as `ordered`: a table pre-sized for its size, filled in that order. */
  static cloneOf(ordered: Iterable<string>): JavaHashSet {
    const items = Array.from(ordered);
    if (items.length === 0) return new JavaHashSet();
    const ft = Math.fround(Math.fround(items.length / 0.75) + 1);
    const out = new JavaHashSet(tableSizeFor(Math.trunc(ft)));
    for (const s of items) out.add(s);
    return out;
  }

  get size(): number {
    return this.count;
  }

  /** Current table length (for tests). */
  get capacity(): number {
    return this.table?.length ?? 0;
  }

  has(s: string): boolean {
    if (!this.table) return false;
    return this.table[spread(s) & (this.table.length - 1)]?.includes(s) ?? false;
  }

  add(s: string): this {
    if (!this.table) this.resize();
    const table = this.table!;
    const i = spread(s) & (table.length - 1);
    let bin = table[i];
    if (bin === undefined) table[i] = bin = [s];
    else if (bin.includes(s)) return this;
    else bin.push(s);
    // HashMap.putVal: appending a 9th node to a bin "treeifies" it, which in a table below
    // MIN_TREEIFY_CAPACITY (64) is a resize instead
    if (bin.length >= 9 && this.table!.length < 64) this.resize();
    if (++this.count > this.threshold) this.resize();
    return this;
  }

  delete(s: string): boolean {
    if (!this.table) return false;
    const bin = this.table[spread(s) & (this.table.length - 1)];
    if (bin === undefined) return false;
    const i = bin.indexOf(s);
    if (i < 0) return false;
    bin.splice(i, 1);
    this.count--;
    return true;
  }

  *[Symbol.iterator](): Iterator<string> {
    if (!this.table) return;
    for (const bin of this.table) if (bin !== undefined) yield* bin;
  }

  private resize(): void {
    const old = this.table;
    let cap: number;
    if (old) cap = old.length * 2;
    else cap = this.threshold > 0 ? this.threshold : 16;
    this.threshold = Math.trunc(cap * 0.75);
    const next: (string[] | undefined)[] = new Array<string[] | undefined>(cap).fill(undefined);
    // a split keeps each bin's relative order; walking the old bins in order does the same
    if (old) {
      for (const bin of old) {
        if (bin === undefined) continue;
        for (const s of bin) {
          const i = spread(s) & (cap - 1);
          const to = next[i];
          if (to === undefined) next[i] = [s];
          else to.push(s);
        }
      }
    }
    this.table = next;
  }
}

/** java.lang.String.hashCode over UTF-16 code units. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

function spread(s: string): number {
  const h = javaStringHash(s);
  return h ^ (h >>> 16);
}

/** HashMap.tableSizeFor: the smallest power of two >= c (1 for c <= 1). */
function tableSizeFor(c: number): number {
  if (c <= 1) return 1;
  let n = 1;
  while (n < c) n *= 2;
  return Math.min(n, 1 << 30);
}
