/**
 * Length-prefixed framing shared by both sides, four-letter-word detection, and whole-frame encoders.
 */
import { DEFAULT_JUTE_MAXBUFFER } from './constants.js';
import type { JuteWriter } from './jute-writer.js';
import { writeConnectRequest, writeConnectResponse, writeReplyHeader, writeWatcherEvent } from './records.js';
import { writeResponseBody, type OpResponse } from './requests.js';
import type { ConnectRequest, ConnectResponse, WatcherEvent } from './types.js';

/**
 * A frame length that is negative or above the maximum (jute.maxbuffer). ZooKeeper closes the connection
 * ("Len error <len>"); so should the server. The decoder stays failed afterwards.
 */
export class FrameLengthError extends Error {
  constructor(
    readonly length: number,
    readonly maxFrameLength: number,
  ) {
    super(`Len error ${length} (max ${maxFrameLength})`);
    this.name = 'FrameLengthError';
  }
}

/**
 * Splits a byte stream into frames. Feed it socket chunks; take frames out with {@link next} (or both at once
 * with {@link push}).
 *
 * - A frame that lies inside one chunk is returned as a `subarray` view of that chunk (no copy); a frame split
 *   over chunks is assembled with one allocation and one copy per piece. Views share memory with the chunks
 *   the socket handed over, which Node never reuses, so they may be kept.
 * - The length is checked as soon as its 4 bytes are in, before the body arrives: a negative length or one
 *   above `maxFrameLength` throws {@link FrameLengthError}, and so does every later call.
 * - Length 0 is a valid (empty) frame, as in ZooKeeper (whose header read then fails).
 * - On a fresh server connection, call {@link peekInt32} (or {@link peekFourLetterWord}) before {@link next}:
 *   a four-letter word such as "ruok" is 0x72756f6b, far above maxbuffer, and would otherwise be a length error.
 */
export class FrameDecoder {
  private readonly chunks: Buffer[] = [];
  /** read position inside chunks[0] */
  private head = 0;
  private buffered = 0;
  private failed: FrameLengthError | undefined;

  constructor(readonly maxFrameLength: number = DEFAULT_JUTE_MAXBUFFER) {}

  /** Bytes received but not yet returned as frames. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** Appends a chunk (kept by reference, not copied). */
  append(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** Appends a chunk and returns every frame now complete. */
  push(chunk: Buffer): Buffer[] {
    this.append(chunk);
    const out: Buffer[] = [];
    for (let f = this.next(); f !== undefined; f = this.next()) out.push(f);
    return out;
  }

  /** The next 4 bytes as a big-endian int32, without consuming them; undefined if fewer are buffered. */
  peekInt32(): number | undefined {
    if (this.buffered < 4) return undefined;
    const first = this.chunks[0]!;
    if (first.length - this.head >= 4) return first.readInt32BE(this.head);
    let v = 0;
    let ci = 0;
    let pos = this.head;
    for (let i = 0; i < 4; i++) {
      let c = this.chunks[ci]!;
      while (pos >= c.length) {
        c = this.chunks[++ci]!;
        pos = 0;
      }
      v = (v << 8) | c[pos++]!;
    }
    return v | 0;
  }

  /** The four-letter word at the head of the stream, if the next 4 bytes are one (see FOUR_LETTER_WORDS). */
  peekFourLetterWord(): string | undefined {
    const v = this.peekInt32();
    return v === undefined ? undefined : FOUR_LETTER_WORDS.get(v);
  }

  /**
   * Consumes exactly `n` raw bytes (e.g. a four-letter word, and the 8-byte mask after `stmk`);
   * undefined (nothing consumed) if fewer are buffered. A view when the bytes lie in one chunk.
   */
  take(n: number): Buffer | undefined {
    if (n < 0 || this.buffered < n) return undefined;
    return this.consume(n);
  }

  /** The next complete frame's payload (without its length prefix), or undefined if none is complete yet. */
  next(): Buffer | undefined {
    if (this.failed) throw this.failed;
    const len = this.peekInt32();
    if (len === undefined) return undefined;
    if (len < 0 || len > this.maxFrameLength) {
      this.failed = new FrameLengthError(len, this.maxFrameLength);
      throw this.failed;
    }
    if (this.buffered < 4 + len) return undefined;
    this.skip(4);
    return this.consume(len);
  }

  private skip(n: number): void {
    this.buffered -= n;
    while (n > 0) {
      const c = this.chunks[0]!;
      const avail = c.length - this.head;
      if (n < avail) {
        this.head += n;
        return;
      }
      n -= avail;
      this.chunks.shift();
      this.head = 0;
    }
  }

  /** Requires n <= buffered. */
  private consume(n: number): Buffer {
    const first = this.chunks[0];
    if (n === 0 || first === undefined) return EMPTY;
    const avail = first.length - this.head;
    if (n <= avail) {
      const view = first.subarray(this.head, this.head + n);
      this.buffered -= n;
      if (n === avail) {
        this.chunks.shift();
        this.head = 0;
      } else {
        this.head += n;
      }
      return view;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[0]!;
      const take = Math.min(c.length - this.head, n - filled);
      c.copy(out, filled, this.head, this.head + take);
      filled += take;
      if (this.head + take === c.length) {
        this.chunks.shift();
        this.head = 0;
      } else {
        this.head += take;
      }
    }
    this.buffered -= n;
    return out;
  }
}

const EMPTY = Buffer.alloc(0);

// ---------------------------------------------------------------- four-letter words

/** What telnet sends when it closes (IAC IP IAC DO...): 0xfff4fffd as an int32. */
export const TELNET_CLOSE_CODE = 0xfff4fffd | 0;

/** The int32 a four-letter word reads as when taken for a frame length ("ruok" -> 0x72756f6b). */
export function fourLetterWordCode(word: string): number {
  if (word.length !== 4) throw new Error(`not a four-letter word: ${word}`);
  return Buffer.from(word, 'latin1').readInt32BE(0);
}

/**
 * Four-letter words ZooKeeper 3.8 recognises on a fresh connection (FourLetterCommands.cmd2String), keyed by
 * their int32 code. Besides the documented 17 this includes `hash` and the telnet close sequence
 * 0xfff4fffd ("telnet close", on which ZooKeeper just closes the connection).
 */
export const FOUR_LETTER_WORDS: ReadonlyMap<number, string> = new Map([
  ...['ruok', 'srvr', 'stat', 'mntr', 'cons', 'crst', 'srst', 'dump', 'envi', 'conf', 'wchs', 'wchc', 'wchp', 'dirs', 'isro', 'gtmk', 'stmk', 'hash'].map(
    (w) => [fourLetterWordCode(w), w] as const,
  ),
  [TELNET_CLOSE_CODE, 'telnet close'] as const,
]);

/** The command `stmk` is followed by an 8-byte trace mask. */
export const STMK_EXTRA_BYTES = 8;

// ---------------------------------------------------------------- whole-frame encoders

/** Appends a frame holding `payload` (already encoded bytes). */
export function encodeFrame(w: JuteWriter, payload: Uint8Array): void {
  const at = w.startFrame();
  w.writeRaw(payload);
  w.endFrame(at);
}

/**
 * Server side: appends one reply frame `[len][ReplyHeader{xid, zxid, err}][body]`. The body is written only when
 * `err === 0` and `resp` is given (error replies are the header alone).
 */
export function encodeReply(w: JuteWriter, xid: number, zxid: number, err: number, resp?: OpResponse): void {
  const at = w.startFrame();
  writeReplyHeader(w, xid, zxid, err);
  if (err === 0 && resp !== undefined) writeResponseBody(w, resp);
  w.endFrame(at);
}

/**
 * Server side: appends a watch notification `{xid -1, zxid, err 0} WatcherEvent`.
 * ZooKeeper up to 3.8 sends zxid -1 (the default); 3.9 sends the txn zxid.
 */
export function encodeNotification(w: JuteWriter, event: WatcherEvent, zxid = -1): void {
  const at = w.startFrame();
  writeReplyHeader(w, -1, zxid, 0);
  writeWatcherEvent(w, event);
  w.endFrame(at);
}

/**
 * A whole notification frame (length prefix included) in a buffer of its own, for servers that send
 * the same event to many connections: encode once, copy the bytes per connection.
 */
export function notificationFrame(event: WatcherEvent, zxid = -1): Buffer {
  const pathBytes = Buffer.byteLength(event.path, 'utf8');
  const out = Buffer.allocUnsafe(4 + 16 + 12 + pathBytes);
  out.writeInt32BE(out.length - 4, 0);
  out.writeInt32BE(-1, 4);
  const hi = Math.floor(zxid / 0x100000000);
  out.writeInt32BE(hi | 0, 8);
  out.writeUInt32BE((zxid - hi * 0x100000000) >>> 0, 12);
  out.writeInt32BE(0, 16);
  out.writeInt32BE(event.type, 20);
  out.writeInt32BE(event.state, 24);
  out.writeInt32BE(pathBytes, 28);
  out.write(event.path, 32, pathBytes, 'utf8');
  return out;
}

/** Client side: the connect frame (the readOnly byte only if `req.readOnly !== undefined`). */
export function encodeConnectRequest(w: JuteWriter, req: ConnectRequest): void {
  const at = w.startFrame();
  writeConnectRequest(w, req);
  w.endFrame(at);
}

/** Server side: the connect reply frame (the readOnly byte only if `resp.readOnly !== undefined`). */
export function encodeConnectResponse(w: JuteWriter, resp: ConnectResponse): void {
  const at = w.startFrame();
  writeConnectResponse(w, resp);
  w.endFrame(at);
}
