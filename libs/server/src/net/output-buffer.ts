import type { Socket } from 'node:net';
import { JuteWriter } from '@paddock/protocol';

/**
 * Frames written during one event-loop turn go out in one socket write: replies and watch events are
 * encoded straight into this buffer (no intermediate objects), then handed to the socket as is.
 */
export class OutputBuffer {
  private writer = new JuteWriter(4096);
  private scheduled = false;
  framesSent = 0;

  constructor(
    private readonly socket: Socket,
    private readonly onFlushed?: () => void,
  ) {}

  /** Encodes one frame with `encode` and schedules a flush. */
  frame(encode: (w: JuteWriter) => void): void {
    const w = this.writer;
    const at = w.startFrame();
    encode(w);
    w.endFrame(at);
    this.framesSent++;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  /** Writes raw text (four-letter words). */
  raw(bytes: Buffer): void {
    this.writer.writeRaw(bytes);
    this.flush();
  }

  readonly flush = (): void => {
    this.scheduled = false;
    const w = this.writer;
    if (w.offset === 0 || this.socket.destroyed) return;
    const bytes = w.bytes();
    // hand the filled buffer to the socket and start a fresh one: no copy
    this.writer = new JuteWriter(Math.min(Math.max(4096, w.offset), 1 << 20));
    this.socket.write(bytes);
    this.onFlushed?.();
  };

  get pendingBytes(): number {
    return this.writer.offset + this.socket.writableLength;
  }
}
