/**
 * ZooKeeper's PrepRequestProcessor as a pure function: validates a write against the tree plus the overlay
 * of proposed-but-not-applied changes, and turns it into the txn to log (an error txn on failure).
 * Checks run in ZooKeeper 3.8's order so error codes match a real server.
 */
import { JavaHashSet } from './java-hash-set.js';
import {
  CONTAINER_EPHEMERAL_OWNER,
  ErrorCode,
  MAX_TTL,
  Perms,
  type ACL,
  type CheckVersionRequest,
  type CreateRequest,
  type DeleteRequest,
  type Id,
  type MultiOp,
  type SetACLRequest,
  type SetDataRequest,
} from '@paddock/protocol';
import { checkPermission, fixupACL } from './acl.js';
import {
  CONFIG_ZOOKEEPER,
  DataTree,
  EphemeralKind,
  PROC_ZOOKEEPER,
  QUOTA_LIMIT_NODE,
  QUOTA_STAT_NODE,
  QUOTA_ZOOKEEPER,
  StatsTrack,
  ZERO_OWNER,
  ephemeralKind,
  ttlOwner,
  type StatPersisted,
} from './data-tree.js';
import { ParentPathCache, sequentialSuffix, validatePath } from './path.js';
import type { Txn } from './txn.js';

/** A proposed change to one path (ZooKeeperServer.ChangeRecord). `stat === null` means the node is being deleted. */
export interface ChangeRecord {
  zxid: number;
  path: string;
  stat: StatPersisted | null;
  childCount: number;
  acl: ACL[] | null;
  data: Buffer | null;
}

/**
 * A prep failure carrying its ZooKeeper code. Thrown as control flow on every failed write, so it is
 * deliberately not an Error: capturing a stack trace per rejected request is measurable CPU.
 */
class KeeperError {
  constructor(readonly code: number) {}
}

function fail(code: number): never {
  throw new KeeperError(code);
}

/** Outstanding changes (zks.outstandingChanges + outstandingChangesForPath). */
export class PendingChanges {
  private queue: ChangeRecord[] = [];
  private head = 0;
  private readonly byPath = new Map<string, ChangeRecord>();
  /** @internal shared by preps: parent paths of consecutive requests under one parent are one string */
  readonly parentPaths = new ParentPathCache();

  constructor(readonly tree: DataTree) {}

  /** Number of outstanding change records. */
  get size(): number {
    return this.queue.length - this.head;
  }

  /** Drops records of txns with zxid <= `zxid` (call after the txn was applied to the tree). */
  committed(zxid: number): void {
    const q = this.queue;
    while (this.head < q.length && q[this.head]!.zxid <= zxid) {
      const cr = q[this.head]!;
      this.head++;
      if (this.byPath.get(cr.path) === cr) this.byPath.delete(cr.path);
    }
    if (this.head === q.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > q.length) {
      this.queue = q.slice(this.head);
      this.head = 0;
    }
  }

  /** Forgets every outstanding change (e.g. on leader change, when uncommitted proposals are dropped). */
  clear(): void {
    this.queue = [];
    this.head = 0;
    this.byPath.clear();
  }

  /** The outstanding record for a path, if any. */
  outstanding(path: string): ChangeRecord | undefined {
    return this.byPath.get(path);
  }

  /** All outstanding records, oldest first. */
  records(): ChangeRecord[] {
    return this.queue.slice(this.head);
  }

  /** @internal */
  add(cr: ChangeRecord): void {
    this.queue.push(cr);
    this.byPath.set(cr.path, cr);
  }

  /** getRecordForPath: the overlay's view of a node, or null when it does not exist. */
  recordFor(path: string): ChangeRecord | null {
    let cr = this.byPath.get(path);
    if (cr === undefined) {
      const n = this.tree.getNode(path);
      if (n === undefined) return null;
      cr = {
        zxid: -1,
        path,
        stat: this.tree.statPersistedOf(n),
        childCount: this.tree.numChildrenOf(n),
        acl: this.tree.aclOf(n),
        data: this.tree.dataOf(n),
      };
    }
    return cr.stat === null ? null : cr;
  }

  /** @internal rollbackPendingChanges */
  rollback(zxid: number, saved: Map<string, ChangeRecord>): void {
    const q = this.queue;
    while (q.length > this.head && q[q.length - 1]!.zxid === zxid) {
      const c = q.pop()!;
      this.byPath.delete(c.path);
    }
    if (q.length === this.head) {
      this.queue = [];
      this.head = 0;
      return;
    }
    const firstZxid = q[this.head]!.zxid;
    for (const c of saved.values()) {
      if (c.zxid < firstZxid) continue;
      this.byPath.set(c.path, c);
    }
  }
}

export interface PrepContext {
  sessionId: bigint;
  /** the connection's ids: {scheme:'ip', id:addr}, digest ids, {scheme:'super'} ... */
  authIds: Id[];
  /** zxid this txn will carry */
  zxid: number;
  /** time this txn will carry (header.time) */
  time: number;
  /** zookeeper.extendedTypesEnabled (TTL nodes) */
  extendedTypesEnabled: boolean;
  skipACL?: boolean;
  /** false -> SessionMoved (-118) where ZooKeeper calls sessionTracker.checkSession */
  isSessionOwner?: (id: bigint) => boolean;
  /**
   * Where ZooKeeper calls sessionTracker.checkSession / checkGlobalSession (`global` for ephemeral creates):
   * return 0, or the error (-112 SessionExpired, -118 SessionMoved, -120 EphemeralOnLocalSession).
   */
  checkSession?: (sessionId: bigint, global: boolean) => number;
  enforceQuota?: boolean;
  /** the session's ephemerals for closeSession (defaults to the tree's) */
  sessionEphemerals?(sessionId: bigint): string[];
}

/** Requests prepWrite accepts, by op. */
export type WriteRequest =
  | CreateRequest
  | DeleteRequest
  | SetDataRequest
  | SetACLRequest
  | CheckVersionRequest
  | MultiOp[]
  | { path: string } // deleteContainer (20)
  | { timeOut: number } // createSession (-10)
  | null
  | undefined; // closeSession (-11)

// ---- CreateMode ----
interface CreateMode {
  flag: number;
  ephemeral: boolean;
  sequential: boolean;
  container: boolean;
  ttl: boolean;
}
const CREATE_MODES: readonly CreateMode[] = [
  { flag: 0, ephemeral: false, sequential: false, container: false, ttl: false },
  { flag: 1, ephemeral: true, sequential: false, container: false, ttl: false },
  { flag: 2, ephemeral: false, sequential: true, container: false, ttl: false },
  { flag: 3, ephemeral: true, sequential: true, container: false, ttl: false },
  { flag: 4, ephemeral: false, sequential: false, container: true, ttl: false },
  { flag: 5, ephemeral: false, sequential: false, container: false, ttl: true },
  { flag: 6, ephemeral: false, sequential: true, container: false, ttl: true },
];

/** CreateMode.fromFlag: BadArguments for an unknown flag. */
function createModeFromFlag(flags: number): CreateMode {
  const m = Number.isInteger(flags) && flags >= 0 && flags <= 6 ? CREATE_MODES[flags] : undefined;
  if (m === undefined) fail(ErrorCode.BAD_ARGUMENTS);
  return m;
}

function createModeLenient(flags: number): CreateMode {
  return (Number.isInteger(flags) && flags >= 0 && flags <= 6 ? CREATE_MODES[flags] : undefined) ?? CREATE_MODES[0]!;
}

function isSpecialPath(path: string): boolean {
  return path === '/' || path === PROC_ZOOKEEPER || path === QUOTA_ZOOKEEPER || path === CONFIG_ZOOKEEPER;
}

class Prep {
  constructor(
    readonly pending: PendingChanges,
    readonly ctx: PrepContext,
  ) {}

  get tree(): DataTree {
    return this.pending.tree;
  }

  checkSession(global: boolean): void {
    const ctx = this.ctx;
    if (ctx.checkSession) {
      const e = ctx.checkSession(ctx.sessionId, global);
      if (e !== 0) fail(e);
    }
    if (ctx.isSessionOwner && !ctx.isSessionOwner(ctx.sessionId)) fail(ErrorCode.SESSION_MOVED);
  }

  checkACL(acl: ACL[] | null, perm: number): void {
    if (!checkPermission(acl, perm, this.ctx.authIds, { skipACL: this.ctx.skipACL === true })) fail(ErrorCode.NO_AUTH);
  }

  record(path: string): ChangeRecord {
    const r = this.pending.recordFor(path);
    if (r === null) fail(ErrorCode.NO_NODE);
    return r;
  }

  validatePath(path: string): void {
    if (validatePath(path) !== null) fail(ErrorCode.BAD_ARGUMENTS);
  }

  parentPathAndValidate(path: string): string {
    const lastSlash = path.lastIndexOf('/');
    if (lastSlash === -1 || path.indexOf('\0') !== -1 || isSpecialPath(path)) fail(ErrorCode.BAD_ARGUMENTS);
    return this.pending.parentPaths.of(path, lastSlash);
  }

  static checkAndIncVersion(current: number, expected: number): number {
    if (expected !== -1 && expected !== current) fail(ErrorCode.BAD_VERSION);
    return (current + 1) | 0;
  }

  checkQuota(path: string, lastData: Buffer | null, data: Buffer | null, isCreate: boolean): void {
    if (!this.ctx.enforceQuota) return;
    const lastPrefix = this.tree.maxPrefixWithQuota(path);
    if (lastPrefix === null || lastPrefix === '') return;
    const dataBytes = data === null ? 0 : data.length;
    const bytesDiff = isCreate ? dataBytes : dataBytes - (lastData === null ? 0 : lastData.length);
    const countDiff = isCreate ? 1 : 0;
    const limitNode = this.tree.getNode(QUOTA_ZOOKEEPER + lastPrefix + '/' + QUOTA_LIMIT_NODE);
    if (limitNode === undefined) return;
    const limits = new StatsTrack(this.tree.dataOf(limitNode));
    const checkCount = countDiff !== 0 && (limits.count > -1 || limits.countHardLimit > -1);
    const checkBytes = bytesDiff !== 0 && (limits.bytes > -1 || limits.byteHardLimit > -1);
    if (!checkCount && !checkBytes) return;
    const statNode = this.tree.getNode(QUOTA_ZOOKEEPER + lastPrefix + '/' + QUOTA_STAT_NODE);
    if (statNode === undefined) return;
    const current = new StatsTrack(this.tree.dataOf(statNode));
    if (checkCount) {
      const hard = limits.countHardLimit > -1;
      const limit = hard ? limits.countHardLimit : limits.count;
      if (current.count + countDiff > limit && hard) fail(ErrorCode.QUOTA_EXCEEDED);
    }
    if (checkBytes) {
      const hard = limits.byteHardLimit > -1;
      const limit = hard ? limits.byteHardLimit : limits.bytes;
      if (current.bytes + bytesDiff > limit && hard) fail(ErrorCode.QUOTA_EXCEEDED);
    }
  }

  dup(cr: ChangeRecord): ChangeRecord {
    // a record recordFor just built from the tree (zxid -1) is referenced by nobody else: take it over
    if (cr.zxid === -1) {
      cr.zxid = this.ctx.zxid;
      return cr;
    }
    return {
      zxid: this.ctx.zxid,
      path: cr.path,
      stat: cr.stat === null ? null : { ...cr.stat },
      childCount: cr.childCount,
      acl: cr.acl,
      data: cr.data,
    };
  }

  // ---- ops ----

  /** pRequest2TxnCreate. `type` is the (normalized) op: 1, 15, 19 or 21. */
  create(type: 1 | 15 | 19 | 21, req: CreateRequest): Txn {
    const mode = createModeFromFlag(req.flags);
    const ttl = type === 21 ? (req.ttl ?? -1n) : -1n;
    // validateCreateRequest
    if (mode.ttl && !this.ctx.extendedTypesEnabled) fail(ErrorCode.UNIMPLEMENTED);
    if (mode.ttl) {
      if (ttl > MAX_TTL || ttl <= 0n) fail(ErrorCode.BAD_ARGUMENTS);
    } else if (ttl >= 0n || type === 21) {
      // ZooKeeper rejects ttl >= 0 for non-TTL modes; a createTTL with a non-TTL mode would crash its apply
      fail(ErrorCode.BAD_ARGUMENTS);
    }
    this.checkSession(mode.ephemeral);
    // validatePathForCreate
    let path = req.path;
    const lastSlash = path.lastIndexOf('/');
    if (lastSlash === -1 || path.indexOf('\0') !== -1) fail(ErrorCode.BAD_ARGUMENTS);
    const parentPath = this.pending.parentPaths.of(path, lastSlash);

    const listACL = fixupACL(req.acl, this.ctx.authIds);
    if (typeof listACL === 'number') fail(listACL);
    const parentRecord = this.record(parentPath);
    this.checkACL(parentRecord.acl, Perms.CREATE);
    const pstat = parentRecord.stat!;
    const parentCVersion = pstat.cversion;
    if (mode.sequential) path = path + sequentialSuffix(parentCVersion);
    this.validatePath(path);
    if (this.pending.recordFor(path) !== null) fail(ErrorCode.NODE_EXISTS);
    if (ephemeralKind(pstat.ephemeralOwner, this.ctx.extendedTypesEnabled) === EphemeralKind.NORMAL) {
      fail(ErrorCode.NO_CHILDREN_FOR_EPHEMERALS);
    }
    const newCversion = (pstat.cversion + 1) | 0;
    this.checkQuota(path, null, req.data, true);

    let txn: Txn;
    if (type === 19) txn = { type: 19, path, data: req.data, acl: listACL, parentCVersion: newCversion };
    else if (type === 21) txn = { type: 21, path, data: req.data, acl: listACL, parentCVersion: newCversion, ttl };
    else txn = { type, path, data: req.data, acl: listACL, ephemeral: mode.ephemeral, parentCVersion: newCversion };

    const zxid = this.ctx.zxid;
    const time = this.ctx.time;
    const owner = mode.container ? CONTAINER_EPHEMERAL_OWNER : mode.ttl ? ttlOwner(ttl) : mode.ephemeral ? this.ctx.sessionId : ZERO_OWNER;
    const p = this.dup(parentRecord);
    p.childCount++;
    p.stat!.cversion = newCversion;
    p.stat!.pzxid = zxid;
    this.pending.add(p);
    this.pending.add({
      zxid,
      path,
      stat: { czxid: zxid, mzxid: zxid, pzxid: zxid, ctime: time, mtime: time, version: 0, cversion: 0, aversion: 0, ephemeralOwner: owner },
      childCount: 0,
      acl: listACL,
      data: req.data,
    });
    return txn;
  }

  delete(req: DeleteRequest): Txn {
    this.checkSession(false);
    const path = req.path;
    const parentPath = this.parentPathAndValidate(path);
    const parentRecord = this.record(parentPath);
    this.checkACL(parentRecord.acl, Perms.DELETE);
    const nodeRecord = this.record(path);
    Prep.checkAndIncVersion(nodeRecord.stat!.version, req.version);
    if (nodeRecord.childCount > 0) fail(ErrorCode.NOT_EMPTY);
    this.recordDelete(parentRecord, path);
    return { type: 2, path };
  }

  deleteContainer(path: string): Txn {
    const parentPath = this.parentPathAndValidate(path);
    const nodeRecord = this.record(path);
    if (nodeRecord.childCount > 0) fail(ErrorCode.NOT_EMPTY);
    if (ephemeralKind(nodeRecord.stat!.ephemeralOwner, this.ctx.extendedTypesEnabled) === EphemeralKind.NORMAL) {
      fail(ErrorCode.BAD_VERSION);
    }
    const parentRecord = this.record(parentPath);
    this.recordDelete(parentRecord, path);
    return { type: 20, path };
  }

  private recordDelete(parentRecord: ChangeRecord, path: string): void {
    const p = this.dup(parentRecord);
    p.childCount--;
    p.stat!.pzxid = this.ctx.zxid;
    this.pending.add(p);
    this.pending.add({ zxid: this.ctx.zxid, path, stat: null, childCount: -1, acl: null, data: null });
  }

  setData(req: SetDataRequest): Txn {
    this.checkSession(false);
    const path = req.path;
    this.validatePath(path);
    const nodeRecord = this.record(path);
    this.checkACL(nodeRecord.acl, Perms.WRITE);
    this.checkQuota(path, nodeRecord.data, req.data, false);
    const newVersion = Prep.checkAndIncVersion(nodeRecord.stat!.version, req.version);
    const n = this.dup(nodeRecord);
    n.stat!.version = newVersion;
    n.stat!.mtime = this.ctx.time;
    n.stat!.mzxid = this.ctx.zxid;
    n.data = req.data;
    this.pending.add(n);
    return { type: 5, path, data: req.data, version: newVersion };
  }

  setACL(req: SetACLRequest): Txn {
    this.checkSession(false);
    const path = req.path;
    this.validatePath(path);
    const listACL = fixupACL(req.acl, this.ctx.authIds);
    if (typeof listACL === 'number') fail(listACL);
    const nodeRecord = this.record(path);
    this.checkACL(nodeRecord.acl, Perms.ADMIN);
    const newVersion = Prep.checkAndIncVersion(nodeRecord.stat!.aversion, req.version);
    const n = this.dup(nodeRecord);
    n.stat!.aversion = newVersion;
    // like ZooKeeper, the record keeps the old ACL until the txn is applied
    this.pending.add(n);
    return { type: 7, path, acl: listACL, version: newVersion };
  }

  check(req: CheckVersionRequest): Txn {
    this.checkSession(false);
    const path = req.path;
    this.validatePath(path);
    const nodeRecord = this.record(path);
    this.checkACL(nodeRecord.acl, Perms.READ);
    return { type: 13, path, version: Prep.checkAndIncVersion(nodeRecord.stat!.version, req.version) };
  }

  closeSession(): Txn {
    const sessionId = this.ctx.sessionId;
    // a HashSet clone, as DataTree.getEphemerals: the txn lists the paths (and apply deletes them) in its order
    const es = JavaHashSet.cloneOf(this.ctx.sessionEphemerals ? this.ctx.sessionEphemerals(sessionId) : this.tree.getEphemerals(sessionId));
    for (const c of this.pending.records()) {
      if (c.stat === null) es.delete(c.path);
      else if (c.stat.ephemeralOwner === sessionId) es.add(c.path);
    }
    for (const path of es) {
      const lastSlash = path.lastIndexOf('/');
      if (lastSlash !== -1) {
        const parentRecord = this.pending.recordFor(path.substring(0, lastSlash));
        if (parentRecord !== null) {
          const p = this.dup(parentRecord);
          p.childCount--;
          p.stat!.pzxid = this.ctx.zxid;
          this.pending.add(p);
        }
      }
      this.pending.add({ zxid: this.ctx.zxid, path, stat: null, childCount: 0, acl: null, data: null });
    }
    return { type: -11, paths: Array.from(es) };
  }

  multi(ops: MultiOp[]): Txn {
    for (const op of ops) {
      if (![1, 15, 19, 21, 2, 5, 13].includes(op.type)) return { type: -1, err: ErrorCode.MARSHALLING_ERROR };
    }
    const zxid = this.ctx.zxid;
    // getPendingChanges: records to restore if the multi fails
    const saved = new Map<string, ChangeRecord>();
    for (const op of ops) {
      const path = (op.request as { path: string }).path;
      const cr = this.pending.outstanding(path);
      if (cr !== undefined) saved.set(path, cr);
      const lastSlash = path.lastIndexOf('/');
      if (lastSlash === -1 || path.indexOf('\0') !== -1) continue;
      const parentPath = path.substring(0, lastSlash);
      const pcr = this.pending.outstanding(parentPath);
      if (pcr !== undefined) saved.set(parentPath, pcr);
    }
    const txns: Txn[] = [];
    let failedAt = -1;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      if (failedAt !== -1) {
        txns.push({ type: -1, err: ErrorCode.RUNTIME_INCONSISTENCY });
        continue;
      }
      try {
        txns.push(this.multiSubOp(op));
      } catch (e) {
        if (e instanceof MarshallingError) {
          this.pending.rollback(zxid, saved);
          return { type: -1, err: ErrorCode.MARSHALLING_ERROR };
        }
        if (!(e instanceof KeeperError)) throw e;
        failedAt = i;
        txns.push({ type: -1, err: e.code });
        this.pending.rollback(zxid, saved);
      }
    }
    if (failedAt !== -1) {
      for (let i = 0; i < failedAt; i++) txns[i] = { type: -1, err: ErrorCode.OK };
    }
    return { type: 14, txns };
  }

  private multiSubOp(op: MultiOp): Txn {
    switch (op.type) {
      case 1:
      case 15:
      case 19: {
        // Op.create(path, data, acl, flags): the op code follows the mode (create2 becomes create in a multi)
        const mode = createModeLenient(op.request.flags);
        if (mode.ttl) throw new MarshallingError(); // ZooKeeper: ClassCastException -> MarshallingError
        return this.create(mode.container ? 19 : 1, op.request);
      }
      case 21: {
        const mode = createModeLenient(op.request.flags);
        if (mode.ttl) return this.create(21, op.request);
        const { ttl: _ttl, ...rest } = op.request;
        void _ttl;
        return this.create(mode.container ? 19 : 1, { ...rest, flags: mode.flag });
      }
      case 2:
        return this.delete(op.request);
      case 5:
        return this.setData(op.request);
      case 13:
        return this.check(op.request);
      default:
        throw new MarshallingError();
    }
  }
}

class MarshallingError extends Error {}

/**
 * Turns a write request into the txn to log, registering its changes in `pending` so the next prepWrite sees
 * them. On failure: an error txn {type:-1, err}. A multi always yields a multi txn; when an op fails, every
 * sub-txn is an error txn: 0 for the ops before it, its own code, -2 (RuntimeInconsistency) after it.
 * Ops: 1, 15, 19, 21 (create*), 2 (delete), 20 (deleteContainer, request {path}), 5 (setData), 7 (setACL),
 * 13 (check), 14 (multi, request MultiOp[]), -10 (createSession, request {timeOut}), -11 (closeSession),
 * 16 (reconfig: ReconfigDisabled, -123).
 */
export function prepWrite(pending: PendingChanges, ctx: PrepContext, op: number, request: WriteRequest): Txn {
  const p = new Prep(pending, ctx);
  try {
    switch (op) {
      case 1:
      case 15:
      case 19:
      case 21:
        return p.create(op, request as CreateRequest);
      case 2:
        return p.delete(request as DeleteRequest);
      case 20:
        return p.deleteContainer((request as { path: string }).path);
      case 5:
        return p.setData(request as SetDataRequest);
      case 7:
        return p.setACL(request as SetACLRequest);
      case 13:
        return p.check(request as CheckVersionRequest);
      case 14:
        return p.multi(request as MultiOp[]);
      case -10:
        return { type: -10, timeOut: (request as { timeOut: number } | null)?.timeOut ?? 0 };
      case -11:
        return p.closeSession();
      case 16:
        return { type: -1, err: ErrorCode.RECONFIG_DISABLED };
      default:
        return { type: -1, err: ErrorCode.UNIMPLEMENTED };
    }
  } catch (e) {
    if (e instanceof KeeperError) return { type: -1, err: e.code };
    if (e instanceof MarshallingError) return { type: -1, err: ErrorCode.MARSHALLING_ERROR };
    throw e;
  }
}
