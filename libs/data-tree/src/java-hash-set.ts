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
  /**
   * Bins are created on their first entry; a bin of one path is the string itself (most bins), an
   * array only once a second path collides into it: no array allocated per ephemeral.
   */
  private table: Bin[] | null = null;
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
    const bin = this.table[spread(s) & (this.table.length - 1)];
    return bin === undefined ? false : typeof bin === 'string' ? bin === s : bin.includes(s);
  }

  add(s: string): this {
    this.addIfAbsent(s);
    return this;
  }

  /** Adds `s`; false if it was already there (one hash computation for has + add). */
  addIfAbsent(s: string): boolean {
    if (!this.table) this.resize();
    const table = this.table!;
    const i = spread(s) & (table.length - 1);
    const bin = table[i];
    let binLength: number;
    if (bin === undefined) {
      table[i] = s;
      binLength = 1;
    } else if (typeof bin === 'string') {
      if (bin === s) return false;
      table[i] = [bin, s];
      binLength = 2;
    } else {
      if (bin.includes(s)) return false;
      bin.push(s);
      binLength = bin.length;
    }
    // HashMap.putVal: appending a 9th node to a bin "treeifies" it, which in a table below
    // MIN_TREEIFY_CAPACITY (64) is a resize instead
    if (binLength >= 9 && table.length < 64) this.resize();
    if (++this.count > this.threshold) this.resize();
    return true;
  }

  delete(s: string): boolean {
    if (!this.table) return false;
    const at = spread(s) & (this.table.length - 1);
    const bin = this.table[at];
    if (bin === undefined) return false;
    if (typeof bin === 'string') {
      if (bin !== s) return false;
      this.table[at] = undefined;
    } else {
      const i = bin.indexOf(s);
      if (i < 0) return false;
      bin.splice(i, 1);
    }
    this.count--;
    return true;
  }

  *[Symbol.iterator](): Iterator<string> {
    if (!this.table) return;
    for (const bin of this.table) {
      if (bin === undefined) continue;
      if (typeof bin === 'string') yield bin;
      else yield* bin;
    }
  }

  private resize(): void {
    const old = this.table;
    let cap: number;
    if (old) cap = old.length * 2;
    else cap = this.threshold > 0 ? this.threshold : 16;
    this.threshold = Math.trunc(cap * 0.75);
    const next: Bin[] = new Array<Bin>(cap).fill(undefined);
    // a split keeps each bin's relative order; walking the old bins in order does the same
    const put = (s: string): void => {
      const i = spread(s) & (cap - 1);
      const to = next[i];
      if (to === undefined) next[i] = s;
      else if (typeof to === 'string') next[i] = [to, s];
      else to.push(s);
    };
    if (old) {
      for (const bin of old) {
        if (bin === undefined) continue;
        if (typeof bin === 'string') put(bin);
        else for (const s of bin) put(s);
      }
    }
    this.table = next;
  }
}

type Bin = string | string[] | undefined;

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
