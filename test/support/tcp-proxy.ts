/**
 * A recording TCP proxy on loopback for ZooKeeper-protocol traffic: forwards bytes unchanged,
 * splits each direction into length-prefixed frames with timestamps (to check what a client
 * really sends: handshake shape, ping cadence...), and can cut every connection to simulate a
 * network failure, or block the route (cut, and refuse new connections until unblocked) to simulate a
 * partition. With `record: false` it only forwards (ensemble peer links carry much traffic).
 */
import net from 'node:net';
import { LOOPBACK } from './ports.js';

export interface Frame {
  /** ms since the connection was accepted */
  at: number;
  payload: Buffer;
}

export interface ProxiedConnection {
  id: number;
  acceptedAt: number;
  toServer: Frame[];
  toClient: Frame[];
  closed: boolean;
}

class FrameSplitter {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly onFrame: (payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 4) {
      const length = this.pending.readInt32BE(0);
      if (length < 0 || length > 64 * 1024 * 1024) {
        // not a framed stream (e.g. a four-letter word): record the rest as one blob
        this.onFrame(this.pending);
        this.pending = Buffer.alloc(0);
        return;
      }
      if (this.pending.length < 4 + length) return;
      this.onFrame(this.pending.subarray(4, 4 + length));
      this.pending = this.pending.subarray(4 + length);
    }
  }
}

export class TcpProxy {
  readonly connections: ProxiedConnection[] = [];
  private readonly sockets = new Set<net.Socket>();
  private server: net.Server | undefined;
  private nextId = 1;
  private blocked = false;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
    private readonly options: { record?: boolean; port?: number } = {},
  ) {}

  /** True while the route is blocked (see block()). */
  get isBlocked(): boolean {
    return this.blocked;
  }

  /** A partition: drops every open connection and closes new ones at once until unblock(). */
  block(): void {
    this.blocked = true;
    this.cutAll();
  }

  unblock(): void {
    this.blocked = false;
  }

  get connectString(): string {
    return `${LOOPBACK}:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = net.createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen({ host: LOOPBACK, port: this.options.port ?? 0 }, () => resolve());
    });
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy has no port');
    this.port = address.port;
    return this;
  }

  private accept(client: net.Socket): void {
    if (this.blocked) {
      client.on('error', () => {});
      client.destroy();
      return;
    }
    const record = this.options.record === false ? null : this.record();
    const upstream = net.connect({ host: this.targetHost, port: this.targetPort });
    this.sockets.add(client);
    this.sockets.add(upstream);
    if (record === null) {
      client.pipe(upstream);
      upstream.pipe(client);
    } else {
      const toServer = new FrameSplitter((payload) => record.conn.toServer.push({ at: Date.now() - record.started, payload }));
      const toClient = new FrameSplitter((payload) => record.conn.toClient.push({ at: Date.now() - record.started, payload }));
      client.on('data', (chunk: Buffer) => {
        toServer.push(chunk);
        upstream.write(chunk);
      });
      upstream.on('data', (chunk: Buffer) => {
        toClient.push(chunk);
        client.write(chunk);
      });
    }
    const close = () => {
      if (record !== null) record.conn.closed = true;
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('close', close);
    upstream.on('close', close);
    client.on('error', close);
    upstream.on('error', close);
  }

  private record(): { conn: ProxiedConnection; started: number } {
    const started = Date.now();
    const conn: ProxiedConnection = { id: this.nextId++, acceptedAt: started, toServer: [], toClient: [], closed: false };
    this.connections.push(conn);
    return { conn, started };
  }

  /** Drops every open connection (both sides see a reset/close). */
  cutAll(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  async stop(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

export interface ConnectRequestInfo {
  payloadLength: number;
  protocolVersion: number;
  lastZxidSeen: bigint;
  timeoutMs: number;
  sessionId: bigint;
  passwordLength: number;
  /** undefined when the client did not send the trailing byte */
  readOnly: boolean | undefined;
}

export interface ConnectResponseInfo {
  payloadLength: number;
  protocolVersion: number;
  timeoutMs: number;
  sessionId: bigint;
  passwordLength: number;
  readOnly: boolean | undefined;
}

export function parseConnectRequest(payload: Buffer): ConnectRequestInfo {
  const passwordLength = payload.readInt32BE(24);
  const end = 28 + Math.max(passwordLength, 0);
  return {
    payloadLength: payload.length,
    protocolVersion: payload.readInt32BE(0),
    lastZxidSeen: payload.readBigInt64BE(4),
    timeoutMs: payload.readInt32BE(12),
    sessionId: payload.readBigInt64BE(16),
    passwordLength,
    readOnly: payload.length > end ? payload[end] !== 0 : undefined,
  };
}

export function parseConnectResponse(payload: Buffer): ConnectResponseInfo {
  const passwordLength = payload.readInt32BE(16);
  const end = 20 + Math.max(passwordLength, 0);
  return {
    payloadLength: payload.length,
    protocolVersion: payload.readInt32BE(0),
    timeoutMs: payload.readInt32BE(4),
    sessionId: payload.readBigInt64BE(8),
    passwordLength,
    readOnly: payload.length > end ? payload[end] !== 0 : undefined,
  };
}

export const PING_XID = -2;
export const OP_PING = 11;

/** Request frames after the handshake: { at, xid, type }. */
export function requests(connection: ProxiedConnection): Array<{ at: number; xid: number; type: number }> {
  return connection.toServer.slice(1).filter((f) => f.payload.length >= 8).map((f) => ({
    at: f.at,
    xid: f.payload.readInt32BE(0),
    type: f.payload.readInt32BE(4),
  }));
}

/** Reply frames after the handshake: { at, xid, zxid, err }. */
export function replies(connection: ProxiedConnection): Array<{ at: number; xid: number; zxid: bigint; err: number }> {
  return connection.toClient.slice(1).filter((f) => f.payload.length >= 16).map((f) => ({
    at: f.at,
    xid: f.payload.readInt32BE(0),
    zxid: f.payload.readBigInt64BE(4),
    err: f.payload.readInt32BE(12),
  }));
}
