/**
 * Point-to-point TCP links between ensemble members on one port kind (election or quorum).
 *
 * Connection rule (ZooKeeper's QuorumCnxManager keeps only the connection initiated by the higher sid):
 * here the member with the higher sid always dials, the lower one only accepts, so there is exactly one
 * link per pair and no tie-breaking. The dialer opens with a handshake frame (int magic, int sid); an
 * acceptor refuses unknown sids and sids not above its own. A new accepted link from a sid replaces the
 * old one. Dialers retry every `retryMs` while the link is down.
 *
 * Messages for a peer whose link is down are queued (bounded, oldest dropped): the ZAB core treats a lost
 * message as a connection reset (sequence gap) and resends votes, so loss is safe, just slower.
 * Frames are bounded (`maxFrame`); a peer sending a larger or malformed frame is disconnected.
 */
import net from 'node:net';
import { FrameDecoder, JuteWriter } from '@paddock/protocol';
import type { Message, Sid } from '@paddock/zab';
import { decodeMessage, encodeMessage } from './codec.js';

const HANDSHAKE_MAGIC = 0x50444b51; // "PDKQ"
const MAX_QUEUED = 10_000;
/** unsent bytes above which a link is considered stuck and reset */
const MAX_UNSENT_BYTES = 256 * 1024 * 1024;

export interface PeerAddress {
  sid: Sid;
  host: string;
  port: number;
}

export interface PeerMeshOptions {
  /** 'election' or 'quorum', for logs */
  name: string;
  self: Sid;
  listenHost: string;
  listenPort: number;
  peers: readonly PeerAddress[];
  maxFrame: number;
  retryMs: number;
  onMessage(m: Message): void;
  /** an established link to `sid` closed or failed (after every frame it delivered) */
  onLinkDown?(sid: Sid): void;
  log(level: 'info' | 'warn', message: string): void;
}

interface Link {
  peer: PeerAddress;
  socket: net.Socket | null;
  connecting: boolean;
  queue: Buffer[];
  retry: NodeJS.Timeout | null;
}

export class PeerMesh {
  private readonly server: net.Server;
  private readonly links = new Map<Sid, Link>();
  private readonly writer = new JuteWriter(4096);
  private closed = false;
  private readonly accepted = new Set<net.Socket>();

  constructor(private readonly o: PeerMeshOptions) {
    for (const p of o.peers) if (p.sid !== o.self) this.links.set(p.sid, { peer: p, socket: null, connecting: false, queue: [], retry: null });
    this.server = net.createServer({ noDelay: true }, (s) => this.accept(s));
    this.server.on('error', (e) => o.log('warn', `${o.name} listener: ${e.message}`));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: this.o.listenHost, port: this.o.listenPort, exclusive: true }, () => {
        this.server.off('error', reject);
        for (const l of this.links.values()) if (this.dials(l.peer.sid)) this.dial(l);
        resolve();
      });
    });
  }

  /** Sids with an open link. */
  connected(): Sid[] {
    return [...this.links.values()].filter((l) => l.socket !== null && !l.connecting).map((l) => l.peer.sid);
  }

  send(m: Message): void {
    this.enqueue(m, null);
  }

  /**
   * Sends messages in order; the frames for one peer leave in one socket write (corked, then written out
   * together by uncork) instead of one write per message.
   */
  sendAll(ms: readonly Message[], from = 0, to = ms.length): void {
    if (to - from === 1) {
      this.enqueue(ms[from]!, null);
      return;
    }
    const corked = new Set<net.Socket>();
    for (let i = from; i < to; i++) this.enqueue(ms[i]!, corked);
    for (const socket of corked) socket.uncork();
  }

  private enqueue(m: Message, corked: Set<net.Socket> | null): void {
    if (this.closed) return;
    const l = this.links.get(m.to);
    if (l === undefined) return;
    const frame = Buffer.from(encodeMessage(this.writer, m)); // copy: the writer is reused
    if (frame.length - 4 > this.o.maxFrame) {
      this.o.log('warn', `${this.o.name}: dropping a ${frame.length}-byte message to ${m.to} (max ${this.o.maxFrame})`);
      return;
    }
    if (l.socket !== null && !l.connecting) {
      if (corked !== null && !corked.has(l.socket)) {
        l.socket.cork();
        corked.add(l.socket);
      }
      this.write(l, l.socket, frame);
      return;
    }
    l.queue.push(frame);
    if (l.queue.length > MAX_QUEUED) l.queue.shift();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const l of this.links.values()) {
      if (l.retry) clearTimeout(l.retry);
      l.socket?.destroy();
      l.socket = null;
    }
    for (const s of this.accepted) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Drops the link to `sid` (tests, and a peer that misbehaves). */
  reset(sid: Sid): void {
    this.links.get(sid)?.socket?.destroy();
  }

  private dials(peer: Sid): boolean {
    return this.o.self > peer;
  }

  private write(l: Link, socket: net.Socket, frame: Buffer): void {
    if (socket.writableLength > MAX_UNSENT_BYTES) {
      this.o.log('warn', `${this.o.name}: link to ${l.peer.sid} is stuck (${socket.writableLength} bytes unsent); resetting it`);
      socket.destroy();
      return;
    }
    socket.write(frame);
  }

  private dial(l: Link): void {
    if (this.closed || l.socket !== null) return;
    l.retry = null;
    const socket = net.connect({ host: l.peer.host, port: l.peer.port, noDelay: true });
    l.socket = socket;
    l.connecting = true;
    socket.setKeepAlive(true, 1000);
    socket.once('connect', () => {
      l.connecting = false;
      this.o.log('info', `${this.o.name}: connected to ${l.peer.sid} (${l.peer.host}:${l.peer.port}), ${l.queue.length} queued`);
      const hs = Buffer.allocUnsafe(12);
      hs.writeInt32BE(8, 0);
      hs.writeInt32BE(HANDSHAKE_MAGIC, 4);
      hs.writeInt32BE(this.o.self, 8);
      socket.write(hs);
      const queued = l.queue;
      l.queue = [];
      for (const f of queued) this.write(l, socket, f);
    });
    this.readFrames(socket, l.peer.sid, false);
    socket.on('error', () => {});
    socket.once('close', (hadError) => {
      if (l.socket === socket) {
        const wasUp = !l.connecting;
        if (wasUp) this.o.log('info', `${this.o.name}: link to ${l.peer.sid} closed${hadError ? ' (error)' : ''}`);
        l.socket = null;
        l.connecting = false;
        if (wasUp && !this.closed) this.o.onLinkDown?.(l.peer.sid);
      }
      if (!this.closed && l.retry === null) l.retry = setTimeout(() => this.dial(l), this.o.retryMs);
    });
  }

  private accept(socket: net.Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.accepted.add(socket);
    socket.on('error', () => {});
    socket.once('close', () => this.accepted.delete(socket));
    this.readFrames(socket, null, true);
  }

  /** Reads frames; an accepted socket's first frame is the handshake naming its sid. */
  private readFrames(socket: net.Socket, knownSid: Sid | null, accepted: boolean): void {
    const decoder = new FrameDecoder(this.o.maxFrame);
    let sid = knownSid;
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const frame of decoder.push(chunk)) {
          if (sid === null) {
            sid = this.onHandshake(socket, frame);
            if (sid === null) return;
            continue;
          }
          const m = decodeMessage(frame, this.o.maxFrame);
          if (m.from !== sid || m.to !== this.o.self) throw new Error(`message ${m.from}->${m.to} on the link from ${sid}`);
          if (this.closed) return;
          this.o.onMessage(m);
        }
      } catch (e) {
        this.o.log('warn', `${this.o.name}: dropping the link ${accepted ? 'from' : 'to'} ${sid ?? '?'}: ${(e as Error).message}`);
        socket.destroy();
      }
    });
  }

  private onHandshake(socket: net.Socket, frame: Buffer): Sid | null {
    if (frame.length !== 8 || frame.readInt32BE(0) !== HANDSHAKE_MAGIC) throw new Error('bad handshake');
    const sid = frame.readInt32BE(4);
    const l = this.links.get(sid);
    if (l === undefined || this.dials(sid)) {
      this.o.log('warn', `${this.o.name}: refusing a link from sid ${sid}`);
      socket.destroy();
      return null;
    }
    const old = l.socket;
    this.o.log('info', `${this.o.name}: accepted a link from ${sid}${old !== null ? ' (replacing the old one)' : ''}, ${l.queue.length} queued`);
    l.socket = socket;
    l.connecting = false;
    if (old !== null && old !== socket) old.destroy();
    socket.once('close', () => {
      if (l.socket !== socket) return; // replaced by a newer link from the same sid
      l.socket = null;
      if (!this.closed) this.o.onLinkDown?.(sid);
    });
    const queued = l.queue;
    l.queue = [];
    for (const f of queued) this.write(l, socket, f);
    return sid;
  }
}
