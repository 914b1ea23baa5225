/** Strings up to this many UTF-16 units are tried as ASCII first. */
const SHORT_STRING = 256;

/**
 * Writes jute-encoded values into one growable buffer. Callers that frame their output reserve the
 * 4-byte length prefix with {@link JuteWriter.startFrame} and patch it with {@link JuteWriter.endFrame},
 * so a reply is encoded once, into its final bytes.
 */
export class JuteWriter {
  /** the bytes; replaced when it grows (read it after writing, do not assign it) */
  buf: Buffer;
  offset = 0;
  /** over `buf`: V8 inlines DataView accessors, where Buffer's writeInt32BE checks its arguments in JS */
  private view: DataView;

  constructor(initialSize = 256) {
    this.buf = Buffer.allocUnsafe(initialSize);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  }

  private ensure(n: number): void {
    const need = this.offset + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.offset);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.length);
  }

  writeInt(v: number): this {
    this.ensure(4);
    this.view.setInt32(this.offset, v | 0);
    this.offset += 4;
    return this;
  }

  writeLong(v: bigint): this {
    this.ensure(8);
    this.buf.writeBigInt64BE(BigInt.asIntN(64, v), this.offset);
    this.offset += 8;
    return this;
  }

  /** A long held as an exact JS number (zxids, times); must be a safe integer. */
  writeLongNumber(v: number): this {
    this.ensure(8);
    const hi = Math.floor(v / 0x100000000);
    const lo = v - hi * 0x100000000;
    this.view.setInt32(this.offset, hi | 0);
    this.view.setUint32(this.offset + 4, lo >>> 0);
    this.offset += 8;
    return this;
  }

  writeBool(v: boolean): this {
    this.ensure(1);
    this.buf[this.offset++] = v ? 1 : 0;
    return this;
  }

  writeByte(v: number): this {
    this.ensure(1);
    this.buf.writeInt8(v, this.offset++);
    return this;
  }

  writeBuffer(v: Uint8Array | null): this {
    if (v === null) return this.writeInt(-1);
    this.ensure(4 + v.length);
    this.view.setInt32(this.offset, v.length);
    this.buf.set(v, this.offset + 4);
    this.offset += 4 + v.length;
    return this;
  }

  writeString(v: string | null): this {
    if (v === null) return this.writeInt(-1);
    // short strings (paths, child names) are nearly always ASCII: copying the char codes in JS
    // beats two native calls (byteLength + utf8 write); anything else takes the general path
    if (v.length <= SHORT_STRING && this.writeAscii(v, '')) return this;
    const len = Buffer.byteLength(v, 'utf8');
    this.ensure(4 + len);
    this.view.setInt32(this.offset, len);
    this.buf.write(v, this.offset + 4, len, 'utf8');
    this.offset += 4 + len;
    return this;
  }

  /** The ustring `prefix + name` (a path from its parent's prefix) without building the joined string. */
  writeJoinedString(prefix: string, name: string): this {
    if (prefix.length + name.length <= SHORT_STRING && this.writeAscii(prefix, name)) return this;
    return this.writeString(prefix + name);
  }

  /** Writes `a + b` as a ustring if both are ASCII; otherwise writes nothing and returns false. */
  private writeAscii(a: string, b: string): boolean {
    const n = a.length + b.length;
    this.ensure(4 + n);
    const buf = this.buf;
    let at = this.offset + 4;
    for (let i = 0; i < a.length; i++) {
      const c = a.charCodeAt(i);
      if (c >= 0x80) return false;
      buf[at++] = c;
    }
    for (let i = 0; i < b.length; i++) {
      const c = b.charCodeAt(i);
      if (c >= 0x80) return false;
      buf[at++] = c;
    }
    this.view.setInt32(this.offset, n);
    this.offset = at;
    return true;
  }

  writeVector<T>(items: readonly T[] | null, writeItem: (w: JuteWriter, item: T) => void): this {
    if (items === null) return this.writeInt(-1);
    this.writeInt(items.length);
    for (const item of items) writeItem(this, item);
    return this;
  }

  writeRaw(v: Uint8Array): this {
    this.ensure(v.length);
    this.buf.set(v, this.offset);
    this.offset += v.length;
    return this;
  }

  /** Reserves a 4-byte length prefix; returns its position for {@link endFrame}. */
  startFrame(): number {
    const at = this.offset;
    this.writeInt(0);
    return at;
  }

  endFrame(at: number): void {
    this.view.setInt32(at, this.offset - at - 4);
  }

  /** The bytes written so far (a view; copy it if the writer will be reused). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.offset);
  }

  reset(): void {
    this.offset = 0;
  }
}
