import type { ACL, ConnectRequest, Id, JuteWriter, MultiResult } from '@paddock/protocol';
import {
  JuteReader,
  ErrorCode,
  KeeperState,
  OpCode,
  Perms,
  decodeRequest,
  readAuthPacket,
  readConnectRequest,
  readRequestHeader,
  writeConnectResponse,
  writeMultiResponse,
  writeReplyHeader,
  writeStat,
  UnknownOpCodeError,
  JuteDecodeError,
  MultiKindError,
  notificationFrame,
} from '@paddock/protocol';
import type { ApplyResult, DataTree, Txn, TxnHeader, WriteRequest } from '@paddock/data-tree';
import { PendingChanges, checkPermission, digestId, isWorldReadable, prepWrite } from '@paddock/data-tree';
import type { ClientConnection, ConnectionHost, QueuedRequest } from './net/client-connection.js';
import { hexSession } from './net/client-connection.js';
import { addAuthId } from './net/auth-info.js';
import { SessionTracker } from './session/session-tracker.js';
import { passwordMatches, sessionPassword } from './session/session-password.js';
import { WatchManager } from './watch/watch-manager.js';
import type { WatchTrigger } from './watch/watch-manager.js';
import { ReadHandlers } from './read-handlers.js';

/** Upper bound of how long a member between roles holds a ConnectRequest (holdConnectsWhileElecting). */
const MAX_CONNECT_HOLD_MS = 2000;

/** The part of a member that orders and persists txns: standalone logs and commits; ZAB replicates first. */
export interface Broadcast {
  /** Accepts a txn stamped by prep; must eventually call `commit` for it, in zxid order. */
  propose(header: TxnHeader, txn: Txn): void;
}

/**
 * A write a learner (follower/observer) hands to the leader instead of prepping it: everything the leader
 * needs to prep it as if its own client had sent it. The learner answers its client when the txn with this
 * (sessionId, cxid) commits.
 */
export interface ForwardedWrite {
  sessionId: bigint;
  cxid: number;
  /** the client's op (createSession, closeSession, sync, or a write op) */
  op: number;
  /** the request body after the RequestHeader (empty for createSession/closeSession) */
  body: Uint8Array;
  /** the client connection's auth ids */
  authIds: Id[];
  /** createSession: the negotiated timeout */
  timeout: number;
  /** set when the learner already knows the request fails in Prep (malformed): an error txn with it */
  err: number | null;
}

/** How a learner's server sends writes to the leader; false if it has no synced leader right now. */
export type Forwarder = (req: ForwardedWrite) => boolean;

export interface ZkServerOptions {
  serverId: number;
  tickTime: number;
  minSessionTimeout: number;
  maxSessionTimeout: number;
  maxFrameLength: number;
  extendedTypesEnabled: boolean;
  skipACL: boolean;
  superDigest: string | null;
  globalOutstandingLimit: number;
  log(level: 'info' | 'warn', message: string): void;
}

const WRITE_OPS = new Set<number>([
  OpCode.create,
  OpCode.create2,
  OpCode.createContainer,
  OpCode.createTTL,
  OpCode.delete,
  OpCode.setData,
  OpCode.setACL,
  OpCode.multi,
]);

const OP_NAMES: Record<number, string> = Object.fromEntries(Object.entries(OpCode).map(([k, v]) => [v, k.toUpperCase()]));

/** A pending proposal's origin: which connection waits for it (none for expiry / reaper txns). */
interface Origin {
  /** the proposal's zxid, set by propose (0 for a write forwarded to the leader) */
  zxid: number;
  conn: ClientConnection | null;
  op: number;
  request: unknown;
  /** the queue entry the reply goes to, when known at proposal time (saves searching the session's queue) */
  entry: QueuedRequest | undefined;
}

/** An Origin with every field set, so that all of them share one shape. */
function originOf(conn: ClientConnection | null, op: number, request?: unknown, entry?: QueuedRequest): Origin {
  return { zxid: 0, conn, op, request, entry };
}

/**
 * The request pipeline of one member, transport-agnostic:
 * decode -> session check -> prep (against tree + pending overlay) -> broadcast (log, fsync[, quorum])
 * -> commit in zxid order -> apply -> watch events -> replies in per-session order.
 */
export class ZkServer implements ConnectionHost {
  readonly sessions: SessionTracker;
  readonly watches = new WatchManager<ClientConnection>();
  readonly connections = new Set<ClientConnection>();
  private readonly bySession = new Map<bigint, ClientConnection>();
  /**
   * This server's proposals not yet committed, in zxid order: commits come in zxid order, so the one a
   * commit belongs to is at the head (a queue, not a map: no hashing and no table churn per write).
   */
  private readonly proposed: Origin[] = [];
  private proposedHead = 0;
  private readonly wokenScratch = new Set<ClientConnection>();
  /** learner: writes forwarded to the leader, by `${sessionId}:${cxid}`, answered when their txn commits */
  private readonly forwarded = new Map<string, Origin>();
  private reads: ReadHandlers;
  broadcast!: Broadcast;
  /**
   * Set on a learner of an ensemble: writes, createSession, closeSession and sync are forwarded to the
   * leader rather than prepped here. Null on a leader and a standalone server.
   */
  forwarder: Forwarder | null = null;
  /** In an ensemble, `sync` is a round through the leader (a no-op txn), so sync-then-read is linearizable. */
  quorumSync = false;
  /** Learner: sessions touched by their clients since the last report to the leader. */
  readonly touchedSessions = new Set<bigint>();
  /**
   * Active quorum leader: its own sid. The leader then tracks the member each session is attached to
   * (ZooKeeper's session owner: set by createSession, by a reconnect here or a learner's revalidation) and
   * validates every write and sync against it: an unknown or closing session gets SessionExpired, a session
   * attached to another member SessionMoved (the old connection is closed). Null elsewhere.
   */
  ownerSid: number | null = null;
  private readonly owners = new Map<bigint, number>();
  /**
   * Learner: asks the leader whether a session may reopen on this member (ZooKeeper's REVALIDATE); `done`
   * runs when the leader answers. False when there is no leader to ask.
   */
  revalidator: ((sessionId: bigint, timeout: number, done: (valid: boolean) => void) => boolean) | null = null;
  /**
   * Learner: (sessionId, cxid) of our forwarded requests the leader rejected as SessionMoved. Another member
   * holding the same session (the one it moved to) may have a request with the same cxid pending; a
   * SessionMoved error txn is only matched to a forwarded request when the leader said it was ours.
   */
  private readonly movedHere = new Set<string>();
  /** Called when the broadcast can no longer take txns (leadership lost): the member drops its clients. */
  onBroadcastUnavailable: () => void = () => {};
  lastProposedZxid: number;
  outstanding = 0;
  private readingPaused = false;
  serving = true;
  /**
   * A quorum member that just stopped serving (its leader died; an election follows) holds the
   * ConnectRequests that reach it until this time and answers them once it serves again, instead of
   * closing them at once as ZooKeeper does. A client whose member died tries the others within
   * milliseconds, finds every survivor electing and, closed everywhere, waits a third of its session
   * timeout before it tries again (the C client) although the election takes ~200 ms.
   */
  private holdConnectsUntil = 0;
  private readonly heldConnects: Array<{ conn: ClientConnection; frame: Buffer }> = [];
  private heldConnectsTimer: NodeJS.Timeout | null = null;

  // server statistics (srvr/mntr)
  packetsReceived = 0;
  packetsSent = 0;
  authFailedCount = 0;
  minLatency = Number.MAX_SAFE_INTEGER;
  maxLatency = 0;
  totalLatency = 0;
  latencyCount = 0;
  readonly startedAt = Date.now();

  constructor(
    public tree: DataTree,
    public pending: PendingChanges,
    readonly options: ZkServerOptions,
  ) {
    this.sessions = new SessionTracker(options.tickTime, options.serverId, Date.now());
    this.lastProposedZxid = tree.lastProcessedZxid;
    this.reads = new ReadHandlers(tree, this.watches, options);
  }

  get maxFrameLength(): number {
    return this.options.maxFrameLength;
  }

  log(level: 'info' | 'warn', message: string): void {
    this.options.log(level, message);
  }

  /**
   * Forgets every in-flight proposal and client: closes all client connections (their clients see
   * ConnectionLoss and move to another member, as when a ZooKeeper member stops serving), drops
   * origins, forwarded writes and the pending-change overlay. Used on every role change of a quorum member.
   */
  resetPipeline(): void {
    const held = new Set(this.heldConnects.map((h) => h.conn));
    for (const c of [...this.connections]) if (!held.has(c)) c.close();
    this.proposed.length = 0;
    this.proposedHead = 0;
    this.forwarded.clear();
    this.touchedSessions.clear();
    this.owners.clear(); // a new leader learns owners again: the first member to send for a session claims it
    this.movedHere.clear();
    this.pending.clear();
    this.lastProposedZxid = this.tree.lastProcessedZxid;
  }

  /** Replaces the whole state by a snapshot's (a SNAP sync): tree, sessions, watches, pending overlay. */
  resetState(tree: DataTree, sessions: Map<bigint, number>): void {
    this.resetPipeline();
    this.tree = tree;
    this.pending = new PendingChanges(tree);
    this.reads = new ReadHandlers(tree, this.watches, this.options);
    const now = Date.now();
    for (const s of [...this.sessions.all()]) if (!sessions.has(s.id)) this.sessions.remove(s.id);
    for (const [id, timeout] of sessions) this.sessions.add(id, timeout, now);
    this.lastProposedZxid = tree.lastProcessedZxid;
  }

  private touch(sessionId: bigint, nowMs: number): void {
    this.sessions.touch(sessionId, nowMs);
    if (this.forwarder !== null) this.touchedSessions.add(sessionId);
  }

  // ---------------------------------------------------------------- connections

  /** Set by the member, which owns the statistics views; closes the connection by default. */
  onFourLetterWord: (conn: ClientConnection, word: string, rest: Buffer) => void = (conn) => conn.close();

  onClosed(conn: ClientConnection): void {
    this.connections.delete(conn);
    this.watches.removeWatcher(conn);
    if (conn.sessionId !== 0n && this.bySession.get(conn.sessionId) === conn) this.bySession.delete(conn.sessionId);
    this.outstanding -= conn.queue.length;
    conn.queue.length = 0;
    this.maybeResumeReading();
  }

  /**
   * The member stopped serving after it served (a quorum member whose leader is gone): ConnectRequests
   * that arrive in the next moments are held (see holdConnectsUntil). The hold ends, for those still
   * waiting, before a client's read timeout (2/3 of a session timeout, and none is below
   * minSessionTimeout). A client with a shorter connect timeout per member (the Java client's is the
   * session timeout / the number of members) gives up first and tries the next member, as after a close.
   */
  holdConnectsWhileElecting(nowMs = Date.now()): void {
    this.holdConnectsUntil = nowMs + Math.min(MAX_CONNECT_HOLD_MS, Math.floor(this.options.minSessionTimeout / 2));
  }

  /** The member serves again: the held ConnectRequests are handled now, in arrival order. */
  releaseHeldConnects(): void {
    this.holdConnectsUntil = 0;
    if (this.heldConnectsTimer !== null) clearTimeout(this.heldConnectsTimer);
    this.heldConnectsTimer = null;
    for (const { conn, frame } of this.heldConnects.splice(0)) {
      if (conn.isClosed) continue;
      conn.connectPending = false;
      this.onConnectFrame(conn, new JuteReader(frame, 0, frame.length, this.options.maxFrameLength));
    }
  }

  private holdConnect(conn: ClientConnection, r: JuteReader, nowMs: number): void {
    // the frame may be a view of the socket's chunk: keep a copy
    this.heldConnects.push({ conn, frame: Buffer.from(r.buf.subarray(r.offset, r.end)) });
    // frames after the ConnectRequest go to onRequestFrame, which closes the connection while not serving
    conn.connectPending = true;
    if (this.heldConnectsTimer !== null) return;
    this.heldConnectsTimer = setTimeout(() => {
      this.heldConnectsTimer = null;
      if (this.serving) return;
      for (const held of this.heldConnects.splice(0)) held.conn.close();
    }, Math.max(0, this.holdConnectsUntil - nowMs));
    this.heldConnectsTimer.unref();
  }

  onConnectFrame(conn: ClientConnection, r: JuteReader): void {
    if (!this.serving) {
      const now = Date.now();
      if (now < this.holdConnectsUntil) {
        this.holdConnect(conn, r, now);
        return;
      }
      // ZooKeeper: "ZooKeeperServer not running" -> the connection is closed, the client tries another member
      conn.close();
      return;
    }
    const req = readConnectRequest(r);
    conn.sentReadOnlyFlag = req.readOnly !== undefined;
    if (req.lastZxidSeen > this.tree.lastProcessedZxid) {
      this.log(
        'warn',
        `refusing ${conn.describe()}: client has seen zxid 0x${req.lastZxidSeen.toString(16)} but our last zxid is 0x${this.tree.lastProcessedZxid.toString(16)}; client must try another server`,
      );
      conn.close();
      return;
    }
    const timeout = Math.min(Math.max(req.timeOut, this.options.minSessionTimeout), this.options.maxSessionTimeout);
    if (req.sessionId === 0n) {
      this.createSession(conn, timeout);
    } else {
      this.reopenSession(conn, req, timeout);
    }
  }

  private createSession(conn: ClientConnection, timeout: number): void {
    const sessionId = this.sessions.allocateId();
    conn.sessionId = sessionId;
    conn.sessionTimeout = timeout;
    conn.connectPending = true;
    if (this.forwarder !== null) {
      this.forward(conn, { sessionId, cxid: 0, op: OpCode.createSession, body: EMPTY, authIds: [], timeout, err: null });
      return;
    }
    if (this.ownerSid !== null) this.owners.set(sessionId, this.ownerSid);
    this.propose(originOf(conn, OpCode.createSession), sessionId, 0, OpCode.createSession, { type: -10, timeOut: timeout });
  }

  /** Learner: hands a write to the leader; answered in `commit` when its txn arrives. */
  private forward(conn: ClientConnection, req: ForwardedWrite, request?: unknown): void {
    const key = forwardKey(req.sessionId, req.cxid);
    this.forwarded.set(key, originOf(conn, req.op, request));
    if (!this.forwarder!(req)) {
      this.forwarded.delete(key);
      this.onBroadcastUnavailable();
      conn.close();
    }
  }

  /**
   * Leader: the session check of ZooKeeper's PrepRequestProcessor (SessionTracker.checkSession) for a
   * request sent through member `owner`: OK, SESSION_EXPIRED (unknown or closing) or SESSION_MOVED (attached
   * to another member). A session with no known owner (e.g. under a new leader) is claimed by `owner`.
   */
  checkSession(sessionId: bigint, owner: number): number {
    const session = this.sessions.get(sessionId);
    if (!session || session.closing) return ErrorCode.SESSION_EXPIRED;
    const current = this.owners.get(sessionId);
    if (current === undefined) this.owners.set(sessionId, owner);
    else if (current !== owner) return ErrorCode.SESSION_MOVED;
    return ErrorCode.OK;
  }

  /**
   * Leader: learner `owner` asks whether a client may reopen `sessionId` there (ZooKeeper's REVALIDATE).
   * A live session is touched and now belongs to that member.
   */
  revalidate(sessionId: bigint, timeout: number, owner: number): boolean {
    const session = this.sessions.get(sessionId);
    if (!session || session.closing) return false;
    this.owners.set(sessionId, owner);
    session.timeout = timeout;
    this.sessions.touch(sessionId, Date.now());
    return true;
  }

  /**
   * Leader: preps a write forwarded by learner `from` as if one of its own clients had sent it, after the
   * session check, and proposes the txn. No reply here: the learner answers its client when the txn commits.
   * Returns the session check's result (SESSION_MOVED: the shell tells `from` that error txn is its own).
   */
  prepForwarded(req: ForwardedWrite, from?: number): number {
    let txn: Txn;
    /** The time prep stamped, for the header (undefined: propose stamps it). */
    let time: number | undefined;
    const checked = from === undefined || req.err !== null || req.op === OpCode.createSession || req.op === OpCode.closeSession ? ErrorCode.OK : this.checkSession(req.sessionId, from);
    if (req.op === OpCode.createSession && from !== undefined) this.owners.set(req.sessionId, from);
    if (req.err !== null) txn = { type: -1, err: req.err };
    else if (checked !== ErrorCode.OK) txn = { type: -1, err: checked };
    else if (req.op === OpCode.createSession) txn = { type: -10, timeOut: req.timeout };
    else if (req.op === OpCode.sync) txn = { type: -1, err: ErrorCode.OK };
    else {
      let body: WriteRequest;
      if (req.op === OpCode.closeSession) body = undefined;
      else {
        try {
          const request = decodeRequest(req.op, new JuteReader(Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength), 0, req.body.byteLength, this.options.maxFrameLength));
          body = 'ops' in request ? request.ops : 'request' in request ? (request.request as WriteRequest) : undefined;
        } catch {
          txn = { type: -1, err: ErrorCode.MARSHALLING_ERROR };
          this.propose(originOf(null, req.op), req.sessionId, req.cxid, req.op, txn);
          return checked;
        }
      }
      const ctx = {
        sessionId: req.sessionId,
        authIds: req.authIds,
        zxid: this.lastProposedZxid + 1,
        time: Date.now(),
        extendedTypesEnabled: this.options.extendedTypesEnabled,
        skipACL: this.options.skipACL,
      };
      txn = prepWrite(this.pending, ctx, req.op, body);
      time = ctx.time;
      if (req.op === OpCode.closeSession) this.sessions.markClosing(req.sessionId);
    }
    this.propose(originOf(null, req.op), req.sessionId, req.cxid, req.op, txn, time);
    return checked;
  }

  private reopenSession(conn: ClientConnection, req: ConnectRequest, timeout: number): void {
    const passwordOk = passwordMatches(req.sessionId, req.passwd);
    if (this.revalidator !== null && passwordOk) {
      // learner: the leader owns the sessions; it says whether this one is alive and moves it here. Its
      // answer follows the COMMITs it sent before, so a session it knows is applied here by then (even if
      // this member had not seen its createSession yet when the client arrived)
      conn.connectPending = true;
      const asked = this.revalidator(req.sessionId, timeout, (valid) => {
        if (conn.isClosed) return;
        conn.connectPending = false;
        const s = this.sessions.get(req.sessionId);
        if (!valid || !s || s.closing) this.refuseSession(conn);
        else this.attachSession(conn, req.sessionId, s, timeout);
      });
      if (!asked) conn.close();
      return;
    }
    const session = this.sessions.get(req.sessionId);
    if (!session || session.closing || !passwordOk) {
      if (session && !session.closing) this.log('warn', `invalid password for session 0x${hexSession(req.sessionId)}`);
      this.refuseSession(conn);
      return;
    }
    if (this.ownerSid !== null) this.owners.set(req.sessionId, this.ownerSid);
    this.attachSession(conn, req.sessionId, session, timeout);
  }

  /** The session is expired (or the password wrong): a ConnectResponse with timeout 0, then close. */
  private refuseSession(conn: ClientConnection): void {
    this.sendConnectResponse(conn, 0, 0n, Buffer.alloc(16));
    conn.close();
  }

  private attachSession(conn: ClientConnection, sessionId: bigint, session: { timeout: number }, timeout: number): void {
    const previous = this.bySession.get(sessionId);
    if (previous && previous !== conn) {
      // the client moved to a new socket: the old one must not answer for this session any more
      previous.close();
    }
    conn.sessionId = sessionId;
    conn.sessionTimeout = timeout;
    session.timeout = timeout;
    this.touch(sessionId, Date.now());
    this.finishSessionInit(conn);
  }

  private finishSessionInit(conn: ClientConnection): void {
    conn.established = true;
    conn.connectPending = false;
    this.bySession.set(conn.sessionId, conn);
    this.sendConnectResponse(conn, conn.sessionTimeout, conn.sessionId, sessionPassword(conn.sessionId));
    // written now (with anything queued before it, in order) rather than at the end of the turn: the
    // client's connect waits on this frame alone, and it costs no extra write
    conn.out.flush();
  }

  private sendConnectResponse(conn: ClientConnection, timeOut: number, sessionId: bigint, passwd: Buffer): void {
    conn.out.frame((w) =>
      writeConnectResponse(w, {
        protocolVersion: 0,
        timeOut,
        sessionId,
        passwd,
        readOnly: conn.sentReadOnlyFlag ? false : undefined,
      }),
    );
    this.packetsSent++;
  }

  // ---------------------------------------------------------------- requests

  onRequestFrame(conn: ClientConnection, r: JuteReader): void {
    const receivedAt = Date.now();
    this.packetsReceived++;
    if (!this.serving) {
      conn.close();
      return;
    }
    const header = readRequestHeader(r);
    if (conn.sessionId !== 0n) this.touch(conn.sessionId, receivedAt);

    if (header.type === OpCode.auth) {
      this.handleAuth(conn, header.xid, r);
      return;
    }
    if (header.type === OpCode.createSession) {
      // A client-sent createSession is a "valid" type in 3.8 (Request.isValid): Prep reads the timeout int
      // from the body, fails on the empty buffer (BufferUnderflowException -> MarshallingError), logs an
      // error txn and answers -5 with its zxid; the connection stays open.
      this.answerErrorTxn(conn, header.xid, header.type, ErrorCode.MARSHALLING_ERROR, receivedAt);
      return;
    }
    if (header.type === OpCode.deleteContainer) {
      // Also "valid" from a client in 3.8: Prep takes the path from the whole packet, header included, whose
      // type field holds NUL bytes, so the path never validates: BadArguments, with an error txn.
      this.answerErrorTxn(conn, header.xid, header.type, ErrorCode.BAD_ARGUMENTS, receivedAt);
      return;
    }
    let request;
    const bodyStart = r.offset;
    try {
      request = decodeRequest(header.type, r);
    } catch (err) {
      if (err instanceof UnknownOpCodeError) {
        // ZooKeeper answers an unknown op with zxid -1, then closes
        conn.out.frame((w) => writeReplyHeader(w, header.xid, -1, ErrorCode.UNIMPLEMENTED));
        conn.close();
        return;
      }
      if (err instanceof MultiKindError && err.multiType === OpCode.multiRead && err.reason === 'wrong-kind') {
        // 3.8 FinalRequestProcessor: the multiRead record deserialises (all ops of one kind), the response
        // is set to an empty MultiResponse, then the first (write) op throws "Invalid type of readOp": the
        // -5 reply carries that empty MultiResponse as its body.
        this.answerMalformed(conn, header.xid, header.type, receivedAt, (w) => writeMultiResponse(w, []));
        return;
      }
      if (err instanceof JuteDecodeError) {
        this.answerMalformed(conn, header.xid, header.type, receivedAt);
        return;
      }
      throw err;
    }
    if (header.type === OpCode.check || header.type === OpCode.sasl || header.type === OpCode.deleteContainer) {
      // check is only valid inside multi; deleteContainer is internal to the reaper
      this.replyError(conn, header.xid, ErrorCode.UNIMPLEMENTED);
      conn.close();
      return;
    }
    const entry = this.enqueue(conn, header.xid, header.type, receivedAt);

    if (WRITE_OPS.has(header.type) || header.type === OpCode.closeSession || (this.quorumSync && header.type === OpCode.sync)) {
      conn.uncommittedWrites++;
      if (header.type === OpCode.closeSession) this.sessions.markClosing(conn.sessionId);
      if (this.forwarder !== null) {
        const body = r.buf.subarray(bodyStart, r.end);
        this.forward(conn, { sessionId: conn.sessionId, cxid: header.xid, op: header.type, body, authIds: conn.authIds, timeout: 0, err: null }, request);
        return;
      }
      if (this.ownerSid !== null && header.type !== OpCode.closeSession) {
        // quorum leader: its own clients' sessions are validated like forwarded ones
        const err = this.checkSession(conn.sessionId, this.ownerSid);
        if (err !== ErrorCode.OK) {
          entry.zxid = this.propose(originOf(conn, header.type, request, entry), conn.sessionId, header.xid, header.type, { type: -1, err });
          return;
        }
      }
      if (header.type === OpCode.sync) {
        entry.zxid = this.propose(originOf(conn, header.type, request, entry), conn.sessionId, header.xid, header.type, { type: -1, err: ErrorCode.OK });
        return;
      }
      const body: WriteRequest = 'ops' in request ? request.ops : 'request' in request ? (request.request as WriteRequest) : undefined;
      const ctx = this.prepContext(conn);
      const txn = prepWrite(this.pending, ctx, header.type, body);
      entry.zxid = this.propose(originOf(conn, header.type, undefined, entry), conn.sessionId, header.xid, header.type, txn, ctx.time);
      return;
    }
    if (header.type === OpCode.reconfig) {
      entry.respond = () => this.replyError(conn, header.xid, ErrorCode.RECONFIG_DISABLED);
    } else {
      entry.respond = () => {
        const zxid = this.tree.lastProcessedZxid;
        this.reads.handle(conn, header.xid, zxid, request);
        this.afterReply(conn, entry, zxid);
      };
    }
    this.drain(conn);
  }

  /** Takes the request's place in its session's FIFO; reading pauses past globalOutstandingLimit. */
  private enqueue(conn: ClientConnection, xid: number, op: number, receivedAt: number): QueuedRequest {
    // every field set here, so that all entries share one shape
    const entry: QueuedRequest = { xid, op, receivedAt, zxid: undefined, respond: undefined, result: undefined };
    conn.queue.push(entry);
    this.outstanding++;
    if (this.outstanding > this.options.globalOutstandingLimit) this.pauseReading();
    return entry;
  }

  /**
   * A body that does not decode gets MarshallingError (-5) in its place in the session order; for a
   * write ZooKeeper logs an error txn (it consumes a zxid), and the connection stays open.
   */
  private answerMalformed(conn: ClientConnection, xid: number, op: number, receivedAt: number, body?: (w: JuteWriter) => void): void {
    if (WRITE_OPS.has(op)) {
      this.answerErrorTxn(conn, xid, op, ErrorCode.MARSHALLING_ERROR, receivedAt);
      return;
    }
    const entry = this.enqueue(conn, xid, op, receivedAt);
    entry.respond = () => {
      conn.out.frame((w) => {
        writeReplyHeader(w, xid, this.tree.lastProcessedZxid, ErrorCode.MARSHALLING_ERROR);
        body?.(w);
      });
      this.packetsSent++;
      conn.recordLatency(OP_NAMES[op] ?? String(op), xid, this.tree.lastProcessedZxid, receivedAt);
    };
    this.drain(conn);
  }

  /** A request that fails in Prep after its TxnHeader was made: an error txn is logged (a zxid is used). */
  private answerErrorTxn(conn: ClientConnection, xid: number, op: number, err: number, receivedAt: number): void {
    const entry = this.enqueue(conn, xid, op, receivedAt);
    conn.uncommittedWrites++;
    if (this.forwarder !== null) {
      this.forward(conn, { sessionId: conn.sessionId, cxid: xid, op, body: EMPTY, authIds: [], timeout: 0, err });
      return;
    }
    entry.zxid = this.propose(originOf(conn, op, undefined, entry), conn.sessionId, xid, OpCode.error, { type: -1, err });
  }

  /**
   * ZooKeeperServer.processPacket, auth branch. The registered providers are "ip" and "digest" (3.8
   * ProviderRegistry). digest accepts any text (the user is what precedes the first ':', or all of it) and
   * adds ("super", "") on a superDigest match; ip adds the connection's address. Ids are not duplicated
   * and are kept in ZooKeeper's order (see addAuthId).
   * The reply echoes the request's xid with zxid 0; a failure is answered -115 and the connection closed.
   */
  private handleAuth(conn: ClientConnection, xid: number, r: JuteReader): void {
    const packet = readAuthPacket(r);
    const auth = packet.auth ? packet.auth.toString('utf8') : '';
    const addId = (id: Id) => addAuthId(conn.authIds, id);
    let ok = false;
    if (packet.scheme === 'digest') {
      const id = digestId(auth);
      if (this.options.superDigest !== null && id === this.options.superDigest) addId({ scheme: 'super', id: '' });
      addId({ scheme: 'digest', id });
      ok = true;
    } else if (packet.scheme === 'ip') {
      addId({ scheme: 'ip', id: conn.remoteAddress });
      ok = true;
    }
    const err = ok ? ErrorCode.OK : ErrorCode.AUTH_FAILED;
    conn.out.frame((w) => writeReplyHeader(w, xid, 0, err));
    this.packetsSent++;
    if (!ok) {
      this.authFailedCount++;
      this.log('warn', `authentication failed for ${conn.describe()} scheme ${packet.scheme}`);
      conn.close();
    }
  }

  private prepContext(conn: ClientConnection) {
    return {
      sessionId: conn.sessionId,
      authIds: conn.authIds,
      zxid: this.lastProposedZxid + 1,
      time: Date.now(),
      extendedTypesEnabled: this.options.extendedTypesEnabled,
      skipACL: this.options.skipACL,
    };
  }

  private closeSessionTxn(sessionId: bigint): Txn {
    const ctx = { sessionId, authIds: [], zxid: this.lastProposedZxid + 1, time: Date.now(), extendedTypesEnabled: this.options.extendedTypesEnabled };
    return prepWrite(this.pending, ctx, OpCode.closeSession, undefined);
  }

  /**
   * Stamps a zxid and hands the txn to the broadcast; returns the zxid. `time` is the header's: a prepped
   * txn carries the time its prep saw (ZooKeeper stamps the header once and prep reads it from there).
   */
  private propose(origin: Origin, sessionId: bigint, cxid: number, type: number, txn: Txn, time = Date.now()): number {
    const zxid = ++this.lastProposedZxid;
    origin.zxid = zxid;
    this.proposed.push(origin);
    // error txns carry OpCode.error in their header, as in ZooKeeper's log
    this.broadcast.propose({ sessionId, cxid, zxid, time, type: txn.type === -1 ? OpCode.error : type }, txn);
    return zxid;
  }

  /** Called by the broadcast for each txn once it is durable (and, in an ensemble, committed), in zxid order. */
  commit(header: TxnHeader, txn: Txn): void {
    const result = this.tree.apply(header, txn);
    this.pending.committed(header.zxid);
    this.deliverWatchEvents(result.triggers);
    let origin = this.takeProposed(header.zxid);
    if (origin === undefined && this.forwarded.size > 0) {
      const key = forwardKey(header.sessionId, header.cxid);
      const notOurs = txn.type === -1 && txn.err === ErrorCode.SESSION_MOVED && !this.movedHere.delete(key);
      origin = notOurs ? undefined : this.forwarded.get(key);
      if (origin !== undefined) {
        this.forwarded.delete(key);
        // a forwarded write's queue entry learns its zxid now
        const conn = origin.conn;
        if (conn && header.type !== OpCode.createSession) {
          const entry = conn.queue.find((e) => e.zxid === undefined && e.xid === header.cxid && !e.respond && !e.result);
          if (entry) entry.zxid = header.zxid;
        }
      }
    }

    if (header.type === OpCode.createSession) {
      if (txn.type === -10) this.sessions.add(header.sessionId, txn.timeOut, Date.now());
      const conn = origin?.conn;
      if (conn && !conn.isClosed) this.finishSessionInit(conn);
      return;
    }
    if (header.type === OpCode.closeSession) {
      this.sessions.remove(header.sessionId);
      this.forgetOwner(header.sessionId);
      const owner = this.bySession.get(header.sessionId);
      const conn = origin?.conn ?? null;
      if (conn) this.completeWrite(conn, header, result, origin);
      if (owner) {
        this.bySession.delete(header.sessionId);
        owner.close();
      }
      return;
    }
    if (origin?.conn) this.completeWrite(origin.conn, header, result, origin);
  }

  /** The origin of our proposal `zxid`, removed from the queue; undefined if it is not ours. */
  private takeProposed(zxid: number): Origin | undefined {
    const q = this.proposed;
    let head = this.proposedHead;
    // older entries can only be left by proposals that will never commit: drop them
    while (head < q.length && q[head]!.zxid < zxid) head++;
    let origin: Origin | undefined;
    if (head < q.length && q[head]!.zxid === zxid) origin = q[head++];
    if (head === q.length) {
      q.length = 0;
      head = 0;
    } else if (head > 1024 && head * 2 > q.length) {
      q.splice(0, head);
      head = 0;
    }
    this.proposedHead = head;
    return origin;
  }

  /** Learner: the leader rejected our forwarded (sessionId, cxid) as SessionMoved (before its error txn commits). */
  sessionMovedNotice(sessionId: bigint, cxid: number): void {
    this.movedHere.add(forwardKey(sessionId, cxid));
  }

  /** Leader: a session closed by a committed closeSession has no owner any more. */
  private forgetOwner(sessionId: bigint): void {
    if (this.owners.size > 0) this.owners.delete(sessionId);
  }

  private completeWrite(conn: ClientConnection, header: TxnHeader, result: ApplyResult, origin?: Origin): void {
    if (conn.isClosed) return;
    // the entry a proposal was made for is still queued (a closed connection's queue is emptied)
    const entry = origin?.entry ?? conn.queue.find((e) => e.zxid === header.zxid);
    if (!entry) return;
    if (result.err === ErrorCode.SESSION_MOVED) {
      // ZooKeeper's FinalRequestProcessor: SessionMoved is a connection-level error; the connection is
      // closed without a reply (ZOOKEEPER-710): this socket no longer speaks for the session
      this.log('info', `closing ${conn.describe()}: session 0x${hexSession(conn.sessionId)} moved to another member`);
      conn.close();
      return;
    }
    conn.uncommittedWrites--;
    if (entry.op === OpCode.sync) {
      entry.respond = () => {
        if (result.err !== ErrorCode.OK) {
          conn.out.frame((w) => writeReplyHeader(w, entry.xid, header.zxid, result.err));
        } else {
          const path = (origin?.request as { request?: { path?: string } } | undefined)?.request?.path ?? '/';
          conn.out.frame((w) => {
            writeReplyHeader(w, entry.xid, header.zxid, 0);
            w.writeString(path);
          });
        }
        this.afterReply(conn, entry, header.zxid);
      };
    } else {
      // answered by drain from the result (no closure per write)
      entry.zxid = header.zxid;
      entry.result = result;
    }
    this.drain(conn);
  }

  /** Answers queued requests from the head while they are ready (session FIFO). */
  private drain(conn: ClientConnection): void {
    const q = conn.queue;
    while (q.length > 0) {
      const head = q[0]!;
      const result = head.result;
      if (result !== undefined) {
        q.shift();
        this.outstanding--;
        this.replyWrite(conn, head, result);
      } else if (head.respond !== undefined) {
        q.shift();
        this.outstanding--;
        head.respond();
      } else break;
    }
    this.maybeResumeReading();
  }

  /** The reply of a committed write, encoded from its apply result. */
  private replyWrite(conn: ClientConnection, entry: QueuedRequest, result: ApplyResult): void {
    const zxid = entry.zxid!;
    const out = conn.out;
    writeWriteReply(out.openFrame(), entry.xid, zxid, entry.op, result);
    out.closeFrame();
    this.afterReply(conn, entry, zxid);
  }

  private afterReply(conn: ClientConnection, entry: { xid: number; op: number; receivedAt: number }, zxid: number): void {
    this.packetsSent++;
    conn.recordLatency(OP_NAMES[entry.op] ?? String(entry.op), entry.xid, zxid, entry.receivedAt);
    const latency = conn.lastLatency;
    if (latency < this.minLatency) this.minLatency = latency;
    if (latency > this.maxLatency) this.maxLatency = latency;
    this.totalLatency += latency;
    this.latencyCount++;
    if (entry.op === OpCode.closeSession) conn.close();
  }

  private replyError(conn: ClientConnection, xid: number, err: number): void {
    conn.out.frame((w) => writeReplyHeader(w, xid, this.tree.lastProcessedZxid, err));
    this.packetsSent++;
  }

  private deliverWatchEvents(triggers: WatchTrigger[]): void {
    // one scratch set for every trigger: most writes wake nobody, and a Set per trigger was a top allocation
    const woken = this.wokenScratch;
    for (const t of triggers) {
      if (woken.size !== 0) woken.clear(); // clear() allocates a new table even when empty
      this.watches.trigger(t, woken);
      if (woken.size === 0) continue;
      const node = t.acl ? undefined : this.tree.getNode(t.path);
      const acl: ACL[] | null = t.acl ?? (node ? this.tree.aclOf(node) : null);
      // READ-ACL filtering on delivery: a watcher never learns of a change it may not read
      const everyone = acl === null || this.options.skipACL || isWorldReadable(acl);
      // the notification is encoded once; each connection gets a copy of its bytes
      const frame = notificationFrame({ type: t.type, state: KeeperState.SyncConnected, path: t.path });
      for (const conn of woken) {
        if (conn.isClosed) continue;
        if (!everyone && !checkPermission(acl, Perms.READ, conn.authIds)) continue;
        conn.out.encodedFrame(frame);
        this.packetsSent++;
      }
    }
    if (woken.size !== 0) woken.clear();
  }

  // ---------------------------------------------------------------- sessions and flow control

  /** Periodic: expire sessions whose deadline passed by proposing their closeSession txn. */
  expireSessions(nowMs: number): void {
    for (const s of this.sessions.expire(nowMs)) {
      this.log('info', `expiring session 0x${hexSession(s.id)}, timeout of ${s.timeout}ms exceeded`);
      this.propose(originOf(null, OpCode.closeSession), s.id, 0, OpCode.closeSession, this.closeSessionTxn(s.id));
    }
  }

  /** Periodic: deletes empty containers and expired TTL nodes, as ZooKeeper's ContainerManager. */
  reapContainersAndTtls(nowMs: number, maxNeverUsedMs: number, maxPerMinute: number): void {
    const candidates = [...this.tree.containersToDelete(nowMs, maxNeverUsedMs), ...this.tree.ttlExpired(nowMs)];
    for (const path of candidates.slice(0, maxPerMinute)) {
      const ctx = { sessionId: 0n, authIds: [], zxid: this.lastProposedZxid + 1, time: nowMs, extendedTypesEnabled: this.options.extendedTypesEnabled, skipACL: true };
      const txn = prepWrite(this.pending, ctx, OpCode.deleteContainer, { path });
      if (txn.type === -1) continue; // no longer eligible (e.g. a child was created meanwhile): no txn
      this.propose(originOf(null, OpCode.deleteContainer), 0n, 0, OpCode.deleteContainer, txn, nowMs);
    }
  }

  resetStats(): void {
    this.packetsReceived = 0;
    this.packetsSent = 0;
    this.minLatency = Number.MAX_SAFE_INTEGER;
    this.maxLatency = 0;
    this.totalLatency = 0;
    this.latencyCount = 0;
  }

  private pauseReading(): void {
    if (this.readingPaused) return;
    this.readingPaused = true;
    for (const c of this.connections) c.pause();
  }

  private maybeResumeReading(): void {
    if (!this.readingPaused || this.outstanding > this.options.globalOutstandingLimit / 2) return;
    this.readingPaused = false;
    for (const c of this.connections) c.resume();
  }

  connectionCount(): number {
    return this.connections.size;
  }

  sessionIds(): Iterable<bigint> {
    return this.bySession.keys();
  }

  whoAmI(conn: ClientConnection): Id[] {
    return conn.authIds;
  }
}

const EMPTY = new Uint8Array(0);

function forwardKey(sessionId: bigint, cxid: number): string {
  return `${sessionId}:${cxid}`;
}

/** Encodes the reply of a committed write from its apply result. */
function writeWriteReply(w: JuteWriter, xid: number, zxid: number, op: number, result: ApplyResult): void {
  writeReplyHeader(w, xid, zxid, result.err);
  if (result.err !== 0) return;
  switch (op) {
    case OpCode.create:
      w.writeString(result.path ?? '');
      return;
    case OpCode.create2:
    case OpCode.createContainer:
    case OpCode.createTTL:
      w.writeString(result.path ?? '');
      writeStat(w, result.stat!);
      return;
    case OpCode.setData:
    case OpCode.setACL:
      writeStat(w, result.stat!);
      return;
    case OpCode.multi:
      writeMultiResponse(w, result.multi as MultiResult[]);
      return;
    default:
      return; // delete, closeSession: header only
  }
}


