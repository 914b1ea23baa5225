/**
 * Reads jute-encoded values from one buffer. All multi-byte values are big-endian.
 * Longs are exact (`bigint`); `readLongNumber` is the hot-path form for values known to fit in 53 bits.
 * Every read is bounds-checked and throws {@link JuteDecodeError}, never reads past `end`.
 */
export class JuteDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JuteDecodeError';
  }
}

export class JuteReader {
  offset: number;
  readonly end: number;

  constructor(
    readonly buf: Buffer,
    offset = 0,
    end = buf.length,
    /** Upper bound for any single buffer/string/vector length inside this record. */
    readonly maxLength = 0x7fffffff,
  ) {
    this.offset = offset;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(n: number): void {
    if (this.offset + n > this.end) {
      throw new JuteDecodeError(`truncated record: need ${n} bytes at offset ${this.offset}, have ${this.end - this.offset}`);
    }
  }

  readInt(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  readLong(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.offset);
    this.offset += 8;
    return v;
  }

  /** A long that must fit a JS number exactly (zxids, times, counts); throws otherwise. */
  readLongNumber(): number {
    this.need(8);
    const hi = this.buf.readInt32BE(this.offset);
    const lo = this.buf.readUInt32BE(this.offset + 4);
    this.offset += 8;
    if (hi > 0x1fffff || hi < -0x200000) throw new JuteDecodeError(`long value out of exact range at offset ${this.offset - 8}`);
    return hi * 0x100000000 + lo;
  }

  readBool(): boolean {
    this.need(1);
    return this.buf[this.offset++] !== 0;
  }

  readByte(): number {
    this.need(1);
    return this.buf.readInt8(this.offset++);
  }

  private readLength(what: string): number {
    const len = this.readInt();
    if (len < -1) throw new JuteDecodeError(`negative ${what} length ${len}`);
    if (len > this.maxLength) throw new JuteDecodeError(`${what} length ${len} exceeds ${this.maxLength}`);
    return len;
  }

  /** A `buffer`; -1 (null) reads as `null`. The result is a view into the source buffer (no copy). */
  readBuffer(): Buffer | null {
    const len = this.readLength('buffer');
    if (len === -1) return null;
    this.need(len);
    const v = this.buf.subarray(this.offset, this.offset + len);
    this.offset += len;
    return v;
  }

  /**
   * A `buffer` left in place: returns its length (-1 for null) and moves past it; the bytes start at
   * `offset - length`. For bulk loaders that copy the bytes elsewhere and need no view object.
   */
  skipBuffer(): number {
    const len = this.readLength('buffer');
    if (len <= 0) return len;
    this.need(len);
    this.offset += len;
    return len;
  }

  /** A long that is usually 0 (ephemeralOwner): 0n without building a bigint, else the exact value. */
  readLongOrZero(): bigint {
    this.need(8);
    const o = this.offset;
    const buf = this.buf;
    if (buf[o] === 0 && buf[o + 1] === 0 && buf[o + 2] === 0 && buf[o + 3] === 0 && buf.readInt32BE(o + 4) === 0) {
      this.offset = o + 8;
      return 0n;
    }
    return this.readLong();
  }

  /** A `ustring`; -1 (null) reads as `null`. */
  readString(): string | null {
    const len = this.readLength('string');
    if (len === -1) return null;
    this.need(len);
    const v = this.buf.toString('utf8', this.offset, this.offset + len);
    this.offset += len;
    return v;
  }

  /** A `ustring` where null is not meaningful (paths, schemes): null reads as ''. */
  readStringNonNull(): string {
    return this.readString() ?? '';
  }

  /** A `vector<T>`; -1 (null) reads as `null`. Count is bounded by the bytes left so a bogus count cannot allocate. */
  readVector<T>(readItem: (r: JuteReader) => T): T[] | null {
    const count = this.readInt();
    if (count === -1) return null;
    if (count < -1) throw new JuteDecodeError(`negative vector count ${count}`);
    if (count > this.remaining) throw new JuteDecodeError(`vector count ${count} exceeds remaining ${this.remaining} bytes`);
    const out: T[] = new Array(count);
    for (let i = 0; i < count; i++) out[i] = readItem(this);
    return out;
  }
}
