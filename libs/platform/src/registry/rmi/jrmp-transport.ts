/**
 * The client side of JRMP, Java RMI's wire protocol (Java RMI specification, chapter 10), over the stream
 * protocol: a connection opens with `JRMI`, version 2, StreamProtocol (0x4b); the server answers ProtocolAck
 * (0x4e) plus the client's host and port as it sees them, and the client sends its own endpoint. Then each call
 * is a Call message (0x50) followed by a fresh object stream (ObjID, operation, hash, arguments) and is answered
 * by ReturnData (0x51) and an object stream (return type 1 normal / 2 exceptional, a UID, the value). When the
 * value carried remote references marshalled for this client, the client confirms with DGCAck (0x54 + that UID),
 * as java.rmi's ConnectionInputStream does, so the server can drop the strong hold it kept for the transfer.
 *
 * Connections are kept for reuse (like sun.rmi.transport.tcp.TCPChannel): one call at a time per connection,
 * idle ones are closed after `idleTimeoutMs`. A call that fails on a reused connection before any reply byte
 * arrived is retried once on a fresh connection (the server may have closed the idle one).
 */
import net from 'node:net';
import { IncompleteStreamError, JavaObject, JavaObjectReader, JavaObjectWriter, JavaStreamError, decodeModifiedUtf8, encodeModifiedUtf8 } from './java-serialization.js';

/** Largest reply accepted (as jute.maxbuffer bounds ZooKeeper replies). */
const MAX_REPLY_BYTES = 16 * 1024 * 1024;
import { encodeObjId, encodeUid, findRemoteRefs, readUid, type RmiObjId, type RmiUid } from './remote-ref.js';

const JRMI_HEADER = Buffer.from([0x4a, 0x52, 0x4d, 0x49, 0x00, 0x02, 0x4b]);
const PROTOCOL_ACK = 0x4e;
const PROTOCOL_NACK = 0x4f;
const MSG_CALL = 0x50;
const MSG_RETURN_DATA = 0x51;
const MSG_DGC_ACK = 0x54;
const NORMAL_RETURN = 1;
const EXCEPTIONAL_RETURN = 2;

/** The connection failed, timed out or the peer does not speak JRMP: another provider may be tried. */
export class JrmpTransportError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'JrmpTransportError';
  }
}

/** The remote method (or the RMI runtime on the server) threw: `exception` is the deserialized Throwable. */
export class JrmpRemoteException extends Error {
  constructor(
    readonly javaClass: string,
    readonly javaMessage: string | undefined,
    readonly exception: unknown,
  ) {
    super(javaMessage === undefined ? javaClass : `${javaClass}: ${javaMessage}`);
    this.name = 'JrmpRemoteException';
  }
}

export interface JrmpCall {
  objId: RmiObjId;
  /** -1 for the JDK 1.2 stub protocol (the method is named by `hash`), else the JDK 1.1 operation number. */
  op: number;
  /** The method hash (op -1) or the interface hash (JDK 1.1 stubs). */
  hash: bigint;
  /** Writes the arguments after the call header. */
  writeArguments: (out: JavaObjectWriter) => void;
  /** Reads a normal return's value (primitives from block data, objects with readObject). */
  readResult: (input: JavaObjectReader) => unknown;
}

interface Parsed<T> {
  value: T;
  consumed: number;
}

/** A socket with a receive buffer and "wait until this parses" reading. */
class JrmpConnection {
  private buffer: Buffer = Buffer.alloc(0);
  private wake: (() => void) | undefined;
  private failure: Error | undefined;
  /** Whether any byte arrived since the last `resetActivity`. */
  received = false;

  constructor(
    readonly socket: net.Socket,
    readonly key: string,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      this.received = true;
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      // a provider that streams without end must not exhaust the consumer's memory
      if (this.buffer.length > MAX_REPLY_BYTES) {
        this.failure ??= new JrmpTransportError(`${key}: reply larger than ${MAX_REPLY_BYTES} bytes`, 'EMSGSIZE');
        this.buffer = Buffer.alloc(0);
        socket.destroy();
      }
      this.wake?.();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.failure ??= new JrmpTransportError(`${key}: ${error.message}`, error.code);
      this.wake?.();
    });
    socket.on('close', () => {
      this.failure ??= new JrmpTransportError(`${key} closed the connection`, 'ECONNRESET');
      this.wake?.();
    });
  }

  get usable(): boolean {
    return this.failure === undefined && !this.socket.destroyed && this.buffer.length === 0;
  }

  write(data: Buffer): void {
    if (this.failure) throw this.failure;
    this.socket.write(data);
  }

  /** Waits until `parse` succeeds on the buffered bytes (it throws IncompleteStreamError while more are needed). */
  async read<T>(parse: (buf: Buffer) => Parsed<T>, deadline: number): Promise<T> {
    for (;;) {
      if (this.buffer.length > 0) {
        try {
          const { value, consumed } = parse(this.buffer);
          this.buffer = this.buffer.subarray(consumed);
          return value;
        } catch (error) {
          if (!(error instanceof IncompleteStreamError)) throw error;
        }
      }
      if (this.failure) throw this.failure;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new JrmpTransportError(`${this.key}: no reply within the timeout`, 'ETIMEDOUT');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export interface JrmpClientOptions {
  /** How long an idle connection is kept for reuse. Default 15 s (TCPChannel's default). */
  idleTimeoutMs?: number;
  /** Idle connections kept per endpoint. Default 16. */
  maxIdlePerEndpoint?: number;
}

/** Makes JRMP calls, pooling connections per endpoint. */
export class JrmpClient {
  private readonly idle = new Map<string, { connection: JrmpConnection; timer: NodeJS.Timeout }[]>();
  private readonly idleTimeoutMs: number;
  private readonly maxIdle: number;
  private closed = false;

  constructor(options: JrmpClientOptions = {}) {
    this.idleTimeoutMs = options.idleTimeoutMs ?? 15_000;
    this.maxIdle = options.maxIdlePerEndpoint ?? 16;
  }

  /** Calls a remote object; resolves to the raw return value or rejects (JrmpRemoteException / JrmpTransportError / JavaStreamError). */
  async call(host: string, port: number, call: JrmpCall, deadline: number): Promise<unknown> {
    if (this.closed) throw new JrmpTransportError('the JRMP client is closed');
    const message = encodeCall(call);
    const key = `${host}:${port}`;
    const pooled = this.takeIdle(key);
    if (pooled) {
      pooled.received = false;
      try {
        return await this.exchange(pooled, message, call, deadline);
      } catch (error) {
        // a stale pooled connection (closed by the server while idle): once more on a fresh one
        if (!(error instanceof JrmpTransportError) || pooled.received || Date.now() >= deadline) throw error;
      }
    }
    const fresh = await this.connect(host, port, deadline);
    return this.exchange(fresh, message, call, deadline);
  }

  private async exchange(connection: JrmpConnection, message: Buffer, call: JrmpCall, deadline: number): Promise<unknown> {
    connection.socket.ref();
    let reusable = false;
    try {
      connection.write(message);
      const reply = await connection.read((buf) => parseReturn(buf, call.readResult), deadline);
      const needsAck = findRemoteRefs(reply.value).some((ref) => ref.inResultStream);
      if (needsAck) connection.write(Buffer.concat([Buffer.from([MSG_DGC_ACK]), encodeUid(reply.ackUid)]));
      reusable = true;
      if (reply.exceptional) throw remoteException(reply.value);
      return reply.value;
    } catch (error) {
      if (error instanceof JavaStreamError) reusable = false;
      throw error;
    } finally {
      if (reusable && connection.usable) this.putIdle(connection);
      else connection.destroy();
    }
  }

  private async connect(host: string, port: number, deadline: number): Promise<JrmpConnection> {
    const key = `${host}:${port}`;
    const socket = net.connect({ host, port });
    const connection = new JrmpConnection(socket, key);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new JrmpTransportError(`${key}: connect timed out`, 'ETIMEDOUT')), Math.max(0, deadline - Date.now()));
        socket.once('connect', () => {
          clearTimeout(timer);
          resolve();
        });
        socket.once('error', (error: NodeJS.ErrnoException) => {
          clearTimeout(timer);
          reject(new JrmpTransportError(`cannot connect to ${key}: ${error.message}`, error.code));
        });
      });
      connection.write(JRMI_HEADER);
      const suggestedHost = await connection.read((buf) => parseProtocolAck(buf, key), deadline);
      // our endpoint as the server suggested it (TCPChannel does the same when no local host is configured)
      const hostBytes = encodeModifiedUtf8(suggestedHost);
      const identity = Buffer.alloc(2 + hostBytes.length + 4);
      identity.writeUInt16BE(hostBytes.length, 0);
      hostBytes.copy(identity, 2);
      connection.write(identity);
      return connection;
    } catch (error) {
      connection.destroy();
      throw error;
    }
  }

  private takeIdle(key: string): JrmpConnection | undefined {
    const list = this.idle.get(key);
    while (list && list.length > 0) {
      const entry = list.pop()!;
      clearTimeout(entry.timer);
      if (entry.connection.usable) return entry.connection;
      entry.connection.destroy();
    }
    return undefined;
  }

  private putIdle(connection: JrmpConnection): void {
    const list = this.idle.get(connection.key) ?? [];
    if (this.closed || list.length >= this.maxIdle) {
      connection.destroy();
      return;
    }
    connection.socket.unref();
    const entry = {
      connection,
      timer: setTimeout(() => {
        const at = list.indexOf(entry);
        if (at >= 0) list.splice(at, 1);
        connection.destroy();
      }, this.idleTimeoutMs),
    };
    entry.timer.unref();
    list.push(entry);
    this.idle.set(connection.key, list);
  }

  /** Resolves when host:port completes the JRMP handshake by timeoutMs (a Java RMI endpoint); the connection is closed. */
  async probe(host: string, port: number, timeoutMs: number): Promise<void> {
    const connection = await this.connect(host, port, Date.now() + timeoutMs);
    connection.destroy();
  }

  /** Closes idle connections and refuses further calls. */
  close(): void {
    this.closed = true;
    for (const list of this.idle.values()) {
      for (const { connection, timer } of list.splice(0)) {
        clearTimeout(timer);
        connection.destroy();
      }
    }
    this.idle.clear();
  }

  /** Idle pooled connections (for tests and diagnostics). */
  idleConnections(): number {
    let n = 0;
    for (const list of this.idle.values()) n += list.length;
    return n;
  }
}

function encodeCall(call: JrmpCall): Buffer {
  const out = new JavaObjectWriter();
  out.writeRaw(encodeObjId(call.objId));
  out.writeInt(call.op);
  out.writeLong(call.hash);
  call.writeArguments(out);
  return Buffer.concat([Buffer.from([MSG_CALL]), out.toBuffer()]);
}

function parseProtocolAck(buf: Buffer, key: string): Parsed<string> {
  const ack = buf[0]!;
  if (ack === PROTOCOL_NACK) throw new JrmpTransportError(`${key} refused the JRMP stream protocol`, 'EPROTO');
  if (ack !== PROTOCOL_ACK) throw new JrmpTransportError(`${key} is not a Java RMI endpoint (answered 0x${ack.toString(16)})`, 'EPROTO');
  if (buf.length < 3) throw new IncompleteStreamError();
  const hostLength = buf.readUInt16BE(1);
  if (buf.length < 3 + hostLength + 4) throw new IncompleteStreamError();
  return { value: decodeModifiedUtf8(buf.subarray(3, 3 + hostLength)), consumed: 3 + hostLength + 4 };
}

interface Reply {
  exceptional: boolean;
  ackUid: RmiUid;
  value: unknown;
}

function parseReturn(buf: Buffer, readResult: (input: JavaObjectReader) => unknown): Parsed<Reply> {
  if (buf[0] !== MSG_RETURN_DATA) throw new JrmpTransportError(`unexpected JRMP message 0x${buf[0]!.toString(16)} instead of ReturnData`, 'EPROTO');
  const input = new JavaObjectReader(buf, 1);
  input.readStreamHeader();
  const returnType = input.readByte();
  const ackUid = readUid(input);
  if (returnType === NORMAL_RETURN) return { value: { exceptional: false, ackUid, value: readResult(input) }, consumed: input.position };
  if (returnType === EXCEPTIONAL_RETURN) return { value: { exceptional: true, ackUid, value: input.readObject() }, consumed: input.position };
  throw new JavaStreamError(`unknown return type ${returnType}`);
}

function remoteException(value: unknown): JrmpRemoteException {
  if (!(value instanceof JavaObject)) {
    return new JrmpRemoteException('java.lang.Throwable', `unreadable exception (${value === null ? 'null' : typeof value})`, value);
  }
  return new JrmpRemoteException(value.className, throwableMessage(value, 0), value);
}

/** The detail message, with nested causes the way RemoteException.getMessage() shows them. */
function throwableMessage(throwable: JavaObject, depth: number): string | undefined {
  const own = throwable.field('detailMessage');
  const message = typeof own === 'string' ? own : undefined;
  // RemoteException keeps its cause in `detail`; other Throwables in `cause` (which points to itself when unset)
  const nested = [throwable.field('detail'), throwable.field('cause')].find((c) => c instanceof JavaObject && c !== throwable);
  if (!(nested instanceof JavaObject) || depth > 8) return message;
  const nestedMessage = throwableMessage(nested, depth + 1);
  const described = nestedMessage === undefined ? nested.className : `${nested.className}: ${nestedMessage}`;
  return `${message ?? ''}; nested exception is: ${described}`;
}

/**
 * Whether an endpoint speaks Java RMI's transport: the handshake a call opens with, then nothing. A port that is open
 * but does not answer ProtocolAck (another server, a half-started JVM) fails, as does one silent until timeoutMs.
 */
export async function probeJrmp(host: string, port: number, timeoutMs = 2_000): Promise<void> {
  await new JrmpClient().probe(host, port, timeoutMs);
}
