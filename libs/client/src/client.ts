/**
 * ZooKeeperClient: one session over a list of servers, with the Java client's connection behaviour
 * (ClientCnxn): host failover, session re-establishment with id + password and lastZxidSeen, auth and
 * SetWatches replay, ping cadence and read/connect timeouts, requests failing with ConnectionLoss when the
 * connection drops, and a bound on outstanding requests.
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';
import {
  DEFAULT_JUTE_MAXBUFFER,
  ErrorCode,
  FrameDecoder,
  JuteReader,
  JuteWriter,
  OpCode,
  Xid,
  decodeResponse,
  encodeConnectRequest,
  encodeRequest,
  readConnectResponse,
  readReplyHeader,
  readWatcherEvent,
  type ACL,
  type ClientInfo,
  type ClientRequest,
  type CreateRequest,
  type MultiOp,
  type MultiResult,
  type OpResponse,
  type Stat,
} from '@paddock/protocol';
import { HostProvider, parseConnectString, type HostAddress } from './connect-string.js';
import {
  AuthFailedError,
  ConnectionLossError,
  SessionExpiredError,
  TransactionError,
  ZooKeeperError,
  createError,
  type OpResult,
} from './errors.js';
import { toClientPath, toServerPath, validatePath } from './paths.js';
import { Transaction, type Op, type ReadOp } from './transaction.js';
import {
  CREATE_MODE_FLAGS,
  OPEN_ACL_UNSAFE,
  WATCHER_KIND_CODES,
  isSequential,
  isTTL,
  watchEventTypeName,
  type AddWatchMode,
  type ClientState,
  type CreateMode,
  type WatchedEvent,
  type Watcher,
  type WatcherKind,
} from './types.js';
import { WatchManager, type WatchRegistrationKind } from './watch-manager.js';
import { WatchStream, type WatchStreamOptions } from './watch-stream.js';

export interface ZooKeeperClientOptions {
  /** Requested session timeout (ms); the server clamps it to [2, 20] x tickTime. Default 30000. */
  sessionTimeout?: number;
  /** Resume an existing session (both needed). */
  sessionId?: bigint;
  sessionPassword?: Buffer;
  /** Shuffle the hosts of the connect string (StaticHostProvider). Default true. */
  randomizeHosts?: boolean;
  /** Pause after every host was tried without success (Java: 1000 ms). */
  reconnectDelayMs?: number;
  /** Random pause of up to this much before every connection attempt but the first (Java: 1000 ms). */
  reconnectJitterMs?: number;
  /** Requests sent or queued but not answered; further calls wait for a slot. Default 1024. */
  maxOutstandingRequests?: number;
  /** Credentials sent on every connection, before any request (like addAuth before connecting). */
  authInfo?: Array<{ scheme: string; auth: string | Buffer }>;
  /** The watcher used for `watch: true`; alternatively listen to the client's 'watch' event. */
  defaultWatcher?: Watcher;
  /** Largest reply frame accepted (jute.maxbuffer). Default 4 MiB. */
  maxFrameLength?: number;
  /** How long close() waits for the closeSession reply. Default 2000 ms. */
  closeTimeoutMs?: number;
  /** Random source (tests). */
  random?: () => number;
}

export type Data = Buffer | Uint8Array | string | null | undefined;

export interface CreateOptions {
  mode?: CreateMode;
  /** Default OPEN_ACL_UNSAFE. */
  acl?: readonly ACL[];
  /** Milliseconds, TTL modes only. */
  ttl?: number;
}

export interface WatchOption {
  /** `true`: the default watcher ('watch' event); a function: that watcher. */
  watch?: boolean | Watcher;
}

export interface RemoveWatchesOptions {
  /** Remove the local registration even if the server cannot be reached or says there is none. */
  local?: boolean;
}

export interface ClientStats {
  /** Requests sent and not yet answered plus requests queued for sending. */
  outstanding: number;
  /** Highest `outstanding` ever seen. */
  peakOutstanding: number;
  /** Calls waiting for a slot because of maxOutstandingRequests. */
  waiting: number;
  /** Highest `waiting` ever seen. */
  peakWaiting: number;
  /** Connections established (first connect and reconnects). */
  connections: number;
}

interface Reply {
  err: number;
  zxid: number;
  body: OpResponse | undefined;
}

interface Packet {
  request: ClientRequest;
  /** client path, for errors */
  path: string | undefined;
  xid?: number;
  /** one-shot / persistent watch to register when the reply comes */
  watch?: { kind: 'exists' | 'getData' | 'getChildren' | 'addWatch'; path: string; watcher: Watcher; mode?: AddWatchMode };
  /** holds a backpressure slot */
  counted: boolean;
  resolve(reply: Reply): void;
  reject(error: Error): void;
}

interface AuthEntry {
  scheme: string;
  auth: Buffer;
  waiters: Array<{ resolve(): void; reject(e: Error): void }>;
}

const SET_WATCHES_MAX_LENGTH = 128 * 1024;
const MAX_SEND_PING_INTERVAL = 10_000;
const TERMINAL: ReadonlySet<ClientState> = new Set(['expired', 'closed', 'auth-failed']);

function toBuffer(data: Data): Buffer | null {
  if (data === null) return null;
  if (data === undefined) return Buffer.alloc(0);
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** Events of the client: 'state' with every state change, plus one event per state name. */
export type ZooKeeperClientEvents = {
  state: [state: ClientState];
  connecting: [];
  connected: [];
  disconnected: [];
  expired: [];
  closed: [];
  'auth-failed': [];
  /** notifications for the default watcher (`watch: true`) */
  watch: [event: WatchedEvent];
  /** a watcher threw */
  'watcher-error': [error: unknown, event: WatchedEvent];
};

export class ZooKeeperClient extends EventEmitter<ZooKeeperClientEvents> {
  readonly connectString: string;
  readonly chroot: string | undefined;
  readonly sessionTimeout: number;
  private readonly hosts: HostProvider;
  private readonly options: ZooKeeperClientOptions;
  private readonly watches = new WatchManager();
  private readonly defaultWatcher: Watcher;
  private readonly maxOutstanding: number;

  private _state: ClientState = 'connecting';
  private closing = false;
  private closePromise: Promise<void> | undefined;
  private socket: net.Socket | undefined;
  private decoder: FrameDecoder | undefined;
  private handshakeDone = false;
  private firstAttempt = true;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private ioTimer: NodeJS.Timeout | undefined;
  private lastRecv = 0;
  private lastSend = 0;

  private xid = 1;
  private _lastZxid = 0;
  private _sessionId = 0n;
  private _password: Buffer = Buffer.alloc(16);
  private _negotiatedTimeout = 0;
  private readTimeout: number;
  private connectTimeout: number;

  private queued: Packet[] = [];
  private pending: Packet[] = [];
  private readonly authInfo: AuthEntry[] = [];
  private authInFlight: Array<AuthEntry | undefined> = [];
  private outstanding = 0;
  private slotWaiters: Array<{ resolve(): void; reject(e: Error): void }> = [];
  private readonly _stats: ClientStats = { outstanding: 0, peakOutstanding: 0, waiting: 0, peakWaiting: 0, connections: 0 };
  private readonly streams = new Set<WatchStream>();

  constructor(connectString: string, options: ZooKeeperClientOptions = {}) {
    super();
    const parsed = parseConnectString(connectString);
    this.connectString = connectString;
    this.chroot = parsed.chroot;
    this.options = options;
    this.sessionTimeout = options.sessionTimeout ?? 30_000;
    this.hosts = new HostProvider(parsed.hosts, { randomize: options.randomizeHosts ?? true, random: options.random ?? Math.random });
    this.maxOutstanding = Math.max(1, options.maxOutstandingRequests ?? 1024);
    this.readTimeout = (this.sessionTimeout * 2) / 3;
    this.connectTimeout = this.sessionTimeout / this.hosts.size;
    if (options.sessionId !== undefined) {
      if (options.sessionPassword === undefined) throw new Error('sessionPassword is required with sessionId');
      this._sessionId = options.sessionId;
      this._password = Buffer.from(options.sessionPassword);
    }
    for (const a of options.authInfo ?? []) this.authInfo.push({ scheme: a.scheme, auth: toBuffer(a.auth) ?? Buffer.alloc(0), waiters: [] });
    const userDefault = options.defaultWatcher;
    this.defaultWatcher = (event) => {
      userDefault?.(event);
      this.emit('watch', event);
    };
    // let the caller attach listeners before the first state change
    queueMicrotask(() => this.scheduleConnect(false));
  }

  /** Creates a client and waits until its session is established (or fails: expired, auth-failed, timeout). */
  static async connect(connectString: string, options: ZooKeeperClientOptions & { connectTimeoutMs?: number } = {}): Promise<ZooKeeperClient> {
    const client = new ZooKeeperClient(connectString, options);
    try {
      await client.waitForConnected(options.connectTimeoutMs ?? options.sessionTimeout ?? 30_000);
    } catch (error) {
      await client.close();
      throw error;
    }
    return client;
  }

  // ------------------------------------------------------------------ state

  get state(): ClientState {
    return this._state;
  }
  get sessionId(): bigint {
    return this._sessionId;
  }
  get sessionPassword(): Buffer {
    return Buffer.from(this._password);
  }
  /** The timeout the server granted (0 until the first connection). */
  get negotiatedTimeout(): number {
    return this._negotiatedTimeout;
  }
  get lastZxid(): number {
    return this._lastZxid;
  }
  /** The server of the current (or last) connection. */
  get currentHost(): HostAddress | undefined {
    return this.hosts.current;
  }
  get stats(): Readonly<ClientStats> {
    return { ...this._stats, outstanding: this.outstanding, waiting: this.slotWaiters.length };
  }
  /** Read timeout (2/3 of the session timeout), connect timeout (session timeout / hosts) and ping interval in ms. */
  get timing(): { readTimeout: number; connectTimeout: number; pingInterval: number } {
    const half = this.readTimeout / 2;
    return { readTimeout: this.readTimeout, connectTimeout: this.connectTimeout, pingInterval: Math.min(half > 1000 ? half - 1000 : half, MAX_SEND_PING_INTERVAL) };
  }

  /** Resolves once connected; rejects if the session ends (expired, auth-failed, closed) or after timeoutMs. */
  waitForConnected(timeoutMs = this.sessionTimeout): Promise<void> {
    if (this._state === 'connected') return Promise.resolve();
    if (TERMINAL.has(this._state)) return Promise.reject(this.terminalError());
    return new Promise((resolve, reject) => {
      const onState = (state: ClientState) => {
        if (state === 'connected') finish();
        else if (TERMINAL.has(state)) finish(this.terminalError());
      };
      const timer = setTimeout(() => finish(new ConnectionLossError(undefined, `not connected to ${this.connectString} within ${timeoutMs} ms`)), timeoutMs);
      const finish = (error?: Error) => {
        clearTimeout(timer);
        this.off('state', onState);
        if (error) reject(error);
        else resolve();
      };
      this.on('state', onState);
    });
  }

  private setState(state: ClientState): void {
    if (this._state === state) return;
    this._state = state;
    this.emit('state', state);
    this.emit(state);
  }

  private terminalError(path?: string): ZooKeeperError {
    switch (this._state) {
      case 'auth-failed':
        return new AuthFailedError(path, 'authentication failed; the client is unusable');
      case 'expired':
        return new SessionExpiredError(path, 'session expired');
      default:
        return new SessionExpiredError(path, 'client is closed');
    }
  }

  // ------------------------------------------------------------------ connection

  private scheduleConnect(afterConnected: boolean): void {
    if (TERMINAL.has(this._state) || this.closing) return;
    const { host, wrapped } = this.hosts.next();
    const random = this.options.random ?? Math.random;
    let delay = 0;
    if (!this.firstAttempt) delay += Math.floor(random() * (this.options.reconnectJitterMs ?? 1000));
    if (wrapped && !afterConnected) delay += this.options.reconnectDelayMs ?? 1000;
    this.firstAttempt = false;
    if (delay <= 0) this.startConnect(host);
    else this.reconnectTimer = setTimeout(() => this.startConnect(host), delay);
  }

  private startConnect(host: HostAddress): void {
    this.reconnectTimer = undefined;
    if (TERMINAL.has(this._state) || this.closing) return;
    const socket = net.connect({ host: host.host, port: host.port });
    socket.setNoDelay(true);
    this.socket = socket;
    this.decoder = new FrameDecoder(this.options.maxFrameLength ?? Math.max(4 * 1024 * 1024, DEFAULT_JUTE_MAXBUFFER));
    this.handshakeDone = false;
    this.lastRecv = this.lastSend = Date.now();
    this.armTimer();
    socket.on('connect', () => {
      if (this.socket !== socket) return;
      const w = new JuteWriter(64);
      encodeConnectRequest(w, {
        protocolVersion: 0,
        lastZxidSeen: this._lastZxid,
        timeOut: this.sessionTimeout,
        sessionId: this._sessionId,
        passwd: this._password,
        readOnly: false,
      });
      this.write(w.bytes());
    });
    socket.on('data', (chunk: Buffer) => this.onData(socket, chunk));
    socket.on('error', (error) => this.dropConnection(socket, `${host.host}:${host.port}: ${error.message}`));
    socket.on('close', () => this.dropConnection(socket, `connection to ${host.host}:${host.port} closed`));
  }

  private write(bytes: Buffer): void {
    this.socket?.write(bytes);
    this.lastSend = Date.now();
  }

  /** Read/connect timeout and pings, computed like ClientCnxn.SendThread.run. */
  private armTimer(): void {
    clearTimeout(this.ioTimer);
    this.ioTimer = undefined;
    const socket = this.socket;
    if (!socket) return;
    const now = Date.now();
    const idleRecv = now - this.lastRecv;
    const limit = this.handshakeDone ? this.readTimeout : this.connectTimeout;
    const to = limit - idleRecv;
    if (to <= 0) {
      this.dropConnection(socket, `client timed out, have not heard from server in ${idleRecv} ms`);
      return;
    }
    let next = to;
    if (this.handshakeDone) {
      const idleSend = now - this.lastSend;
      let timeToNextPing = this.readTimeout / 2 - idleSend - (idleSend > 1000 ? 1000 : 0);
      if (timeToNextPing <= 0 || idleSend > MAX_SEND_PING_INTERVAL) {
        this.sendPing();
        timeToNextPing = this.readTimeout / 2 - 1000 > 0 ? this.readTimeout / 2 - 1000 : this.readTimeout / 2;
      }
      next = Math.min(next, timeToNextPing, MAX_SEND_PING_INTERVAL);
    }
    this.ioTimer = setTimeout(() => this.armTimer(), Math.max(1, Math.ceil(next)));
  }

  private sendPing(): void {
    const w = new JuteWriter(16);
    encodeRequest(w, Xid.PING, { type: OpCode.ping });
    this.write(w.bytes());
  }

  private onData(socket: net.Socket, chunk: Buffer): void {
    if (this.socket !== socket || !this.decoder) return;
    this.lastRecv = Date.now();
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (error) {
      this.dropConnection(socket, `bad frame from server: ${(error as Error).message}`);
      return;
    }
    for (const frame of frames) {
      if (this.socket !== socket) return; // dropped (or closed) while handling an earlier frame
      try {
        if (!this.handshakeDone) this.onConnectResponse(frame);
        else this.onReply(socket, frame);
      } catch (error) {
        this.dropConnection(socket, `cannot decode a server frame: ${(error as Error).message}`);
        return;
      }
    }
  }

  private onConnectResponse(frame: Buffer): void {
    const resp = readConnectResponse(new JuteReader(frame));
    if (resp.timeOut <= 0) {
      this.expire();
      return;
    }
    this._negotiatedTimeout = resp.timeOut;
    this.readTimeout = (resp.timeOut * 2) / 3;
    this.connectTimeout = resp.timeOut / this.hosts.size;
    this._sessionId = resp.sessionId;
    this._password = Buffer.from(resp.passwd);
    this.handshakeDone = true;
    this.hosts.onConnected();
    this._stats.connections++;
    // prime the connection: auth, then SetWatches, then what was queued (ClientCnxn.primeConnection)
    const w = new JuteWriter(256);
    this.authInFlight = [];
    for (const entry of this.authInfo) {
      encodeRequest(w, Xid.AUTH, { type: OpCode.auth, request: { type: 0, scheme: entry.scheme, auth: entry.auth } });
      this.authInFlight.push(entry);
    }
    this.encodeSetWatches(w);
    if (w.offset > 0) this.write(Buffer.from(w.bytes()));
    this.flushQueued();
    this.armTimer();
    this.setState('connected');
  }

  /** SetWatches (or SetWatches2 when a batch holds persistent watches) in batches of ~128 KB of paths. */
  private encodeSetWatches(w: JuteWriter): void {
    if (this.watches.isEmpty()) return;
    const snap = this.watches.snapshot();
    const lists = [snap.data, snap.exist, snap.child, snap.persistent, snap.persistentRecursive].map((l) => l.map((p) => toServerPath(this.chroot, p)));
    const pos = [0, 0, 0, 0, 0];
    for (;;) {
      const batch: string[][] = [[], [], [], [], []];
      let length = 0;
      while (length < SET_WATCHES_MAX_LENGTH) {
        const i = lists.findIndex((l, k) => pos[k]! < l.length);
        if (i < 0) break;
        const path = lists[i]![pos[i]!++]!;
        batch[i]!.push(path);
        length += path.length;
      }
      if (length === 0 && batch.every((b) => b.length === 0)) return;
      const request = {
        relativeZxid: this._lastZxid,
        dataWatches: batch[0]!,
        existWatches: batch[1]!,
        childWatches: batch[2]!,
        persistentWatches: batch[3]!,
        persistentRecursiveWatches: batch[4]!,
      };
      const persistent = batch[3]!.length > 0 || batch[4]!.length > 0;
      encodeRequest(w, Xid.SET_WATCHES, persistent ? { type: OpCode.setWatches2, request } : { type: OpCode.setWatches, request });
    }
  }

  private flushQueued(): void {
    if (!this.socket || !this.handshakeDone || this.queued.length === 0) return;
    const w = new JuteWriter(1024);
    const batch = this.queued;
    this.queued = [];
    for (const p of batch) {
      p.xid = this.nextXid();
      encodeRequest(w, p.xid, p.request);
      this.pending.push(p);
    }
    this.write(Buffer.from(w.bytes()));
  }

  private nextXid(): number {
    const xid = this.xid;
    this.xid = this.xid >= 0x7fffffff ? 1 : this.xid + 1;
    return xid;
  }

  private onReply(socket: net.Socket, frame: Buffer): void {
    const r = new JuteReader(frame);
    const h = readReplyHeader(r);
    switch (h.xid) {
      case Xid.PING:
      case Xid.SET_WATCHES:
        return;
      case Xid.NOTIFICATION:
      {
        const event = readWatcherEvent(r);
        this.onNotification(event.type, event.path);
        return;
      }
      case Xid.AUTH: {
        const entry = this.authInFlight.shift();
        if (h.err === ErrorCode.AUTH_FAILED) {
          this.authFailed();
          return;
        }
        if (entry) {
          const waiters = entry.waiters;
          entry.waiters = [];
          for (const waiter of waiters) waiter.resolve();
        }
        return;
      }
    }
    const p = this.pending.shift();
    if (!p || p.xid !== h.xid) {
      if (p) this.pending.unshift(p);
      this.dropConnection(socket, `Xid out of order. Got Xid ${h.xid} but expected ${p?.xid ?? 'none'}`);
      return;
    }
    if (h.zxid > 0) this._lastZxid = h.zxid;
    let body: OpResponse | undefined;
    if (h.err === 0) body = decodeResponse(p.request.type, r);
    this.complete(p, { err: h.err, zxid: h.zxid, body });
  }

  private complete(p: Packet, reply: Reply): void {
    if (p.watch) this.registerWatch(p.watch, reply.err);
    this.releaseSlot(p);
    p.resolve(reply);
  }

  private fail(p: Packet, error: Error): void {
    this.releaseSlot(p);
    p.reject(error);
  }

  /** WatchRegistration.register: only when the reply says the watch was set. */
  private registerWatch(watch: NonNullable<Packet['watch']>, err: number): void {
    let kind: WatchRegistrationKind | undefined;
    switch (watch.kind) {
      case 'exists':
        kind = err === 0 ? 'data' : err === ErrorCode.NO_NODE ? 'exist' : undefined;
        break;
      case 'getData':
        kind = err === 0 ? 'data' : undefined;
        break;
      case 'getChildren':
        kind = err === 0 ? 'child' : undefined;
        break;
      case 'addWatch':
        kind = err === 0 ? (watch.mode === 'persistentRecursive' ? 'persistentRecursive' : 'persistent') : undefined;
        break;
    }
    if (kind) this.watches.add(kind, watch.path, watch.watcher);
  }

  private onNotification(type: number, serverPath: string): void {
    const path = toClientPath(this.chroot, serverPath);
    const name = watchEventTypeName(type);
    if (!name) return;
    const watchers = this.watches.materialize(type, path);
    this.deliver(watchers, { type: name, typeCode: type, path });
  }

  private deliver(watchers: Iterable<Watcher>, event: WatchedEvent): void {
    for (const watcher of watchers) {
      try {
        watcher(event);
      } catch (error) {
        if (this.listenerCount('watcher-error') > 0) this.emit('watcher-error', error, event);
      }
    }
  }

  /** The connection is gone: fail what was sent or queued (ConnectionLoss), then reconnect. */
  private dropConnection(socket: net.Socket, reason: string): void {
    if (this.socket !== socket) return;
    this.teardownSocket();
    const wasConnected = this.handshakeDone;
    this.handshakeDone = false;
    this.failAllRequests(() => new ConnectionLossError(undefined, `connection loss: ${reason}`));
    if (TERMINAL.has(this._state) || this.closing) return;
    if (wasConnected) this.setState('disconnected');
    this.scheduleConnect(wasConnected);
  }

  private teardownSocket(): void {
    clearTimeout(this.ioTimer);
    this.ioTimer = undefined;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    const socket = this.socket;
    this.socket = undefined;
    this.decoder = undefined;
    this.authInFlight = [];
    if (socket) {
      socket.removeAllListeners('data');
      socket.removeAllListeners('connect');
      socket.on('error', () => undefined);
      socket.destroy();
    }
  }

  private failAllRequests(makeError: () => ZooKeeperError): void {
    const packets = [...this.pending, ...this.queued];
    this.pending = [];
    this.queued = [];
    for (const p of packets) {
      const e = makeError();
      this.fail(p, p.path === undefined ? e : createError(e.code, p.path, e.message));
    }
  }

  private expire(): void {
    this.enterTerminal('expired');
  }

  private authFailed(): void {
    this.enterTerminal('auth-failed');
  }

  private enterTerminal(state: ClientState): void {
    this.teardownSocket();
    this.handshakeDone = false;
    this._state = state; // so errors below carry the right code before listeners run
    const error = () => this.terminalError();
    this.failAllRequests(error);
    for (const entry of this.authInfo) {
      const waiters = entry.waiters;
      entry.waiters = [];
      for (const w of waiters) w.reject(error());
    }
    const waiters = this.slotWaiters;
    this.slotWaiters = [];
    for (const w of waiters) w.reject(error());
    for (const stream of this.streams) stream.end(state === 'closed' ? undefined : error());
    this.streams.clear();
    this.emit('state', state);
    this.emit(state);
  }

  /**
   * Ends the session: sends closeSession (after anything already queued) and waits for its reply, then closes
   * the connection. Afterwards every call fails with SessionExpired ("client is closed").
   */
  close(): Promise<void> {
    if (this._state === 'closed') return Promise.resolve();
    this.closePromise ??= this.doClose();
    return this.closePromise;
  }

  private async doClose(): Promise<void> {
    this.closing = true;
    if (this._state === 'connected' && this.socket) {
      const reply = new Promise<void>((resolve) => {
        const p: Packet = { request: { type: OpCode.closeSession }, path: undefined, counted: false, resolve: () => resolve(), reject: () => resolve() };
        this.enqueue(p);
      });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([reply, new Promise<void>((resolve) => (timer = setTimeout(resolve, this.options.closeTimeoutMs ?? 2000)))]);
      clearTimeout(timer);
    }
    this.enterTerminal('closed');
  }

  // ------------------------------------------------------------------ request plumbing

  /** Takes a backpressure slot if one is free and nobody is queued for one. */
  private tryAcquireSlot(): boolean {
    if (this.outstanding >= this.maxOutstanding || this.slotWaiters.length > 0) return false;
    this.outstanding++;
    this._stats.peakOutstanding = Math.max(this._stats.peakOutstanding, this.outstanding);
    return true;
  }

  private releaseSlot(p: Packet): void {
    if (!p.counted) return;
    p.counted = false;
    const next = this.slotWaiters.shift();
    if (next) next.resolve(); // the slot passes straight to the next caller
    else this.outstanding--;
  }

  private enqueue(p: Packet): void {
    if (this.socket && this.handshakeDone) {
      p.xid = this.nextXid();
      const w = new JuteWriter(256);
      encodeRequest(w, p.xid, p.request);
      this.pending.push(p);
      this.write(Buffer.from(w.bytes()));
    } else {
      this.queued.push(p);
    }
  }

  /**
   * Sends a request and resolves with the raw reply; rejects only for transport/session failures. With a free
   * slot the request is queued synchronously (calls are sent in call order); otherwise it waits for one.
   */
  private submit(request: ClientRequest, path: string | undefined, watch?: Packet['watch']): Promise<Reply> {
    if (TERMINAL.has(this._state) || this.closing) return Promise.reject(this.terminalError(path));
    return new Promise<Reply>((resolve, reject) => {
      const p: Packet = { request, path, counted: true, resolve, reject };
      if (watch) p.watch = watch;
      if (this.tryAcquireSlot()) {
        this.enqueue(p);
        return;
      }
      this.slotWaiters.push({ resolve: () => this.enqueue(p), reject });
      this._stats.peakWaiting = Math.max(this._stats.peakWaiting, this.slotWaiters.length);
    });
  }

  /** submit + throw the typed error for a non-zero code. */
  private async call(request: ClientRequest, path: string | undefined, watch?: Packet['watch']): Promise<OpResponse | undefined> {
    const reply = await this.submit(request, path, watch);
    if (reply.err !== 0) throw createError(reply.err, path);
    return reply.body;
  }

  private server(path: string): string {
    return toServerPath(this.chroot, path);
  }

  private client(path: string): string {
    return toClientPath(this.chroot, path);
  }

  private watcherOf(option: boolean | Watcher | undefined): Watcher | undefined {
    if (option === true) return this.defaultWatcher;
    if (typeof option === 'function') return option;
    return undefined;
  }

  // ------------------------------------------------------------------ API

  /** Builds the wire request of a create (op 1, or 15 when a stat is wanted; 19 container; 21 TTL). */
  private createRequest(path: string, data: Data, options: CreateOptions, withStat: boolean): ClientRequest {
    const mode = options.mode ?? 'persistent';
    const flags = CREATE_MODE_FLAGS[mode];
    if (flags === undefined) throw new TypeError(`unknown create mode ${String(mode)}`);
    validatePath(path, isSequential(mode));
    const acl = options.acl ?? OPEN_ACL_UNSAFE;
    if (acl.length === 0) throw createError(ErrorCode.INVALID_ACL, path);
    const request: CreateRequest = { path: this.server(path), data: toBuffer(data), acl: acl.slice(), flags };
    if (isTTL(mode)) {
      const ttl = options.ttl;
      if (ttl === undefined || !Number.isInteger(ttl) || ttl <= 0 || ttl > 0xffffffffff) {
        throw createError(ErrorCode.BAD_ARGUMENTS, path, `ttl must be 1..2^40-1 ms for ${mode}, got ${ttl}`);
      }
      request.ttl = BigInt(ttl);
      return { type: OpCode.createTTL, request };
    }
    if (options.ttl !== undefined) throw createError(ErrorCode.BAD_ARGUMENTS, path, `ttl given for non-TTL mode ${mode}`);
    if (mode === 'container') return { type: OpCode.createContainer, request };
    return { type: withStat ? OpCode.create2 : OpCode.create, request };
  }

  /** Creates a node; resolves with its actual path (sequence suffix included, chroot stripped). */
  async create(path: string, data?: Data, options: CreateOptions = {}): Promise<string> {
    const body = (await this.call(this.createRequest(path, data, options, false), path)) as { path: string };
    return this.client(body.path);
  }

  /** Like create, also returning the new node's Stat (create2 / createContainer / createTTL). */
  async create2(path: string, data?: Data, options: CreateOptions = {}): Promise<{ path: string; stat: Stat }> {
    const body = (await this.call(this.createRequest(path, data, options, true), path)) as { path: string; stat?: Stat };
    if (!body.stat) throw createError(ErrorCode.MARSHALLING_ERROR, path, 'create reply without a stat');
    return { path: this.client(body.path), stat: body.stat };
  }

  async delete(path: string, version = -1): Promise<void> {
    validatePath(path);
    await this.call({ type: OpCode.delete, request: { path: this.server(path), version } }, path);
  }

  /** The node's Stat, or null if it does not exist. A watch is set either way (data or exists watch). */
  async exists(path: string, options: WatchOption = {}): Promise<Stat | null> {
    validatePath(path);
    const watcher = this.watcherOf(options.watch);
    const reply = await this.submit(
      { type: OpCode.exists, request: { path: this.server(path), watch: watcher !== undefined } },
      path,
      watcher ? { kind: 'exists', path, watcher } : undefined,
    );
    if (reply.err === ErrorCode.NO_NODE) return null;
    if (reply.err !== 0) throw createError(reply.err, path);
    return (reply.body as { stat: Stat }).stat;
  }

  /** Data (an empty buffer for a node without data) and Stat. */
  async getData(path: string, options: WatchOption = {}): Promise<{ data: Buffer | null; stat: Stat }> {
    validatePath(path);
    const watcher = this.watcherOf(options.watch);
    const body = (await this.call(
      { type: OpCode.getData, request: { path: this.server(path), watch: watcher !== undefined } },
      path,
      watcher ? { kind: 'getData', path, watcher } : undefined,
    )) as { data: Buffer | null; stat: Stat };
    // null data (a node created without data) stays null, as in the Java client: zkCli prints it as "null"
    return { data: body.data, stat: body.stat };
  }

  async setData(path: string, data: Data, version = -1): Promise<Stat> {
    validatePath(path);
    const body = (await this.call({ type: OpCode.setData, request: { path: this.server(path), data: toBuffer(data), version } }, path)) as { stat: Stat };
    return body.stat;
  }

  /** Child names (unordered, as the server sends them). */
  async getChildren(path: string, options: WatchOption = {}): Promise<string[]> {
    validatePath(path);
    const watcher = this.watcherOf(options.watch);
    const body = (await this.call(
      { type: OpCode.getChildren, request: { path: this.server(path), watch: watcher !== undefined } },
      path,
      watcher ? { kind: 'getChildren', path, watcher } : undefined,
    )) as { children: string[] };
    return body.children;
  }

  /** Child names and the parent's Stat (getChildren2). */
  async getChildrenWithStat(path: string, options: WatchOption = {}): Promise<{ children: string[]; stat: Stat }> {
    validatePath(path);
    const watcher = this.watcherOf(options.watch);
    const body = (await this.call(
      { type: OpCode.getChildren2, request: { path: this.server(path), watch: watcher !== undefined } },
      path,
      watcher ? { kind: 'getChildren', path, watcher } : undefined,
    )) as { children: string[]; stat: Stat };
    return { children: body.children, stat: body.stat };
  }

  async getACL(path: string): Promise<{ acl: ACL[]; stat: Stat }> {
    validatePath(path);
    const body = (await this.call({ type: OpCode.getACL, request: { path: this.server(path) } }, path)) as { acl: ACL[]; stat: Stat };
    return { acl: body.acl, stat: body.stat };
  }

  /** Sets the ACL; `version` is checked against aversion. */
  async setACL(path: string, acl: readonly ACL[], version = -1): Promise<Stat> {
    validatePath(path);
    if (acl.length === 0) throw createError(ErrorCode.INVALID_ACL, path);
    const body = (await this.call({ type: OpCode.setACL, request: { path: this.server(path), acl: acl.slice(), version } }, path)) as { stat: Stat };
    return body.stat;
  }

  /** Waits until the server this client is connected to has caught up with the leader; resolves with the path. */
  async sync(path: string): Promise<string> {
    validatePath(path);
    const body = (await this.call({ type: OpCode.sync, request: { path: this.server(path) } }, path)) as { path: string };
    return this.client(body.path);
  }

  /** All-or-nothing: every op applies, or none does and a TransactionError with every op's result is thrown. */
  async multi(ops: readonly Op[]): Promise<OpResult[]> {
    const wire: MultiOp[] = ops.map((op) => this.multiOp(op));
    const firstPath = ops[0]?.path;
    const body = (await this.call({ type: OpCode.multi, ops: wire }, firstPath)) as { results: MultiResult[] };
    const results = body.results.map((r) => this.opResult(r, undefined));
    const failed = body.results.findIndex((r) => r.type === -1 && r.err !== 0);
    if (failed >= 0) {
      const code = (body.results[failed] as { err: number }).err;
      const mapped = body.results.map((r, i) => this.opResult(r, ops[i]?.path));
      throw new TransactionError(code, ops[failed]?.path, mapped, failed);
    }
    return results;
  }

  /** A builder for a multi: `client.transaction().create(...).setData(...).check(...).commit()`. */
  transaction(): Transaction {
    return new Transaction((ops) => this.multi(ops));
  }

  /** Several reads in one round trip; each op succeeds or fails on its own (results of type 'error'). */
  async multiRead(ops: readonly ReadOp[]): Promise<OpResult[]> {
    const wire: MultiOp[] = ops.map((op) => {
      validatePath(op.path);
      const type = op.type === 'getData' ? OpCode.getData : OpCode.getChildren;
      return { type, request: { path: this.server(op.path), watch: false } } as MultiOp;
    });
    const body = (await this.call({ type: OpCode.multiRead, ops: wire }, ops[0]?.path)) as { results: MultiResult[] };
    return body.results.map((r, i) => this.opResult(r, ops[i]?.path));
  }

  private multiOp(op: Op): MultiOp {
    switch (op.type) {
      case 'create': {
        const req = this.createRequest(op.path, op.data, op, false) as { type: 1 | 15 | 19 | 21; request: CreateRequest };
        return { type: req.type, request: req.request };
      }
      case 'delete':
        validatePath(op.path);
        return { type: OpCode.delete, request: { path: this.server(op.path), version: op.version ?? -1 } };
      case 'setData':
        validatePath(op.path);
        return { type: OpCode.setData, request: { path: this.server(op.path), data: toBuffer(op.data), version: op.version ?? -1 } };
      case 'check':
        validatePath(op.path);
        return { type: OpCode.check, request: { path: this.server(op.path), version: op.version } };
      default:
        throw new TypeError(`unknown op type ${(op as { type: unknown }).type}`);
    }
  }

  private opResult(r: MultiResult, path: string | undefined): OpResult {
    switch (r.type) {
      case 1:
        return { type: 'create', path: this.client(r.path) };
      case 15:
        return { type: 'create', path: this.client(r.path), stat: r.stat };
      case 2:
        return { type: 'delete' };
      case 13:
        return { type: 'check' };
      case 5:
        return { type: 'setData', stat: r.stat };
      case 4:
        return { type: 'getData', data: r.data, stat: r.stat };
      case 8:
        return { type: 'getChildren', children: r.children };
      case -1: {
        const error = createError(r.err, path);
        return { type: 'error', code: r.err, codeName: error.codeName, error };
      }
    }
  }

  /** A persistent (or persistent recursive) watch; it stays until removed. */
  async addWatch(path: string, watcher: Watcher, mode: AddWatchMode = 'persistent'): Promise<void> {
    validatePath(path);
    await this.call(
      { type: OpCode.addWatch, request: { path: this.server(path), mode: mode === 'persistentRecursive' ? 1 : 0 } },
      path,
      { kind: 'addWatch', path, watcher, mode },
    );
  }

  /**
   * Removes `watcher`'s watches of `kind` on `path` (ZooKeeper.removeWatches). The watcher gets a
   * DataWatchRemoved / ChildWatchRemoved / PersistentWatchRemoved event. Throws NoWatcher if it has none.
   * The server-side watch is removed when no other local watcher of that kind remains (else only checked).
   */
  async removeWatches(path: string, watcher: Watcher, kind: WatcherKind = 'any', options: RemoveWatchesOptions = {}): Promise<void> {
    await this.removeWatchesInternal(path, watcher, kind, options);
  }

  /** Removes every watch of `kind` on `path` (ZooKeeper.removeAllWatches). */
  async removeAllWatches(path: string, kind: WatcherKind = 'any', options: RemoveWatchesOptions = {}): Promise<void> {
    await this.removeWatchesInternal(path, undefined, kind, options);
  }

  private async removeWatchesInternal(path: string, watcher: Watcher | undefined, kind: WatcherKind, options: RemoveWatchesOptions): Promise<void> {
    validatePath(path);
    if (!this.watches.contains(path, kind, watcher)) throw createError(ErrorCode.NO_WATCHER, path);
    const plan = this.watches.removalPlan(path, kind, watcher);
    if (plan.op !== 'local') {
      const op = plan.op === 'remove' ? OpCode.removeWatches : OpCode.checkWatches;
      let err = 0;
      try {
        const reply = await this.submit({ type: op, request: { path: this.server(path), type: WATCHER_KIND_CODES[plan.wireKind] } }, path);
        err = reply.err;
      } catch (error) {
        if (!options.local) throw error;
      }
      if (err !== 0 && !options.local) throw createError(err, path);
    }
    const removed = this.watches.remove(path, kind, watcher);
    if (removed.length === 0) throw createError(ErrorCode.NO_WATCHER, path);
    for (const { watcher: w, eventType } of removed) {
      this.deliver([w], { type: watchEventTypeName(eventType)!, typeCode: eventType, path });
    }
  }

  /** Asks the server whether this session has a watch of `kind` on `path`; throws NoWatcher if not. */
  async checkWatches(path: string, kind: WatcherKind = 'any'): Promise<void> {
    validatePath(path);
    await this.call({ type: OpCode.checkWatches, request: { path: this.server(path), type: WATCHER_KIND_CODES[kind] } }, path);
  }

  /** Whether this client has a local watch of `kind` on `path` (by `watcher` when given). */
  hasWatch(path: string, kind: WatcherKind = 'any', watcher?: Watcher): boolean {
    return this.watches.contains(path, kind, watcher);
  }

  /**
   * Persistent (default) or persistent recursive watch as an async iterator:
   * `for await (const e of client.watch('/a', { mode: 'persistentRecursive' }))`. Leaving the loop removes
   * the watch; the iterator ends when the client closes and throws when the session expires.
   */
  watch(path: string, options: WatchStreamOptions = {}): WatchStream {
    validatePath(path);
    const stream = new WatchStream(path, options, {
      add: (watcher, mode) => this.addWatch(path, watcher, mode),
      remove: async (watcher, mode) => {
        if (TERMINAL.has(this._state) || this.closing) return;
        await this.removeWatchesInternal(path, watcher, mode, { local: true }).catch(() => undefined);
      },
      detach: (s) => this.streams.delete(s),
    });
    if (TERMINAL.has(this._state) || this.closing) stream.end(this.terminalError(path));
    else this.streams.add(stream);
    return stream;
  }

  /** Paths of this session's ephemeral nodes that start with `prefix` (plain string prefix). */
  async getEphemerals(prefix = '/'): Promise<string[]> {
    validatePath(prefix);
    const body = (await this.call({ type: OpCode.getEphemerals, request: { path: this.server(prefix) } }, prefix)) as { ephemerals: string[] };
    const root = this.chroot;
    return body.ephemerals.filter((p) => root === undefined || p === root || p.startsWith(`${root}/`)).map((p) => this.client(p));
  }

  /** Number of all descendants of `path`. */
  async getAllChildrenNumber(path: string): Promise<number> {
    validatePath(path);
    const body = (await this.call({ type: OpCode.getAllChildrenNumber, request: { path: this.server(path) } }, path)) as { totalNumber: number };
    return body.totalNumber;
  }

  /** The identities this session is authenticated as. */
  async whoAmI(): Promise<ClientInfo[]> {
    const body = (await this.call({ type: OpCode.whoAmI }, undefined)) as { clientInfo: ClientInfo[] };
    return body.clientInfo;
  }

  /**
   * Adds credentials (e.g. 'digest', 'user:password'); they are replayed on every reconnect. Resolves when the
   * server accepted them. A rejection (AuthFailed) makes the client unusable ('auth-failed' state), as in Java.
   */
  addAuth(scheme: string, auth: string | Buffer): Promise<void> {
    if (TERMINAL.has(this._state) || this.closing) return Promise.reject(this.terminalError());
    const entry: AuthEntry = { scheme, auth: toBuffer(auth) ?? Buffer.alloc(0), waiters: [] };
    this.authInfo.push(entry);
    return new Promise((resolve, reject) => {
      entry.waiters.push({ resolve, reject });
      if (this.socket && this.handshakeDone) {
        const w = new JuteWriter(64);
        encodeRequest(w, Xid.AUTH, { type: OpCode.auth, request: { type: 0, scheme, auth: entry.auth } });
        this.authInFlight.push(entry);
        this.write(Buffer.from(w.bytes()));
      }
      // otherwise sent with the other credentials when the next connection is primed
    });
  }
}
