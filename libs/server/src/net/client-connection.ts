import type { Socket } from 'node:net';
import type { ApplyResult } from '@paddock/data-tree';
import type { Id } from '@paddock/protocol';
import { FrameDecoder, FrameLengthError, JuteReader } from '@paddock/protocol';
import { OutputBuffer } from './output-buffer.js';

/** What a connection needs from the server it belongs to. */
export interface ConnectionHost {
  readonly maxFrameLength: number;
  onConnectFrame(conn: ClientConnection, r: JuteReader): void;
  onRequestFrame(conn: ClientConnection, r: JuteReader): void;
  onFourLetterWord(conn: ClientConnection, word: string, rest: Buffer): void;
  onClosed(conn: ClientConnection): void;
  log(level: 'info' | 'warn', message: string): void;
}

let nextConnectionId = 1;

const NO_BYTES = Buffer.alloc(0);

/** Unsent reply bytes above which a connection is no longer read until the client catches up. */
const OUTPUT_HIGH_WATER = 4 * 1024 * 1024;

/**
 * One client socket: framing, the handshake state, auth ids and per-connection statistics. Request
 * semantics live in the server; this class only moves bytes and keeps the session's request order.
 */
export class ClientConnection {
  readonly id = nextConnectionId++;
  readonly out: OutputBuffer;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly establishedAt = Date.now();
  private readonly decoder: FrameDecoder;
  private sawFirstBytes = false;
  private closed = false;
  private outputBlocked = false;
  private pausedByServer = false;

  sessionId = 0n;
  sessionTimeout = 0;
  /** set once the connect handshake finished; frames before that are the ConnectRequest */
  established = false;
  connectPending = false;
  /** the readOnly byte presence of the ConnectRequest, mirrored in the response */
  sentReadOnlyFlag = false;
  authIds: Id[];

  /** requests of this session not yet answered, in arrival order (session FIFO) */
  readonly queue: QueuedRequest[] = [];
  uncommittedWrites = 0;

  // statistics for stat/cons
  packetsReceived = 0;
  lastCxid = -1;
  lastZxid = -1;
  lastOp = 'NA';
  lastLatency = 0;
  lastResponseAt = 0;
  minLatency = Number.MAX_SAFE_INTEGER;
  maxLatency = 0;
  totalLatency = 0;
  latencyCount = 0;

  constructor(
    readonly socket: Socket,
    private readonly host: ConnectionHost,
  ) {
    this.remoteAddress = normalizeAddress(socket.remoteAddress ?? '');
    this.remotePort = socket.remotePort ?? 0;
    this.authIds = [{ scheme: 'ip', id: this.remoteAddress }];
    this.decoder = new FrameDecoder(host.maxFrameLength);
    this.out = new OutputBuffer(socket, () => this.applyBackpressure());
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    const close = () => this.close();
    socket.on('error', close);
    socket.on('close', close);
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    if (!this.sawFirstBytes) {
      // a four-letter word may arrive in pieces (telnet, nc): decide once 4 bytes are here
      this.decoder.append(chunk);
      chunk = NO_BYTES;
      const word = this.decoder.peekFourLetterWord();
      if (word === undefined && this.decoder.peekInt32() === undefined) return;
      this.sawFirstBytes = true;
      if (word) {
        this.decoder.take(4);
        this.host.onFourLetterWord(this, word, Buffer.alloc(0));
        return;
      }
    }
    try {
      // the usual case: nothing left over from an earlier chunk, so whole frames are read in place
      // (no frame list, no views); only a trailing partial frame goes to the decoder
      let start = 0;
      if (this.decoder.pendingBytes === 0) {
        start = this.readWholeFrames(chunk);
        if (start === chunk.length) return;
      }
      if (start < chunk.length) this.decoder.append(start === 0 ? chunk : chunk.subarray(start));
      for (let frame = this.decoder.next(); frame !== undefined; frame = this.decoder.next()) {
        if (this.closed) return;
        this.onFrame(frame, 0, frame.length);
      }
    } catch (err) {
      if (err instanceof FrameLengthError) this.host.log('warn', `closing ${this.describe()}: ${err.message}`);
      else this.host.log('warn', `closing ${this.describe()}: ${(err as Error).message}`);
      this.close();
    }
  }

  /**
   * Handles the complete frames at the start of `chunk` straight from it; returns the offset of the first
   * byte not consumed (a partial frame). A bad length throws FrameLengthError, as the decoder would.
   */
  private readWholeFrames(chunk: Buffer): number {
    const max = this.host.maxFrameLength;
    let at = 0;
    while (chunk.length - at >= 4) {
      const length = chunk.readInt32BE(at);
      if (length < 0 || length > max) throw new FrameLengthError(length, max);
      const end = at + 4 + length;
      if (end > chunk.length) break;
      this.onFrame(chunk, at + 4, end);
      if (this.closed) return chunk.length;
      at = end;
    }
    return at;
  }

  private onFrame(buf: Buffer, start: number, end: number): void {
    this.packetsReceived++;
    const r = new JuteReader(buf, start, end, this.host.maxFrameLength);
    if (!this.established && !this.connectPending) this.host.onConnectFrame(this, r);
    else this.host.onRequestFrame(this, r);
  }

  recordLatency(op: string, cxid: number, zxid: number, startedAt: number): void {
    const now = Date.now();
    const latency = now - startedAt;
    this.lastOp = op;
    this.lastCxid = cxid;
    this.lastZxid = zxid;
    this.lastLatency = latency;
    this.lastResponseAt = now;
    if (latency < this.minLatency) this.minLatency = latency;
    if (latency > this.maxLatency) this.maxLatency = latency;
    this.totalLatency += latency;
    this.latencyCount++;
  }

  resetStats(): void {
    this.packetsReceived = 0;
    this.out.framesSent = 0;
    this.minLatency = Number.MAX_SAFE_INTEGER;
    this.maxLatency = 0;
    this.totalLatency = 0;
    this.latencyCount = 0;
    this.lastOp = 'NA';
    this.lastCxid = -1;
    this.lastZxid = -1;
    this.lastLatency = 0;
    this.lastResponseAt = 0;
  }

  /**
   * A client that does not read its replies stops being read: its unsent output is bounded by
   * OUTPUT_HIGH_WATER plus one turn's worth of replies, and it cannot queue more work meanwhile.
   */
  private applyBackpressure(): void {
    if (!this.outputBlocked && this.socket.writableLength > OUTPUT_HIGH_WATER) {
      this.outputBlocked = true;
      this.socket.pause();
      // listened for only while blocked: most connections never are, and a listener per socket costs
      this.socket.once('drain', this.onDrain);
    }
  }

  private readonly onDrain = (): void => {
    if (!this.outputBlocked) return;
    this.outputBlocked = false;
    if (!this.pausedByServer && !this.closed) this.socket.resume();
  };

  /** Flow control from the server (globalOutstandingLimit). */
  pause(): void {
    this.pausedByServer = true;
    this.socket.pause();
  }

  resume(): void {
    this.pausedByServer = false;
    if (!this.closed && !this.outputBlocked) this.socket.resume();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Flushes what is queued, then closes. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.out.flush();
    const socket = this.socket;
    if (socket.writableLength === 0) {
      // every byte is in the kernel already: closing the descriptor sends them and then FIN, as
      // ZooKeeper's close does, without a shutdown request, a 'finish' event and a timer per socket
      socket.destroy();
    } else {
      socket.end();
      socket.destroySoon?.();
      setTimeout(() => socket.destroy(), 1000).unref();
    }
    this.host.onClosed(this);
  }

  describe(): string {
    return `client ${this.remoteAddress}:${this.remotePort}${this.sessionId ? ` session 0x${hexSession(this.sessionId)}` : ''}`;
  }
}

export interface QueuedRequest {
  xid: number;
  op: number;
  receivedAt: number;
  /** a write waiting for its txn to commit */
  zxid: number | undefined;
  /** filled in when the request can be answered; runs in order, at the head of the queue */
  respond: (() => void) | undefined;
  /** a committed write's outcome (its zxid in `zxid`): the reply is encoded from it at the head of the queue */
  result: ApplyResult | undefined;
}

export function hexSession(id: bigint): string {
  return BigInt.asUintN(64, id).toString(16);
}

function normalizeAddress(addr: string): string {
  return addr.startsWith('::ffff:') ? addr.slice(7) : addr;
}
