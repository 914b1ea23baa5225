/**
 * The replicated znode store: ZooKeeper's DataTree.processTxn as a pure, deterministic `apply`.
 *
 * Memory layout (a benchmark counts bytes per znode and the store must hold millions):
 *  - no map of full paths: each Znode holds a lazily created Map of its children by name, and a path is
 *    found by walking it from the root (a one-entry cache of the last parent makes runs of requests under
 *    one parent a single lookup). One hash-table entry per znode instead of two, and no full-path string
 *    kept per znode: loading a snapshot of millions of znodes is mostly these inserts;
 *  - a Znode holds only its slot, ephemeralOwner (a shared 0n when not ephemeral) and its children;
 *  - the numeric stat fields and the ACL reference live in typed-array columns indexed by the slot
 *    (no per-node boxed doubles for zxids/times);
 *  - data lives in a DataArena (large shared chunks, addressed by columns): no Buffer object per node;
 *  - ACL lists are interned in a reference-counted cache.
 */
import { JavaHashSet } from './java-hash-set.js';
import {
  CONTAINER_EPHEMERAL_OWNER,
  ErrorCode,
  EventType,
  TTL_EPHEMERAL_OWNER_MASK,
  type ACL,
  type JuteWriter,
  type MultiResult,
  type Stat,
} from '@paddock/protocol';
import { READ_ACL_UNSAFE } from './acl.js';
import { AclCache, OPEN_UNSAFE_ACL_REF } from './acl-cache.js';
import { DataArena } from './data-arena.js';
import { ParentPathCache } from './path.js';
import type { Txn, TxnHeader } from './txn.js';

export interface WatchTrigger {
  /** EventType 1..4 */
  type: number;
  path: string;
  /** NodeDeleted only: the ACL the node had, so delivery can still be filtered by READ permission */
  acl?: ACL[];
}

export interface ApplyResult {
  /** 0, or the error (error txn, or a failure while applying, e.g. on replay); 0 for any multi */
  err: number;
  /** the path the txn acted on (the created path for creates) */
  path?: string;
  /** stat after create2/createContainer/createTTL/setData/setACL (a plain create's reply has none) */
  stat?: Stat;
  /** per-op results of a multi */
  multi?: MultiResult[];
  /** in order: create X -> {NodeCreated,X},{NodeChildrenChanged,parent}; delete X -> {NodeDeleted,X},{NodeChildrenChanged,parent}; setData -> {NodeDataChanged,X} */
  triggers: WatchTrigger[];
}

/** Persisted stat fields (snapshot StatPersisted: no dataLength/numChildren). */
export interface StatPersisted {
  czxid: number;
  mzxid: number;
  ctime: number;
  mtime: number;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  pzxid: number;
}

export const ZERO_OWNER = 0n;
const EMPTY = Buffer.alloc(0);

export const PROC_ZOOKEEPER = '/zookeeper';
export const QUOTA_ZOOKEEPER = '/zookeeper/quota';
export const CONFIG_ZOOKEEPER = '/zookeeper/config';
export const QUOTA_LIMIT_NODE = 'zookeeper_limits';
export const QUOTA_STAT_NODE = 'zookeeper_stats';

const EXTENDED_FEATURE_BITS_MASK = 0x00ffff0000000000n;
const TTL_VALUE_MASK = 0x000000ffffffffffn;

export const EphemeralKind = { VOID: 0, NORMAL: 1, CONTAINER: 2, TTL: 3 } as const;
export type EphemeralKind = (typeof EphemeralKind)[keyof typeof EphemeralKind];

/** EphemeralType.get: TTL owners are recognised only when extended types are enabled. */
export function ephemeralKind(owner: bigint, extendedTypesEnabled: boolean): EphemeralKind {
  if (owner === ZERO_OWNER || owner === 0n) return EphemeralKind.VOID;
  if (extendedTypesEnabled && (owner & TTL_EPHEMERAL_OWNER_MASK) === TTL_EPHEMERAL_OWNER_MASK) {
    // only extended feature 0 (TTL) exists; ZooKeeper throws on others, we treat them as TTL-less ephemerals
    if ((owner & EXTENDED_FEATURE_BITS_MASK) === 0n) return EphemeralKind.TTL;
    return EphemeralKind.NORMAL;
  }
  if (owner === CONTAINER_EPHEMERAL_OWNER) return EphemeralKind.CONTAINER;
  return EphemeralKind.NORMAL;
}

export function ttlOwner(ttl: bigint): bigint {
  return BigInt.asIntN(64, TTL_EPHEMERAL_OWNER_MASK | ttl);
}

export function ttlOfOwner(owner: bigint): number {
  return Number(owner & TTL_VALUE_MASK);
}

/** A znode. Read its data/stat/ACL through the tree (dataOf, statOf, writeStat, aclOf); do not mutate. */
export class Znode {
  constructor(
    /** index into the tree's stat and data columns; -1 once deleted */
    public slot: number,
    /** session id for ephemerals, the container/TTL markers, or the shared 0n */
    public ephemeralOwner: bigint,
    /** children by name, created on the first child */
    public children: Map<string, Znode> | null,
  ) {}
}

/** Stat fields, the ACL ref and the data's address in the arena, one row per live node. */
class Columns {
  capacity: number;
  czxid: Float64Array;
  mzxid: Float64Array;
  pzxid: Float64Array;
  ctime: Float64Array;
  mtime: Float64Array;
  version: Int32Array;
  cversion: Int32Array;
  aversion: Int32Array;
  acl: Int32Array;
  dataChunk: Int32Array;
  dataOffset: Int32Array;
  /** -1: null data */
  dataLength: Int32Array;
  /** slots ever handed out: [0, next) */
  next = 0;
  private free: number[] = [];

  constructor(capacity = 1024) {
    this.capacity = capacity;
    this.czxid = new Float64Array(capacity);
    this.mzxid = new Float64Array(capacity);
    this.pzxid = new Float64Array(capacity);
    this.ctime = new Float64Array(capacity);
    this.mtime = new Float64Array(capacity);
    this.version = new Int32Array(capacity);
    this.cversion = new Int32Array(capacity);
    this.aversion = new Int32Array(capacity);
    this.acl = new Int32Array(capacity);
    this.dataChunk = new Int32Array(capacity);
    this.dataOffset = new Int32Array(capacity);
    this.dataLength = new Int32Array(capacity);
  }

  alloc(): number {
    const f = this.free.pop();
    if (f !== undefined) return f;
    if (this.next === this.capacity) this.grow();
    return this.next++;
  }

  release(slot: number): void {
    this.free.push(slot);
  }

  private grow(): void {
    const cap = this.capacity * 2;
    const f64 = (a: Float64Array): Float64Array => {
      const n = new Float64Array(cap);
      n.set(a);
      return n;
    };
    const i32 = (a: Int32Array): Int32Array => {
      const n = new Int32Array(cap);
      n.set(a);
      return n;
    };
    this.czxid = f64(this.czxid);
    this.mzxid = f64(this.mzxid);
    this.pzxid = f64(this.pzxid);
    this.ctime = f64(this.ctime);
    this.mtime = f64(this.mtime);
    this.version = i32(this.version);
    this.cversion = i32(this.cversion);
    this.aversion = i32(this.aversion);
    this.acl = i32(this.acl);
    this.dataChunk = i32(this.dataChunk);
    this.dataOffset = i32(this.dataOffset);
    this.dataLength = i32(this.dataLength);
    this.capacity = cap;
  }
}

/** StatsTrack: "count=4,bytes=5" optionally followed by "=;byteHardLimit=..;countHardLimit=..". */
export class StatsTrack {
  readonly stats = new Map<string, number>();

  constructor(text?: string | Buffer | null) {
    const s = text == null ? '' : typeof text === 'string' ? text : text.toString('utf8');
    if (s.length === 0) return;
    for (const pair of s.split(/[,;]+/)) {
      if (pair === '') continue;
      const kv = pair.split('=');
      const key = kv[0]!;
      const raw = kv[1] ?? '';
      const v = raw === '' ? -1 : Number(raw);
      if (Number.isInteger(v)) this.stats.set(key, v);
    }
  }

  private get(key: string): number {
    return this.stats.get(key) ?? -1;
  }
  get count(): number {
    return this.get('count');
  }
  set count(v: number) {
    this.stats.set('count', v);
  }
  get bytes(): number {
    return this.get('bytes');
  }
  set bytes(v: number) {
    this.stats.set('bytes', v);
  }
  get countHardLimit(): number {
    return this.get('countHardLimit');
  }
  get byteHardLimit(): number {
    return this.get('byteHardLimit');
  }

  toString(): string {
    let out = `count=${this.count},bytes=${this.bytes}`;
    const keys = [...this.stats.keys()].filter((k) => k !== 'count' && k !== 'bytes').sort();
    if (keys.length > 0) {
      out += '=';
      for (const k of keys) out += `;${k}=${this.stats.get(k)}`;
    }
    return out;
  }
}

export interface DataTreeOptions {
  /** zookeeper.extendedTypesEnabled: owners 0xFF.. are TTL nodes (default true; false = plain ephemerals, as ZooKeeper) */
  extendedTypesEnabled?: boolean;
}

// ---- digest helpers (two independent 32-bit FNV-style lanes) ----
const P1 = 0x01000193;
const P2 = 0x5bd1e995;

/**
 * The cversion clients see. Internally cversion counts child creates (it feeds sequential suffixes);
 * ZooKeeper reports it as changes to the children: every create has a delete except for the children
 * still present, so reported = 2 * creates - numChildren (DataNode.copyStat).
 */
/** Clients see ephemeralOwner 0 for containers and TTL nodes: the markers stay internal (as ZooKeeper 3.8). */
function visibleOwner(owner: bigint): bigint {
  if (owner === ZERO_OWNER) return ZERO_OWNER;
  const kind = ephemeralKind(owner, true);
  return kind === EphemeralKind.CONTAINER || kind === EphemeralKind.TTL ? ZERO_OWNER : owner;
}

function reportedCversion(creates: number, node: Znode): number {
  return (creates * 2 - (node.children === null ? 0 : node.children.size)) | 0;
}

export class DataTree {
  /** highest zxid applied (set by apply; set it after loading a snapshot) */
  lastProcessedZxid = 0;

  /** undefined only while a snapshot is being loaded, before its first node */
  private root: Znode | undefined;
  /** live znodes, the root included */
  private liveNodes = 0;
  /** the last parent found by walking (see parentByWalk); a deleted node (slot -1) is never returned from it */
  private cachedParentPath = '';
  private cachedParent: Znode | undefined;
  private readonly cols = new Columns();
  private readonly arena = new DataArena();
  private readonly parentPaths = new ParentPathCache();
  private readonly acls = new AclCache();
  /** per session, in java.util.HashSet order: closeSession deletes them in that order (see JavaHashSet) */
  private readonly ephemerals = new Map<bigint, JavaHashSet>();
  /** per session with ephemerals, the one bigint its nodes share as ephemeralOwner (see sharedOwner) */
  private readonly ownerRefs = new Map<bigint, bigint>();
  private readonly containers = new Set<string>();
  private readonly ttls = new Set<string>();
  /** real paths that have a quota (a zookeeper_limits node) */
  private readonly quotaPaths = new Set<string>();
  private dataSize = 0;
  private ephemeralTotal = 0;
  readonly extendedTypesEnabled: boolean;

  constructor(options?: DataTreeOptions & { empty?: boolean }) {
    this.extendedTypesEnabled = options?.extendedTypesEnabled ?? true;
    if (options?.empty) return;
    const root = this.newNode(EMPTY, OPEN_UNSAFE_ACL_REF, ZERO_OWNER, 0, 0);
    this.root = root;
    const proc = this.newNode(EMPTY, OPEN_UNSAFE_ACL_REF, ZERO_OWNER, 0, 0);
    this.addChild(root, 'zookeeper', proc);
    const quota = this.newNode(EMPTY, OPEN_UNSAFE_ACL_REF, ZERO_OWNER, 0, 0);
    this.addChild(proc, 'quota', quota);
    const config = this.newNode(EMPTY, this.acls.addUsage(READ_ACL_UNSAFE), ZERO_OWNER, 0, 0);
    this.addChild(proc, 'config', config);
    this.liveNodes = 4;
    // DataTree.addConfigNode sets the ACL with setACL(path, READ_ACL_UNSAFE, -1): aversion -1
    this.cols.aversion[config.slot] = -1;
    // ZooKeeper's approximate data size: path length + data length per node, the root under "" and "/"
    // (1); these four nodes hold no data
    this.dataSize = 1 + PROC_ZOOKEEPER.length + QUOTA_ZOOKEEPER.length + CONFIG_ZOOKEEPER.length;
  }

  // ------------------------------------------------------------------ reads

  /** The node at `path`; "" is an alias of the root "/", as in ZooKeeper. */
  getNode(path: string): Znode | undefined {
    const lastSlash = path.lastIndexOf('/');
    let parent: Znode | undefined;
    if (lastSlash > 0) {
      parent = this.parentOfPath(path, lastSlash);
    } else if (lastSlash === 0) {
      if (path.length === 1) return this.root;
      parent = this.root;
    } else {
      return path === '' ? this.root : undefined;
    }
    if (parent === undefined || parent.children === null) return undefined;
    return parent.children.get(path.substring(lastSlash + 1));
  }

  has(path: string): boolean {
    return this.getNode(path) !== undefined;
  }

  /** The parent of `path`, whose last '/' is at lastSlash > 0: the cached parent when `path` is under it (no substring built), else by walking. */
  private parentOfPath(path: string, lastSlash: number): Znode | undefined {
    const cached = this.cachedParent;
    const cachedPath = this.cachedParentPath;
    if (cached !== undefined && cached.slot >= 0 && cachedPath.length === lastSlash && path.startsWith(cachedPath)) return cached;
    return this.parentByWalk(path.substring(0, lastSlash));
  }

  /** The node at a parent path as createNode/deleteNode compute it ("" for children of the root). */
  private parentNode(parentPath: string): Znode | undefined {
    if (parentPath === '') return this.root;
    const cached = this.cachedParent;
    if (cached !== undefined && cached.slot >= 0 && parentPath === this.cachedParentPath) return cached;
    return this.parentByWalk(parentPath);
  }

  /** Walks `dir` ("/a/b", not the root) name by name from the root, and caches what it finds. */
  private parentByWalk(dir: string): Znode | undefined {
    if (dir.charCodeAt(0) !== 0x2f) return undefined;
    let node = this.root;
    let start = 1;
    for (;;) {
      if (node === undefined || node.children === null) return undefined;
      const slash = dir.indexOf('/', start);
      node = node.children.get(slash < 0 ? dir.substring(start) : dir.substring(start, slash));
      if (slash < 0) break;
      start = slash + 1;
    }
    if (node !== undefined) {
      this.cachedParentPath = dir;
      this.cachedParent = node;
    }
    return node;
  }

  /** The node's data: null, or bytes to treat as read-only (a view that stays valid after later writes). */
  dataOf(node: Znode): Buffer | null {
    return this.arena.view(this.cols, this.slotOf(node));
  }

  /** Length of the node's data (0 for null). */
  dataLengthOf(node: Znode): number {
    const len = this.cols.dataLength[this.slotOf(node)]!;
    return len < 0 ? 0 : len;
  }

  statOf(node: Znode): Stat {
    const s = this.slotOf(node);
    const c = this.cols;
    return {
      czxid: c.czxid[s]!,
      mzxid: c.mzxid[s]!,
      ctime: c.ctime[s]!,
      mtime: c.mtime[s]!,
      version: c.version[s]!,
      cversion: reportedCversion(c.cversion[s]!, node),
      aversion: c.aversion[s]!,
      ephemeralOwner: visibleOwner(node.ephemeralOwner),
      dataLength: this.dataLengthOf(node),
      numChildren: node.children === null ? 0 : node.children.size,
      pzxid: c.pzxid[s]!,
    };
  }

  statPersistedOf(node: Znode): StatPersisted {
    const s = this.slotOf(node);
    const c = this.cols;
    return {
      czxid: c.czxid[s]!,
      mzxid: c.mzxid[s]!,
      ctime: c.ctime[s]!,
      mtime: c.mtime[s]!,
      version: c.version[s]!,
      cversion: c.cversion[s]!,
      aversion: c.aversion[s]!,
      ephemeralOwner: node.ephemeralOwner,
      pzxid: c.pzxid[s]!,
    };
  }

  /** Writes the 68-byte Stat record without building an object. */
  writeStat(w: JuteWriter, node: Znode): void {
    const s = this.slotOf(node);
    const c = this.cols;
    w.writeLongNumber(c.czxid[s]!);
    w.writeLongNumber(c.mzxid[s]!);
    w.writeLongNumber(c.ctime[s]!);
    w.writeLongNumber(c.mtime[s]!);
    w.writeInt(c.version[s]!);
    w.writeInt(reportedCversion(c.cversion[s]!, node));
    w.writeInt(c.aversion[s]!);
    const owner = visibleOwner(node.ephemeralOwner);
    if (owner === ZERO_OWNER) w.writeLongNumber(0);
    else w.writeLong(owner);
    w.writeInt(this.dataLengthOf(node));
    w.writeInt(node.children === null ? 0 : node.children.size);
    w.writeLongNumber(c.pzxid[s]!);
  }

  /** Writes StatPersisted (snapshot layout). */
  writeStatPersisted(w: JuteWriter, node: Znode): void {
    const s = this.slotOf(node);
    const c = this.cols;
    w.writeLongNumber(c.czxid[s]!);
    w.writeLongNumber(c.mzxid[s]!);
    w.writeLongNumber(c.ctime[s]!);
    w.writeLongNumber(c.mtime[s]!);
    w.writeInt(c.version[s]!);
    w.writeInt(c.cversion[s]!);
    w.writeInt(c.aversion[s]!);
    if (node.ephemeralOwner === ZERO_OWNER) w.writeLongNumber(0);
    else w.writeLong(node.ephemeralOwner);
    w.writeLongNumber(c.pzxid[s]!);
  }

  /** The node's ACL (a shared list: do not mutate). */
  aclOf(node: Znode): ACL[] {
    return this.acls.get(this.cols.acl[this.slotOf(node)]!);
  }

  aclRefOf(node: Znode): number {
    return this.cols.acl[this.slotOf(node)]!;
  }

  childrenOf(node: Znode): string[] {
    return node.children === null ? [] : Array.from(node.children.keys());
  }

  numChildrenOf(node: Znode): number {
    return node.children === null ? 0 : node.children.size;
  }

  versionOf(node: Znode): number {
    return this.cols.version[this.slotOf(node)]!;
  }
  cversionOf(node: Znode): number {
    return this.cols.cversion[this.slotOf(node)]!;
  }
  aversionOf(node: Znode): number {
    return this.cols.aversion[this.slotOf(node)]!;
  }
  czxidOf(node: Znode): number {
    return this.cols.czxid[this.slotOf(node)]!;
  }
  mzxidOf(node: Znode): number {
    return this.cols.mzxid[this.slotOf(node)]!;
  }
  pzxidOf(node: Znode): number {
    return this.cols.pzxid[this.slotOf(node)]!;
  }
  mtimeOf(node: Znode): number {
    return this.cols.mtime[this.slotOf(node)]!;
  }

  /** The session's ephemeral paths in the order of ZooKeeper's DataTree.getEphemerals (a HashSet clone). */
  getEphemerals(sessionId: bigint): string[] {
    const set = this.ephemerals.get(sessionId);
    return set === undefined ? [] : Array.from(JavaHashSet.cloneOf(set));
  }

  /** Sessions that own ephemerals. */
  sessionsWithEphemerals(): bigint[] {
    return Array.from(this.ephemerals.keys());
  }

  /** The getEphemerals op: plain string-prefix match; "", blank or "/" returns all of the session's ephemerals. */
  ephemeralPathsByPrefix(prefix: string, sessionId: bigint): string[] {
    const all = this.getEphemerals(sessionId);
    const trimmed = prefix == null ? '' : prefix.trim();
    if (trimmed === '' || trimmed === '/') return all;
    return all.filter((p) => p.startsWith(prefix));
  }

  /** getAllChildrenNumber: number of descendants (0 if the node does not exist). */
  allChildrenNumber(path: string): number {
    if (path === '/') return this.liveNodes - 1;
    const node = this.getNode(path);
    if (node === undefined) return 0;
    let count = 0;
    const stack: Znode[] = [node];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (n.children === null) continue;
      for (const child of n.children.values()) {
        count++;
        stack.push(child);
      }
    }
    return count;
  }

  /** Like ZooKeeper's getNodeCount, the size of its path map, which includes the "" alias of the root (5 on a fresh tree). */
  get nodeCount(): number {
    return this.root === undefined ? 0 : this.liveNodes + 1;
  }

  /** ZooKeeper's cachedApproximateDataSize: sum of path length + data length (root counted under "" and "/"). */
  get approximateDataSize(): number {
    return this.dataSize;
  }

  get ephemeralCount(): number {
    return this.ephemeralTotal;
  }

  get aclCacheSize(): number {
    return this.acls.size;
  }

  containerPaths(): string[] {
    return Array.from(this.containers);
  }

  ttlPaths(): string[] {
    return Array.from(this.ttls);
  }

  /** ContainerManager candidates: containers without children that were used (cversion > 0), or never used for longer than maxNeverUsedMs (0 = never). */
  containersToDelete(nowMs: number, maxNeverUsedMs: number): string[] {
    const out: string[] = [];
    for (const path of this.containers) {
      const node = this.getNode(path);
      if (node === undefined || (node.children !== null && node.children.size > 0)) continue;
      const s = node.slot;
      if (this.cols.cversion[s]! > 0) out.push(path);
      else if (maxNeverUsedMs !== 0 && nowMs - this.cols.mtime[s]! > maxNeverUsedMs) out.push(path);
    }
    return out;
  }

  /** TTL nodes without children whose mtime is older than their ttl. */
  ttlExpired(nowMs: number): string[] {
    const out: string[] = [];
    for (const path of this.ttls) {
      const node = this.getNode(path);
      if (node === undefined || (node.children !== null && node.children.size > 0)) continue;
      if (ephemeralKind(node.ephemeralOwner, this.extendedTypesEnabled) !== EphemeralKind.TTL) continue;
      const ttl = ttlOfOwner(node.ephemeralOwner);
      if (ttl !== 0 && nowMs - this.cols.mtime[node.slot]! > ttl) out.push(path);
    }
    return out;
  }

  /** The quota prefix governing `path` (ZooKeeper's getMaxPrefixWithQuota), or null. */
  maxPrefixWithQuota(path: string): string | null {
    if (this.quotaPaths.size === 0) return null;
    if (this.quotaPaths.has(path) && path !== '/') return path;
    for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
      const p = path.substring(0, i);
      if (this.quotaPaths.has(p)) return p;
    }
    return null;
  }

  /**
   * Order-independent digest of every node (path, data, stat, ACL), as a bigint. Equal trees give equal
   * digests whatever their insertion order; used to compare replicas. The data of quota `zookeeper_stats`
   * nodes is left out (like ZooKeeper, which skips /zookeeper/ in its digest), because it is recomputed
   * when a snapshot is loaded.
   */
  digest(): bigint {
    let sum1 = 0;
    let sum2 = 0;
    const c = this.cols;
    for (const [path, node] of this.walk()) {
      let h1 = 0x811c9dc5;
      let h2 = 0x12345678;
      for (let i = 0; i < path.length; i++) {
        const ch = path.charCodeAt(i);
        h1 = Math.imul(h1 ^ ch, P1);
        h2 = Math.imul(h2 ^ ch, P2);
      }
      const data = this.arena.view(c, node.slot);
      const skipData = path.endsWith('/' + QUOTA_STAT_NODE) && path.startsWith(QUOTA_ZOOKEEPER + '/');
      if (data !== null && !skipData) {
        for (let i = 0; i < data.length; i++) {
          const b = data[i]!;
          h1 = Math.imul(h1 ^ b, P1);
          h2 = Math.imul(h2 ^ b, P2);
        }
      }
      const s = node.slot;
      const mix = (v: number): void => {
        const lo = v >>> 0;
        const hi = Math.floor(v / 4294967296) | 0;
        h1 = Math.imul(h1 ^ lo, P1);
        h1 = Math.imul(h1 ^ hi, P1);
        h2 = Math.imul(h2 ^ lo, P2);
        h2 = Math.imul(h2 ^ hi, P2);
      };
      mix(skipData ? 0 : data === null ? 0 : data.length);
      mix(c.czxid[s]!);
      mix(c.mzxid[s]!);
      mix(c.pzxid[s]!);
      mix(c.ctime[s]!);
      mix(c.mtime[s]!);
      mix(c.version[s]!);
      mix(c.cversion[s]!);
      mix(c.aversion[s]!);
      mix(node.children === null ? 0 : node.children.size);
      mix(this.acls.hashOf(c.acl[s]!));
      if (node.ephemeralOwner !== ZERO_OWNER) {
        const o = BigInt.asUintN(64, node.ephemeralOwner);
        mix(Number(o & 0xffffffffn));
        mix(Number(o >> 32n));
      }
      // final avalanche so that sums of similar nodes do not cancel
      h1 ^= h1 >>> 15;
      h1 = Math.imul(h1, 0x85ebca6b);
      h1 ^= h1 >>> 13;
      h2 ^= h2 >>> 16;
      h2 = Math.imul(h2, 0xc2b2ae35);
      h2 ^= h2 >>> 13;
      sum1 = (sum1 + (h1 >>> 0)) >>> 0;
      sum2 = (sum2 + (h2 >>> 0)) >>> 0;
    }
    return (BigInt(sum2) << 32n) | BigInt(sum1);
  }

  // ------------------------------------------------------------------ apply

  /**
   * Applies one committed txn, deterministically (time and zxid come from the header). Tolerant on replay
   * like DataTree.processTxn: a create of an existing node still raises the parent's cversion/pzxid when the
   * txn's parentCVersion is higher; deleting a missing node or setting data on one only yields an error code.
   */
  apply(header: TxnHeader, txn: Txn): ApplyResult {
    const triggers: WatchTrigger[] = [];
    const r = this.applyOne(header, txn, triggers);
    if (header.zxid > this.lastProcessedZxid) this.lastProcessedZxid = header.zxid;
    const out: ApplyResult = { err: r.err, triggers };
    if (r.path !== undefined) out.path = r.path;
    if (r.stat !== undefined) out.stat = r.stat;
    if (r.multi !== undefined) out.multi = r.multi;
    return out;
  }

  private applyOne(header: TxnHeader, txn: Txn, triggers: WatchTrigger[]): { err: number; path?: string; stat?: Stat; multi?: MultiResult[] } {
    switch (txn.type) {
      case 1:
      case 15:
      case 19:
      case 21: {
        const owner =
          txn.type === 19
            ? CONTAINER_EPHEMERAL_OWNER
            : txn.type === 21
              ? ttlOwner(txn.ttl)
              : txn.ephemeral
                ? header.sessionId
                : ZERO_OWNER;
        const err = this.createNode(txn.path, txn.data, txn.acl, owner, txn.parentCVersion, header.zxid, header.time, triggers);
        if (err === ErrorCode.NODE_EXISTS) {
          // replay over a fuzzy snapshot: still move the parent's cversion/pzxid forward
          const err2 = this.setCversionPzxid(txn.path.substring(0, txn.path.lastIndexOf('/')), txn.parentCVersion, header.zxid);
          return { err: err2 === 0 ? err : err2, path: txn.path };
        }
        if (err !== 0) return { err, path: txn.path };
        // a plain create answers with the path only (also inside a multi): no Stat to build
        if (txn.type === 1) return { err: 0, path: txn.path };
        return { err: 0, path: txn.path, stat: this.statOf(this.getNode(txn.path)!) };
      }
      case 2:
      case 20:
        return { err: this.deleteNode(txn.path, header.zxid, triggers), path: txn.path };
      case 5:
      case 16: {
        const node = this.getNode(txn.path);
        if (node === undefined) return { err: ErrorCode.NO_NODE, path: txn.path };
        this.setData(txn.path, node, txn.data, txn.version, header.zxid, header.time);
        triggers.push({ type: EventType.NodeDataChanged, path: txn.path });
        return { err: 0, path: txn.path, stat: this.statOf(node) };
      }
      case 7: {
        const node = this.getNode(txn.path);
        if (node === undefined) return { err: ErrorCode.NO_NODE, path: txn.path };
        const s = node.slot;
        const newRef = this.acls.addUsage(txn.acl);
        this.acls.removeUsage(this.cols.acl[s]!);
        this.cols.acl[s] = newRef;
        this.cols.aversion[s] = txn.version;
        return { err: 0, path: txn.path, stat: this.statOf(node) };
      }
      case 13:
        return { err: 0, path: txn.path };
      case -10:
        return { err: 0 };
      case -11:
        this.killSession(header.sessionId, header.zxid, txn.paths, triggers);
        return { err: 0 };
      case -1:
        return { err: txn.err };
      case 14:
        return { err: 0, multi: this.applyMulti(header, txn.txns, triggers) };
      default:
        return { err: ErrorCode.UNIMPLEMENTED };
    }
  }

  private applyMulti(header: TxnHeader, txns: Txn[], triggers: WatchTrigger[]): MultiResult[] {
    let failed = false;
    for (const t of txns) {
      if (t.type === -1) {
        failed = true;
        break;
      }
    }
    let postFailed = false;
    const results: MultiResult[] = [];
    for (const sub of txns) {
      let t: Txn = sub;
      if (sub.type === -1) postFailed = true;
      else if (failed) t = { type: -1, err: postFailed ? ErrorCode.RUNTIME_INCONSISTENCY : ErrorCode.OK };
      if (t.type === 14 || t.type === -10 || t.type === -11) {
        results.push({ type: -1, err: ErrorCode.MARSHALLING_ERROR });
        continue;
      }
      const r = this.applyOne({ ...header, type: t.type }, t, triggers);
      if (t.type === -1) {
        results.push({ type: -1, err: r.err });
      } else if (r.err !== 0) {
        results.push({ type: -1, err: r.err });
      } else {
        switch (t.type) {
          case 1:
            results.push({ type: 1, path: r.path! });
            break;
          case 15:
          case 19:
          case 21:
            results.push({ type: 15, path: r.path!, stat: r.stat! });
            break;
          case 2:
          case 20:
            results.push({ type: 2 });
            break;
          case 5:
          case 16:
            results.push({ type: 5, stat: r.stat! });
            break;
          case 13:
            results.push({ type: 13 });
            break;
          default:
            results.push({ type: -1, err: ErrorCode.MARSHALLING_ERROR });
        }
      }
    }
    return results;
  }

  // ------------------------------------------------------------------ mutations

  private slotOf(node: Znode): number {
    const s = node.slot;
    if (s < 0) throw new Error('znode was deleted');
    return s;
  }

  private newNode(data: Uint8Array | null, aclRef: number, owner: bigint, zxid: number, time: number): Znode {
    const slot = this.cols.alloc();
    const c = this.cols;
    this.arena.put(c, slot, data);
    c.czxid[slot] = zxid;
    c.mzxid[slot] = zxid;
    c.pzxid[slot] = zxid;
    c.ctime[slot] = time;
    c.mtime[slot] = time;
    c.version[slot] = 0;
    c.cversion[slot] = 0;
    c.aversion[slot] = 0;
    c.acl[slot] = aclRef;
    return new Znode(slot, owner, null);
  }

  private addChild(parent: Znode, name: string, child: Znode): void {
    if (parent.children === null) parent.children = new Map();
    parent.children.set(name, child);
  }

  private removeChild(parent: Znode, name: string): void {
    const ch = parent.children;
    if (ch === null) return;
    ch.delete(name);
    if (ch.size === 0) parent.children = null;
  }

  /** Frees a deleted node's slot: its data becomes arena garbage. */
  private releaseSlot(slot: number): void {
    this.arena.free(this.cols, slot);
    this.cols.release(slot);
  }

  /** Replaces a live node's data (the arena copies it: a node never pins a request frame). */
  private replaceData(node: Znode, data: Uint8Array | null): void {
    const s = node.slot;
    this.arena.free(this.cols, s);
    this.arena.put(this.cols, s, data);
    this.arena.maybeCompact(this.cols, this.cols.next);
  }

  private trackOwner(path: string, owner: bigint): bigint {
    switch (ephemeralKind(owner, this.extendedTypesEnabled)) {
      case EphemeralKind.VOID:
        return ZERO_OWNER;
      case EphemeralKind.CONTAINER:
        this.containers.add(path);
        return CONTAINER_EPHEMERAL_OWNER;
      case EphemeralKind.TTL:
        this.ttls.add(path);
        return owner;
      default: {
        let set = this.ephemerals.get(owner);
        if (set === undefined) {
          set = new JavaHashSet();
          this.ephemerals.set(owner, set);
          this.ownerRefs.set(owner, owner);
        }
        if (set.addIfAbsent(path)) this.ephemeralTotal++;
        return owner;
      }
    }
  }

  private untrackOwner(path: string, owner: bigint): void {
    switch (ephemeralKind(owner, this.extendedTypesEnabled)) {
      case EphemeralKind.VOID:
        return;
      case EphemeralKind.CONTAINER:
        this.containers.delete(path);
        return;
      case EphemeralKind.TTL:
        this.ttls.delete(path);
        return;
      default: {
        const set = this.ephemerals.get(owner);
        if (set !== undefined && set.delete(path)) {
          this.ephemeralTotal--;
          if (set.size === 0) {
            this.ephemerals.delete(owner);
            this.ownerRefs.delete(owner);
          }
        }
      }
    }
  }

  private createNode(
    path: string,
    data: Buffer | null,
    acl: ACL[],
    owner: bigint,
    parentCVersion: number,
    zxid: number,
    time: number,
    triggers: WatchTrigger[],
  ): number {
    const lastSlash = path.lastIndexOf('/');
    if (lastSlash < 0) return ErrorCode.BAD_ARGUMENTS;
    const parentName = this.parentPaths.of(path, lastSlash);
    const childName = path.substring(lastSlash + 1);
    const parent = this.parentNode(parentName);
    if (parent === undefined) return ErrorCode.NO_NODE;
    if (parent.children !== null && parent.children.has(childName)) return ErrorCode.NODE_EXISTS;
    const ps = parent.slot;
    const c = this.cols;
    if (parentCVersion === -1) parentCVersion = (c.cversion[ps]! + 1) | 0;
    if (parentCVersion > c.cversion[ps]!) {
      c.cversion[ps] = parentCVersion;
      c.pzxid[ps] = zxid;
    }
    // register the owner first so a session's ephemerals share one bigint
    const ownerRef = owner === ZERO_OWNER || owner === 0n ? ZERO_OWNER : this.sharedOwner(owner);
    const child = this.newNode(data, this.acls.addUsage(acl), ownerRef, zxid, time);
    const storedLength = data === null ? 0 : data.length;
    // newNode allocated a slot: columns may have grown, re-read through this.cols
    this.addChild(parent, childName, child);
    this.liveNodes++;
    this.dataSize += path.length + storedLength;
    child.ephemeralOwner = this.trackOwner(path, ownerRef);

    if (parentName.startsWith(QUOTA_ZOOKEEPER)) {
      if (childName === QUOTA_LIMIT_NODE) this.addQuotaPath(trimQuotaPath(parentName));
      if (childName === QUOTA_STAT_NODE) this.updateQuotaForPath(trimQuotaPath(parentName));
    }
    const lastPrefix = this.maxPrefixWithQuota(path);
    if (lastPrefix !== null) this.updateQuotaStat(lastPrefix, storedLength, 1);

    triggers.push({ type: EventType.NodeCreated, path });
    triggers.push({ type: EventType.NodeChildrenChanged, path: parentName === '' ? '/' : parentName });
    return 0;
  }

  /** One bigint object per session for all of its ephemerals. */
  private sharedOwner(owner: bigint): bigint {
    if (owner === CONTAINER_EPHEMERAL_OWNER) return CONTAINER_EPHEMERAL_OWNER;
    return this.ownerRefs.get(owner) ?? owner;
  }

  private setCversionPzxid(path: string, newCversion: number, zxid: number): number {
    if (path.endsWith('/')) path = path.substring(0, path.length - 1);
    const node = this.getNode(path);
    if (node === undefined) return ErrorCode.NO_NODE;
    const s = node.slot;
    if (newCversion === -1) newCversion = (this.cols.cversion[s]! + 1) | 0;
    if (newCversion > this.cols.cversion[s]!) {
      this.cols.cversion[s] = newCversion;
      this.cols.pzxid[s] = zxid;
    }
    return 0;
  }

  private deleteNode(path: string, zxid: number, triggers: WatchTrigger[]): number {
    const lastSlash = path.lastIndexOf('/');
    if (lastSlash < 0 || path === '/') return ErrorCode.BAD_ARGUMENTS;
    const parentName = this.parentPaths.of(path, lastSlash);
    const childName = path.substring(lastSlash + 1);
    const parent = this.parentNode(parentName);
    if (parent === undefined) return ErrorCode.NO_NODE;
    const node = parent.children === null ? undefined : parent.children.get(childName);
    // the child may already be gone (fuzzy snapshot): pzxid still moves forward
    this.removeChild(parent, childName);
    if (zxid > this.cols.pzxid[parent.slot]!) this.cols.pzxid[parent.slot] = zxid;

    if (node === undefined) return ErrorCode.NO_NODE;
    const deletedAcl = this.aclOf(node);
    this.liveNodes--;
    const s = node.slot;
    this.acls.removeUsage(this.cols.acl[s]!);
    const len = this.dataLengthOf(node);
    this.dataSize -= path.length + len;
    this.untrackOwner(path, node.ephemeralOwner);
    node.slot = -1;
    this.releaseSlot(s);
    this.arena.maybeCompact(this.cols, this.cols.next);
    // an orphaned subtree cannot exist (NotEmpty), but keep the index sane if a replay deletes a parent first
    if (node.children !== null) {
      for (const [name, child] of node.children) this.dropSubtree(path + '/' + name, child);
      node.children = null;
    }

    if (parentName.startsWith(PROC_ZOOKEEPER) && childName === QUOTA_LIMIT_NODE) {
      this.quotaPaths.delete(trimQuotaPath(parentName));
    }
    const lastPrefix = this.maxPrefixWithQuota(path);
    if (lastPrefix !== null) this.updateQuotaStat(lastPrefix, -len, -1);

    triggers.push({ type: EventType.NodeDeleted, path, acl: deletedAcl });
    triggers.push({ type: EventType.NodeChildrenChanged, path: parentName === '' ? '/' : parentName });
    return 0;
  }

  private dropSubtree(path: string, node: Znode): void {
    if (node.children !== null) for (const [name, child] of node.children) this.dropSubtree(path + '/' + name, child);
    this.liveNodes--;
    this.acls.removeUsage(this.cols.acl[node.slot]!);
    this.dataSize -= path.length + this.dataLengthOf(node);
    this.untrackOwner(path, node.ephemeralOwner);
    this.releaseSlot(node.slot);
    node.slot = -1;
    node.children = null;
  }

  private setData(path: string, node: Znode, data: Buffer | null, version: number, zxid: number, time: number): void {
    const lastLen = this.dataLengthOf(node);
    this.replaceData(node, data);
    const s = node.slot;
    this.cols.mtime[s] = time;
    this.cols.mzxid[s] = zxid;
    this.cols.version[s] = version;
    const newLen = data === null ? 0 : data.length;
    const lastPrefix = this.maxPrefixWithQuota(path);
    if (lastPrefix !== null) this.updateQuotaStat(lastPrefix, newLen - lastLen, 0);
    // the root is counted twice, under "" and "/" (ZooKeeper's map has both)
    this.dataSize += (newLen - lastLen) * (path === '/' || path === '' ? 2 : 1);
  }

  private killSession(sessionId: bigint, zxid: number, paths: string[], triggers: WatchTrigger[]): void {
    const local = this.ephemerals.get(sessionId);
    const remaining = local === undefined ? undefined : new Set(local);
    for (const p of paths) {
      this.deleteNode(p, zxid, triggers);
      remaining?.delete(p);
    }
    if (remaining !== undefined) for (const p of remaining) this.deleteNode(p, zxid, triggers);
    const left = this.ephemerals.get(sessionId);
    if (left !== undefined && left.size === 0) {
      this.ephemerals.delete(sessionId);
      this.ownerRefs.delete(sessionId);
    }
  }

  // ------------------------------------------------------------------ quotas

  private addQuotaPath(p: string): void {
    if (p !== '' && p !== '/') this.quotaPaths.add(p);
  }

  private updateQuotaStat(lastPrefix: string, bytesDiff: number, countDiff: number): void {
    const statNode = this.getNode(QUOTA_ZOOKEEPER + lastPrefix + '/' + QUOTA_STAT_NODE);
    if (statNode === undefined) return;
    const st = new StatsTrack(this.dataOf(statNode));
    st.count = st.count + countDiff;
    st.bytes = st.bytes + bytesDiff;
    this.replaceData(statNode, Buffer.from(st.toString(), 'utf8'));
  }

  private updateQuotaForPath(path: string): void {
    if (path === '') return;
    let count = 0;
    let bytes = 0;
    const top = this.getNode(path);
    const stack = top === undefined ? [] : [top];
    while (stack.length > 0) {
      const n = stack.pop()!;
      count++;
      bytes += this.dataLengthOf(n);
      if (n.children !== null) for (const child of n.children.values()) stack.push(child);
    }
    const statNode = this.getNode(QUOTA_ZOOKEEPER + path + '/' + QUOTA_STAT_NODE);
    if (statNode === undefined) return;
    const st = new StatsTrack();
    st.count = count;
    st.bytes = bytes;
    this.replaceData(statNode, Buffer.from(st.toString(), 'utf8'));
  }

  /** Rebuilds quota bookkeeping from the /zookeeper/quota subtree (after a snapshot load). */
  private setupQuota(): void {
    const stack = [QUOTA_ZOOKEEPER];
    while (stack.length > 0) {
      const p = stack.pop()!;
      const n = this.getNode(p);
      if (n === undefined) continue;
      if (n.children === null) {
        const end = '/' + QUOTA_LIMIT_NODE;
        if (p.endsWith(end)) {
          const real = p.substring(QUOTA_ZOOKEEPER.length, p.indexOf(end));
          this.updateQuotaForPath(real);
          this.addQuotaPath(real);
        }
        continue;
      }
      for (const name of n.children.keys()) stack.push(p + '/' + name);
    }
  }

  /** Every node with its path, root first ("/"), parents before children. */
  private *walk(): Generator<[string, Znode]> {
    const root = this.root;
    if (root === undefined) return;
    yield ['/', root];
    const stack: Array<[string, Znode]> = [['', root]];
    while (stack.length > 0) {
      const [path, node] = stack.pop()!;
      if (node.children === null) continue;
      for (const [name, child] of node.children) {
        const childPath = path + '/' + name;
        yield [childPath, child];
        stack.push([childPath, child]);
      }
    }
  }

  // ------------------------------------------------------------------ snapshot support (used by snapshot.ts)

  /** @internal ACL cache contents, for a snapshot. */
  aclCacheEntries(): Array<[number, ACL[]]> {
    return this.acls.entries();
  }

  /** @internal */
  hasAclRef(ref: number): boolean {
    return this.acls.has(ref);
  }

  /** @internal defines an ACL ref while loading a snapshot */
  loadAcl(ref: number, acl: ACL[]): void {
    this.acls.define(ref, acl);
  }

  /**
   * @internal adds one node while loading a snapshot (pre-order: the parent must already be loaded). Its
   * data is the `dataLength` bytes of `source` at `dataStart` (-1: null), copied; `st` may be reused.
   */
  loadNode(path: string, source: Buffer, dataStart: number, dataLength: number, aclRef: number, st: StatPersisted): void {
    if (!this.acls.has(aclRef)) throw new Error(`invalid snapshot: node "${path}" references unknown ACL ${aclRef}`);
    const lastSlash = path.lastIndexOf('/');
    let parent: Znode | undefined;
    if (path === '') {
      if (this.root !== undefined) throw new Error('invalid snapshot: duplicate node ""');
    } else if (lastSlash < 0 || path === '/') {
      throw new Error(`invalid snapshot: bad node path "${path}"`);
    } else {
      // pre-order: siblings follow each other, so the cached parent is usually this one's
      parent = lastSlash === 0 ? this.root : this.parentOfPath(path, lastSlash);
      if (parent === undefined) throw new Error(`invalid snapshot: unable to find parent "${path.substring(0, lastSlash)}" of path "${path}"`);
    }
    let owner = st.ephemeralOwner === 0n ? ZERO_OWNER : st.ephemeralOwner;
    if (owner !== ZERO_OWNER) owner = this.sharedOwner(owner);
    const node = this.newNode(null, aclRef, owner, st.czxid, st.ctime);
    const s = node.slot;
    const c = this.cols;
    this.arena.putRange(c, s, source, dataStart, dataLength);
    c.mzxid[s] = st.mzxid;
    c.pzxid[s] = st.pzxid;
    c.mtime[s] = st.mtime;
    c.version[s] = st.version;
    c.cversion[s] = st.cversion;
    c.aversion[s] = st.aversion;
    this.acls.addRefUsage(aclRef);
    this.liveNodes++;
    const storedLength = dataLength < 0 ? 0 : dataLength;
    if (parent === undefined) {
      this.root = node;
      this.dataSize += 1 + 2 * storedLength; // counted under "" and "/", as ZooKeeper's map has both
      return;
    }
    this.dataSize += path.length + storedLength;
    if (parent.children === null) parent.children = new Map();
    const known = parent.children.size;
    parent.children.set(path.substring(lastSlash + 1), node);
    // one hash lookup instead of has() + set(): a duplicate replaced an entry instead of adding one
    // (the load is abandoned, so the overwritten entry does not matter)
    if (parent.children.size === known) throw new Error(`invalid snapshot: duplicate node "${path}"`);
    node.ephemeralOwner = this.trackOwner(path, owner);
  }

  /** @internal finishes a snapshot load */
  finishLoad(): void {
    if (this.root === undefined) throw new Error('invalid snapshot: no root node');
    // dataSize was summed by loadNode
    this.setupQuota();
    this.acls.purgeUnused();
  }
}

export function trimQuotaPath(quotaPath: string): string {
  if (!quotaPath.startsWith(QUOTA_ZOOKEEPER)) return '';
  return quotaPath.substring(QUOTA_ZOOKEEPER.length);
}
