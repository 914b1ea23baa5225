/**
 * Znode data packed into large append-only chunks instead of one Buffer per node: a Buffer view costs
 * about 100 bytes of V8 heap, as much as the rest of a znode. A value is addressed by three int32
 * columns per slot (chunk, offset, length; length -1 = null data).
 *
 * Bytes are never overwritten once written, so a view returned by `view` stays valid (and unchanged)
 * for as long as its holder keeps it. Space of deleted or replaced values is reclaimed by copying the
 * live values into fresh chunks once the garbage outweighs half of the live bytes.
 */

/** The per-slot address columns (they live with the tree's other stat columns). */
export interface DataColumns {
  dataChunk: Int32Array;
  dataOffset: Int32Array;
  dataLength: Int32Array;
}

const EMPTY = Buffer.alloc(0);
const FIRST_CHUNK = 16 * 1024;
const MAX_CHUNK = 1024 * 1024;
/** Values at least this large get a chunk of their own (never shared, never copied by compaction). */
const DEDICATED = 64 * 1024;
/** Compaction waits until at least this much garbage piled up. */
const MIN_GARBAGE = 1024 * 1024;

export class DataArena {
  private chunks: Buffer[] = [];
  /** index of the chunk being filled, -1 before the first */
  private current = -1;
  private used = 0;
  private nextChunkSize = FIRST_CHUNK;
  private liveBytes = 0;
  private garbageBytes = 0;

  /** Stores a copy of `data` as slot `slot`'s value; the slot's previous value must have been freed. */
  put(cols: DataColumns, slot: number, data: Uint8Array | null): void {
    if (data === null) {
      cols.dataLength[slot] = -1;
      return;
    }
    const len = data.length;
    cols.dataLength[slot] = len;
    if (len === 0) return;
    this.place(cols, slot, len);
    this.chunks[cols.dataChunk[slot]!]!.set(data, cols.dataOffset[slot]!);
    this.liveBytes += len;
  }

  /** Like `put`, for the `length` bytes of `source` at `start` (-1: null data), without a view of them. */
  putRange(cols: DataColumns, slot: number, source: Buffer, start: number, length: number): void {
    cols.dataLength[slot] = length < 0 ? -1 : length;
    if (length <= 0) return;
    this.place(cols, slot, length);
    source.copy(this.chunks[cols.dataChunk[slot]!]!, cols.dataOffset[slot]!, start, start + length);
    this.liveBytes += length;
  }

  /** Forgets slot `slot`'s value (its bytes become garbage). */
  free(cols: DataColumns, slot: number): void {
    const len = cols.dataLength[slot]!;
    if (len > 0) {
      this.liveBytes -= len;
      this.garbageBytes += len;
    }
    cols.dataLength[slot] = -1;
  }

  /** Slot `slot`'s value: null, a shared empty Buffer, or a view into a chunk (do not mutate). */
  view(cols: DataColumns, slot: number): Buffer | null {
    const len = cols.dataLength[slot]!;
    if (len <= 0) return len === 0 ? EMPTY : null;
    const off = cols.dataOffset[slot]!;
    return this.chunks[cols.dataChunk[slot]!]!.subarray(off, off + len);
  }

  /**
   * Copies the live values of slots [0, slotCount) into fresh chunks when garbage exceeds half the
   * live bytes (and at least MIN_GARBAGE): amortised, each written byte is copied at most twice.
   * Free slots must have length -1.
   */
  maybeCompact(cols: DataColumns, slotCount: number): void {
    if (this.garbageBytes < MIN_GARBAGE || this.garbageBytes * 2 < this.liveBytes) return;
    const old = this.chunks;
    this.chunks = [];
    this.current = -1;
    this.used = 0;
    this.nextChunkSize = FIRST_CHUNK;
    this.garbageBytes = 0;
    for (let s = 0; s < slotCount; s++) {
      const len = cols.dataLength[s]!;
      if (len <= 0) continue;
      const chunk = old[cols.dataChunk[s]!]!;
      const off = cols.dataOffset[s]!;
      if (len >= DEDICATED) {
        // a dedicated chunk holds exactly this value: keep the Buffer, re-index it
        cols.dataChunk[s] = this.chunks.length;
        cols.dataOffset[s] = 0;
        this.chunks.push(chunk);
        continue;
      }
      this.place(cols, s, len);
      chunk.copy(this.chunks[cols.dataChunk[s]!]!, cols.dataOffset[s]!, off, off + len);
    }
  }

  /** Sets the slot's chunk/offset to `len` fresh bytes. */
  private place(cols: DataColumns, slot: number, len: number): void {
    if (len >= DEDICATED) {
      cols.dataChunk[slot] = this.chunks.length;
      cols.dataOffset[slot] = 0;
      this.chunks.push(Buffer.allocUnsafeSlow(len));
      return;
    }
    if (this.current < 0 || this.used + len > this.chunks[this.current]!.length) {
      // the tail of the previous chunk is left unused; chunks grow so small trees stay small
      const size = Math.max(this.nextChunkSize, len);
      if (this.nextChunkSize < MAX_CHUNK) this.nextChunkSize *= 2;
      this.current = this.chunks.length;
      this.chunks.push(Buffer.allocUnsafeSlow(size));
      this.used = 0;
    }
    cols.dataChunk[slot] = this.current;
    cols.dataOffset[slot] = this.used;
    this.used += len;
  }
}
