import type { Socket } from 'node:net';
import { JuteWriter } from '@paddock/protocol';

/** Bytes each connection's encoding buffer starts with (taken from Node's shared pool). */
const INITIAL_WRITER_BYTES = 512;
/** Output slabs are carved into per-write slices; one slab serves many connections and turns. */
const SLAB_BYTES = 64 * 1024;
/** A turn's output above this is handed to the socket as its own buffer instead of being copied. */
const HAND_OFF_BYTES = SLAB_BYTES / 4;

let slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
let slabUsed = 0;

/**
 * A copy of `src` in a slice of the current slab. Slices are never reused (the socket may keep a
 * slice until the kernel took it): a full slab is simply dropped and freed once its slices are.
 */
function slabCopy(src: Buffer, length: number): Buffer {
  if (slabUsed + length > SLAB_BYTES) {
    slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
    slabUsed = 0;
  }
  const at = slabUsed;
  src.copy(slab, at, 0, length);
  slabUsed = (at + length + 7) & ~7;
  return slab.subarray(at, at + length);
}

/** Connections with output waiting; flushed together once per event-loop turn (one setImmediate for all). */
const dirty: OutputBuffer[] = [];
let flushScheduled = false;

function flushDirty(): void {
  flushScheduled = false;
  writeDirty();
}

function writeDirty(): void {
  // a flush may not add to `dirty` (frames are only added by request handling), but be safe about it
  for (let i = 0; i < dirty.length; i++) dirty[i]!.flush();
  dirty.length = 0;
}

/**
 * Writes every connection's queued output now instead of at the end of the turn: for a batch of replies
 * completed together (a durable log batch), so that they do not wait for the poll phase that reads the next
 * requests. An already scheduled end-of-turn flush still runs, for output queued after this.
 */
export function flushOutputNow(): void {
  writeDirty();
}

/**
 * Frames written during one event-loop turn go out in one socket write: replies and watch events are
 * encoded straight into this connection's buffer (no intermediate objects); at the end of the turn
 * the bytes are copied into a shared slab slice and handed to the socket. The encoding buffer is
 * reused, so a flush allocates nothing but a slice view.
 */
export class OutputBuffer {
  private writer: JuteWriter | null = null;
  /**
   * A frame shared by many connections (a watch notification), queued by reference while it is all this
   * connection has to send this turn: the flush hands it to the socket as it is, without two copies.
   * Frames queued after it go to the writer, so it is copied there first to keep their order.
   */
  private shared: Uint8Array | null = null;
  private scheduled = false;
  /** where the frame being encoded (openFrame) starts in the writer */
  private frameStart = 0;
  framesSent = 0;

  constructor(
    private readonly socket: Socket,
    private readonly onFlushed?: () => void,
  ) {}

  private target(): JuteWriter {
    let w = this.writer;
    if (w === null) this.writer = w = new JuteWriter(INITIAL_WRITER_BYTES);
    if (this.shared !== null) {
      w.writeRaw(this.shared);
      this.shared = null;
    }
    this.schedule();
    return w;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    dirty.push(this);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flushDirty);
    }
  }

  /** Encodes one frame with `encode` and schedules a flush. */
  frame(encode: (w: JuteWriter) => void): void {
    const w = this.target();
    const at = w.startFrame();
    encode(w);
    w.endFrame(at);
    this.framesSent++;
  }

  /**
   * Starts a frame and returns the writer to encode it into (no closure needed, unlike `frame`); nothing
   * else may be queued on this connection until `closeFrame()` ends it. Schedules a flush.
   */
  openFrame(): JuteWriter {
    const w = this.target();
    this.frameStart = w.startFrame();
    return w;
  }

  /** Ends the frame `openFrame()` started (its length prefix is filled in). */
  closeFrame(): void {
    this.writer!.endFrame(this.frameStart);
    this.framesSent++;
  }

  /**
   * Appends one already encoded frame (length prefix included), e.g. a notification shared by many
   * connections. `bytes` must not change afterwards: it may be handed to the socket as it is.
   */
  encodedFrame(bytes: Uint8Array): void {
    this.framesSent++;
    if (this.shared === null && (this.writer === null || this.writer.offset === 0)) {
      this.shared = bytes;
      this.schedule();
      return;
    }
    this.target().writeRaw(bytes);
  }

  /** Writes raw text (four-letter words). */
  raw(bytes: Buffer): void {
    this.target().writeRaw(bytes);
    this.flush();
  }

  readonly flush = (): void => {
    this.scheduled = false;
    const shared = this.shared;
    if (shared !== null) {
      // only the shared frame is queued (anything after it would have copied it into the writer)
      this.shared = null;
      if (!this.socket.destroyed) {
        this.socket.write(shared);
        this.onFlushed?.();
      }
      return;
    }
    const w = this.writer;
    if (w === null || w.offset === 0) return;
    if (this.socket.destroyed) {
      w.reset();
      return;
    }
    const length = w.offset;
    let bytes: Buffer;
    if (length > HAND_OFF_BYTES) {
      // large output: hand the filled buffer over (no copy) and start a fresh small one
      bytes = w.bytes();
      this.writer = new JuteWriter(INITIAL_WRITER_BYTES);
    } else {
      bytes = slabCopy(w.buf, length);
      if (w.buf.length > HAND_OFF_BYTES) this.writer = new JuteWriter(INITIAL_WRITER_BYTES);
      else w.reset();
    }
    this.socket.write(bytes);
    this.onFlushed?.();
  };

  get pendingBytes(): number {
    return (this.writer?.offset ?? 0) + (this.shared?.length ?? 0) + this.socket.writableLength;
  }
}
