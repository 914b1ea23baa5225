/**
 * A raw ZooKeeper-protocol client over one net.Socket, built on @paddock/protocol: it sends any
 * ClientRequest with any xid, and records every reply and watch notification in arrival order.
 * No retries, no reconnects, no client-side validation: what the server sends is what you get.
 * Used by the differential (compat) harness and by system tests that poke at the wire.
 */
import net from 'node:net';
import {
  decodeResponse,
  encodeConnectRequest,
  encodeRequest,
  FrameDecoder,
  JuteReader,
  JuteWriter,
  OpCode,
  readConnectResponse,
  readReplyHeader,
  readWatcherEvent,
  Xid,
  type ClientRequest,
  type ConnectResponse,
  type OpResponse,
  type WatcherEvent,
} from '@paddock/protocol';

export interface RawReply {
  kind: 'reply';
  xid: number;
  zxid: number;
  err: number;
  /** Op code of the request this answers (from the pending xid), undefined for an unexpected xid. */
  type: number | undefined;
  /** Decoded body when err == 0 and the type is known. */
  body?: OpResponse;
  /** Set when the body could not be decoded (message of the decode error). */
  decodeError?: string;
  /** The frame payload (header + body). */
  raw: Buffer;
}

export interface RawNotification {
  kind: 'event';
  zxid: number;
  event: WatcherEvent;
  raw: Buffer;
}

export interface RawClose {
  kind: 'close';
  /** The socket error, if it closed with one. */
  error?: string;
}

export type RawMessage = RawReply | RawNotification | RawClose;

export interface RawConnectOptions {
  host?: string;
  port: number;
  /** Requested session timeout (ms). Default 30000. */
  timeOut?: number;
  /** Reattach to a session: id and password from an earlier ConnectResponse. */
  sessionId?: bigint;
  passwd?: Buffer;
  lastZxidSeen?: number;
  protocolVersion?: number;
  /** The optional trailing byte; `undefined` omits it (old-client form). Default false. */
  readOnly?: boolean | undefined;
  /** Default 10000. */
  connectTimeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

function specialXidType(xid: number): number | undefined {
  switch (xid) {
    case Xid.PING:
      return OpCode.ping;
    case Xid.AUTH:
      return OpCode.auth;
    default:
      return undefined;
  }
}

export class RawClient {
  /** Every reply, notification and the final close, in arrival order. */
  readonly messages: RawMessage[] = [];
  /** Resolves when the socket has closed (never rejects). */
  readonly closed: Promise<RawClose>;

  private readonly writer = new JuteWriter(1024);
  private readonly decoder = new FrameDecoder(0x7fffffff);
  private readonly pendingTypes = new Map<number, number[]>();
  private readonly replyWaiters = new Map<number, Array<(r: RawReply) => void>>();
  private readonly listeners = new Set<() => void>();
  private nextXid = 1;
  private closeInfo: RawClose | undefined;
  private socketClosed = false;
  /** Read position of {@link nextMessage}. */
  private cursor = 0;

  private constructor(
    private readonly socket: net.Socket,
    readonly session: ConnectResponse,
    leftover: Buffer[],
  ) {
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.socketClosed = true;
        if (this.closeInfo === undefined) this.closeInfo = { kind: 'close' };
        this.messages.push(this.closeInfo);
        this.notify();
        for (const waiters of this.replyWaiters.values()) waiters.length = 0;
        resolve(this.closeInfo);
      });
    });
    socket.on('error', (e) => {
      this.closeInfo = { kind: 'close', error: e.message };
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    for (const f of leftover) this.onFrame(f);
  }

  get sessionId(): bigint {
    return this.session.sessionId;
  }

  get isClosed(): boolean {
    return this.socketClosed;
  }

  /** Opens a socket, sends a ConnectRequest and waits for the ConnectResponse. */
  static connect(options: RawConnectOptions): Promise<RawClient> {
    const host = options.host ?? '127.0.0.1';
    const timeoutMs = options.connectTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port: options.port });
      socket.setNoDelay(true);
      const decoder = new FrameDecoder(0x7fffffff);
      let done = false;
      const fail = (e: Error) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        socket.destroy();
        reject(e);
      };
      const timer = setTimeout(() => fail(new Error(`connect to ${host}:${options.port}: no ConnectResponse within ${timeoutMs} ms`)), timeoutMs);
      socket.once('error', fail);
      socket.once('close', () => fail(new Error(`connect to ${host}:${options.port}: closed before the ConnectResponse`)));
      socket.once('connect', () => {
        const w = new JuteWriter(64);
        encodeConnectRequest(w, {
          protocolVersion: options.protocolVersion ?? 0,
          lastZxidSeen: options.lastZxidSeen ?? 0,
          timeOut: options.timeOut ?? 30_000,
          sessionId: options.sessionId ?? 0n,
          passwd: options.passwd ?? Buffer.alloc(16),
          readOnly: 'readOnly' in options ? options.readOnly : false,
        });
        socket.write(Buffer.from(w.bytes()));
      });
      const onData = (chunk: Buffer) => {
        let frames: Buffer[];
        try {
          frames = decoder.push(chunk);
        } catch (e) {
          fail(e as Error);
          return;
        }
        if (frames.length === 0) return;
        let session: ConnectResponse;
        try {
          session = readConnectResponse(new JuteReader(frames[0]!));
        } catch (e) {
          fail(e as Error);
          return;
        }
        done = true;
        clearTimeout(timer);
        socket.off('data', onData);
        socket.removeAllListeners('error');
        socket.removeAllListeners('close');
        const rest = frames.slice(1);
        const pendingBytes = decoder.take(decoder.pendingBytes);
        const client = new RawClient(socket, session, rest);
        if (pendingBytes && pendingBytes.length > 0) client.onData(pendingBytes);
        resolve(client);
      };
      socket.on('data', onData);
    });
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (e) {
      this.closeInfo = { kind: 'close', error: (e as Error).message };
      this.socket.destroy();
      return;
    }
    for (const f of frames) this.onFrame(f);
  }

  private onFrame(frame: Buffer): void {
    const raw = Buffer.from(frame); // keep our own copy: messages are retained
    const r = new JuteReader(raw);
    let h;
    try {
      h = readReplyHeader(r);
    } catch (e) {
      this.messages.push({ kind: 'reply', xid: NaN, zxid: NaN, err: NaN, type: undefined, decodeError: (e as Error).message, raw });
      this.notify();
      return;
    }
    if (h.xid === Xid.NOTIFICATION) {
      let event: WatcherEvent;
      try {
        event = readWatcherEvent(r);
      } catch (e) {
        this.messages.push({ kind: 'reply', ...h, type: undefined, decodeError: `bad notification: ${(e as Error).message}`, raw });
        this.notify();
        return;
      }
      this.messages.push({ kind: 'event', zxid: h.zxid, event, raw });
      this.notify();
      return;
    }
    const queue = this.pendingTypes.get(h.xid);
    const type = queue?.shift() ?? specialXidType(h.xid);
    if (queue && queue.length === 0) this.pendingTypes.delete(h.xid);
    const reply: RawReply = { kind: 'reply', xid: h.xid, zxid: h.zxid, err: h.err, type, raw };
    if (h.err === 0 && type !== undefined) {
      try {
        reply.body = decodeResponse(type, r);
      } catch (e) {
        reply.decodeError = (e as Error).message;
      }
    }
    this.messages.push(reply);
    const waiters = this.replyWaiters.get(h.xid);
    const waiter = waiters?.shift();
    if (waiters && waiters.length === 0) this.replyWaiters.delete(h.xid);
    waiter?.(reply);
    this.notify();
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  /** Allocates the next normal xid (1, 2, 3... per connection). */
  allocXid(): number {
    return this.nextXid++;
  }

  /**
   * Sends a request without waiting. The xid defaults to the conventional one: -2 for ping, -4 for auth,
   * -8 for setWatches(2), else the next normal xid. Returns the xid used.
   */
  send(req: ClientRequest, xid?: number): number {
    const useXid = xid ?? this.defaultXid(req);
    let q = this.pendingTypes.get(useXid);
    if (!q) this.pendingTypes.set(useXid, (q = []));
    q.push(req.type);
    this.writer.reset();
    encodeRequest(this.writer, useXid, req);
    this.socket.write(Buffer.from(this.writer.bytes()));
    return useXid;
  }

  /** Writes raw bytes (for malformed-input tests). */
  sendRaw(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  private defaultXid(req: ClientRequest): number {
    switch (req.type) {
      case OpCode.ping:
        return Xid.PING;
      case OpCode.auth:
        return Xid.AUTH;
      case OpCode.setWatches:
      case OpCode.setWatches2:
        return Xid.SET_WATCHES;
      default:
        return this.allocXid();
    }
  }

  /**
   * Sends a request and waits for the reply carrying its xid. Resolves with `undefined` if the connection
   * closes first; rejects after `timeoutMs`.
   */
  request(req: ClientRequest, xid?: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<RawReply | undefined> {
    if (this.isClosed) return Promise.resolve(undefined);
    const useXid = xid ?? this.defaultXid(req);
    const p = this.waitForReply(useXid, timeoutMs, req.type);
    this.send(req, useXid);
    return p;
  }

  private waitForReply(xid: number, timeoutMs: number, type: number): Promise<RawReply | undefined> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (r: RawReply | undefined) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(r);
      };
      const timer = setTimeout(() => {
        if (settled) return;
        settled = true;
        reject(new Error(`no reply to xid ${xid} (op ${type}) within ${timeoutMs} ms`));
      }, timeoutMs);
      let list = this.replyWaiters.get(xid);
      if (!list) this.replyWaiters.set(xid, (list = []));
      list.push(finish);
      void this.closed.then(() => finish(undefined));
    });
  }

  /** Ping (xid -2); resolves with the reply, or undefined if the connection closed first. */
  ping(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<RawReply | undefined> {
    return this.request({ type: OpCode.ping }, Xid.PING, timeoutMs);
  }

  /**
   * The next message in arrival order not yet returned by nextMessage (replies included); waits up to
   * `timeoutMs` and resolves undefined if nothing arrives.
   */
  nextMessage(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<RawMessage | undefined> {
    if (this.cursor < this.messages.length) return Promise.resolve(this.messages[this.cursor++]);
    return new Promise((resolve) => {
      const onMsg = () => {
        if (this.cursor < this.messages.length) {
          this.listeners.delete(onMsg);
          clearTimeout(timer);
          resolve(this.messages[this.cursor++]);
        }
      };
      const timer = setTimeout(() => {
        this.listeners.delete(onMsg);
        resolve(undefined);
      }, timeoutMs);
      this.listeners.add(onMsg);
    });
  }

  /**
   * Waits for a message matching `pred` at index >= `from` of {@link messages} (already received ones count);
   * resolves undefined after `timeoutMs`.
   */
  waitForMessage(pred: (m: RawMessage) => boolean, from = 0, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<RawMessage | undefined> {
    const find = () => this.messages.slice(from).find(pred);
    const found = find();
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => {
      const onMsg = () => {
        const f = find();
        if (f) {
          this.listeners.delete(onMsg);
          clearTimeout(timer);
          resolve(f);
        }
      };
      const timer = setTimeout(() => {
        this.listeners.delete(onMsg);
        resolve(undefined);
      }, timeoutMs);
      this.listeners.add(onMsg);
    });
  }

  /** All notifications received so far. */
  events(): RawNotification[] {
    return this.messages.filter((m): m is RawNotification => m.kind === 'event');
  }

  /** Waits for a notification (received at any time, including already) matching `pred`. */
  waitForEvent(pred: (e: WatcherEvent) => boolean = () => true, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<RawNotification> {
    const find = () => this.messages.find((m): m is RawNotification => m.kind === 'event' && pred(m.event));
    const found = find();
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const onMsg = () => {
        const f = find();
        if (f) {
          this.listeners.delete(onMsg);
          clearTimeout(timer);
          resolve(f);
        }
      };
      const timer = setTimeout(() => {
        this.listeners.delete(onMsg);
        reject(new Error(`no matching watch event within ${timeoutMs} ms; events so far: ${JSON.stringify(this.events().map((e) => e.event))}`));
      }, timeoutMs);
      this.listeners.add(onMsg);
    });
  }

  /** Sends closeSession (-11), waits for its reply and for the server to close the socket. */
  async close(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<RawReply | undefined> {
    if (this.isClosed) return undefined;
    const reply = await this.request({ type: OpCode.closeSession }, undefined, timeoutMs);
    await this.waitClosed(timeoutMs);
    this.destroy();
    return reply;
  }

  /** Resolves true once the socket is closed, false if it is still open after `timeoutMs`. */
  waitClosed(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<boolean> {
    if (this.socketClosed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      void this.closed.then(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Drops the connection without closing the session. */
  destroy(): void {
    this.socket.destroy();
  }
}
