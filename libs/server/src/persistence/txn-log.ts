import { mkdir, open, rm, readFile, truncate as truncateFile, type FileHandle } from 'node:fs/promises';
import { constants as fsConstants, writeSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { adler32 } from './adler32.js';
import { TxnLogFailedError } from './errors.js';
import {
  EOR,
  FILE_HEADER_SIZE,
  LOG_PREFIX,
  TXNLOG_MAGIC,
  consoleLogger,
  fsyncDir,
  hex,
  isValidSuccessor,
  listZxidFiles,
  makeFileName,
  versionDir,
  writeFileHeader,
  type PersistenceLogger,
} from './files.js';
import { ENTRY_OVERHEAD, scanSegment } from './log-scan.js';

/** ZooKeeper's default preAllocSize: 64 MB (zoo.cfg `preAllocSize` is in KB). */
export const DEFAULT_PREALLOC_SIZE = 64 * 1024 * 1024;
/** A blocking txn log write slower than this moves the next ones to the thread pool (TxnLogOptions.slowWriteMs). */
export const DEFAULT_SLOW_WRITE_MS = 10;
/** ZooKeeper's default fsync.warningthresholdms. */
export const DEFAULT_FSYNC_WARNING_THRESHOLD_MS = 1000;

const INITIAL_BATCH_BUFFER = 64 * 1024;
/** A batch buffer that grew beyond this is dropped after use instead of being kept as the spare. */
const MAX_RETAINED_BATCH_BUFFER = 8 * 1024 * 1024;
/** ZooKeeper pads when the write position gets within 4 KB of the preallocated end. */
const PAD_MARGIN = 4096;
/**
 * With forceSync and preallocation, a write that goes past the zeros written so far carries real zeros
 * for this many bytes beyond its end (in the same system call). The preallocated end alone leaves a
 * sparse file: each durable write into a hole also has to allocate its block and make that allocation
 * durable (a synchronous inode write or a journal commit: one more device round trip), which made a
 * 5 KB O_DSYNC write cost ~210 instead of ~130 µs and half again the kernel CPU on this machine's ext4.
 * Now only one write per chunk pays for the allocation.
 */
const ZERO_FILL_CHUNK = 64 * 1024;
/** Block size the zero fill is aligned to. */
const FS_BLOCK = 4096;

export interface TxnLogOptions {
  /** Bytes to extend the segment by whenever writing gets near its end (0 disables). Default 64 MB. */
  preAllocSize?: number;
  /** zookeeper.forceSync: false skips fdatasync (unsafe; for tests and benchmarks only). Default true. */
  forceSync?: boolean;
  /** Log a warning when one fdatasync takes longer than this. Default 1000 ms. */
  fsyncWarningThresholdMs?: number;
  /** dbid written in the FileHeader of new segments. Default 0 (as ZooKeeper). */
  dbId?: bigint;
  /**
   * Start a flush automatically (on setImmediate) after an append when none is running, and start
   * the next batch as soon as an fsync completes if entries are waiting. Default true. With false,
   * nothing is written until flush() is called.
   */
  autoFlush?: boolean;
  /**
   * Write each batch with a blocking write on the calling (event-loop) thread instead of through the
   * libuv thread pool. The data is as durable either way (O_DSYNC); this trades the loop's idle time
   * during the device flush (about 0.1-0.2 ms) for no thread-pool round trip per batch: no worker
   * wake-up, completion event and promise chain, which on a loaded machine cost more CPU and latency
   * than the flush itself when batches are small (session connect/close). While the device is slow
   * (the last write took longer than slowWriteMs) batches go through the thread pool instead, so a
   * stalled disk holds up the event loop for one write at most, not for every batch. Default false.
   */
  blockingWrites?: boolean;
  /** With blockingWrites: a write slower than this sends the next batches through the thread pool until one is fast again. Default 10 ms. */
  slowWriteMs?: number;
  /** Reject appends whose zxid skips within an epoch (recovery refuses such logs). Default true. */
  strictZxidContinuity?: boolean;
  logger?: PersistenceLogger;
  /** Called once if a write or fsync fails; the log is then unusable. */
  onError?: (err: TxnLogFailedError) => void;
}

export interface FsyncStats {
  /** Number of fdatasync calls on log segments. */
  count: number;
  /** Duration of the most recent fdatasync in ms (-1 before the first). */
  lastMs: number;
  avgMs: number;
  maxMs: number;
  /** fsyncs slower than fsyncWarningThresholdMs (ZooKeeper's fsync_threshold_exceed_count). */
  thresholdExceeded: number;
  /** Write batches completed, and entries/bytes written by them. */
  batches: number;
  /** Segment writes made on the event loop (blockingWrites) rather than through the thread pool. */
  blockingWrites: number;
  entries: number;
  bytes: number;
}

export type DurableListener = (durableZxid: number) => void;

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (e: unknown) => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Callers may legitimately ignore a flush promise; failures are also reported via onError.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/** Where, inside a batch buffer, entries for a new segment start. */
interface SegmentStart {
  offset: number;
  zxid: number;
}

/**
 * ZooKeeper-format write-ahead log with group commit.
 *
 * Files are `log.<hex zxid of first entry>` in `<dataLogDir>/version-2`, each a
 * FileHeader{"ZKLG", 2, dbid} followed by entries {long adler32(payload), int len, payload, 'B'},
 * then zeros up to the preallocated size.
 *
 * `append()` only copies the entry into an in-memory batch. A flush writes the whole batch with
 * one write and one fdatasync; entries appended while an fsync is in flight go into the next
 * batch. Durability is reported through `flush()` promises, `onDurable()` listeners and
 * `durableZxid`.
 *
 * Segments are created lazily on the first append after open()/roll() and are never rewritten
 * once the log has moved on to a newer one.
 */
export class TxnLog {
  readonly dir: string;
  private readonly preAllocSize: number;
  private readonly forceSync: boolean;
  private readonly warnMs: number;
  private readonly dbId: bigint;
  private readonly autoFlush: boolean;
  private readonly blockingWrites: boolean;
  private readonly slowWriteMs: number;
  /** Duration of the last segment write (for the blockingWrites fallback). */
  private lastWriteMs = 0;
  private readonly strict: boolean;
  private readonly logger: PersistenceLogger;
  private readonly onError: ((err: TxnLogFailedError) => void) | undefined;

  // current segment (owned by the writer; only touched inside a batch or when idle)
  private fh: FileHandle | undefined;
  private segPath: string | undefined;
  private writePos = 0;
  private allocSize = 0;
  /** End of the segment's entries or written zeros, whichever is further (see ZERO_FILL_CHUNK). */
  private zeroedEnd = 0;

  // pending batch
  private buf: Buffer = Buffer.allocUnsafe(INITIAL_BATCH_BUFFER);
  private len = 0;
  private pendingCount = 0;
  private starts: SegmentStart[] = [];
  private spare: Buffer | undefined;
  private needNewSegment = true;
  private segmentHasEntries = false;

  private _lastZxid: number;
  private _durableZxid: number;

  private inflight: Promise<void> | undefined;
  private next: Deferred | undefined;
  private flushScheduled = false;
  private failure: TxnLogFailedError | undefined;
  private closed = false;
  private readonly listeners = new Set<DurableListener>();

  private readonly stats: FsyncStats = {
    count: 0,
    lastMs: -1,
    avgMs: 0,
    maxMs: 0,
    thresholdExceeded: 0,
    batches: 0,
    blockingWrites: 0,
    entries: 0,
    bytes: 0,
  };
  private fsyncTotalMs = 0;

  private constructor(dir: string, lastZxid: number, opts: TxnLogOptions) {
    this.dir = dir;
    this.preAllocSize = Math.max(0, Math.floor(opts.preAllocSize ?? DEFAULT_PREALLOC_SIZE));
    this.forceSync = opts.forceSync ?? true;
    this.warnMs = opts.fsyncWarningThresholdMs ?? DEFAULT_FSYNC_WARNING_THRESHOLD_MS;
    this.dbId = opts.dbId ?? 0n;
    this.autoFlush = opts.autoFlush ?? true;
    this.blockingWrites = opts.blockingWrites ?? false;
    this.slowWriteMs = opts.slowWriteMs ?? DEFAULT_SLOW_WRITE_MS;
    this.strict = opts.strictZxidContinuity ?? true;
    this.logger = opts.logger ?? consoleLogger;
    this.onError = opts.onError;
    this._lastZxid = lastZxid;
    this._durableZxid = lastZxid;
  }

  /**
   * Opens the log in `<dataLogDir>/version-2` for appending after `lastZxid` (as returned by
   * recover(); it does not scan existing files). The first append creates a new segment.
   */
  static async open(dataLogDir: string, lastZxid: number, opts: TxnLogOptions = {}): Promise<TxnLog> {
    const dir = versionDir(dataLogDir);
    await mkdir(dir, { recursive: true });
    return new TxnLog(dir, lastZxid, opts);
  }

  /** Highest zxid appended (durable or not). */
  get lastZxid(): number {
    return this._lastZxid;
  }

  /** Highest zxid known to be on stable storage. */
  get durableZxid(): number {
    return this._durableZxid;
  }

  /** Entries appended but not yet handed to a write. */
  get pendingEntries(): number {
    return this.pendingCount;
  }

  /** Path of the segment currently being written, if one is open. */
  get currentSegment(): string | undefined {
    return this.segPath;
  }

  /** Set once a write/fsync failed; every later call fails with it. */
  get failed(): TxnLogFailedError | undefined {
    return this.failure;
  }

  /**
   * Buffers one entry. `payload` is the serialized TxnHeader + txn (+ digest); it is copied, so
   * the caller may reuse it. zxid must be greater than lastZxid (and, with strictZxidContinuity,
   * lastZxid + 1 within the same epoch).
   */
  append(zxid: number, payload: Uint8Array): void {
    if (this.failure) throw this.failure;
    if (this.closed) throw new Error('TxnLog is closed');
    if (payload.length === 0) throw new RangeError('empty txn payload');
    if (!isValidSuccessor(this._lastZxid, zxid, this.strict)) {
      throw new RangeError(`zxid ${hex(zxid)} cannot follow ${hex(this._lastZxid)} in the txn log`);
    }
    const need = this.len + ENTRY_OVERHEAD + payload.length;
    if (need > this.buf.length) this.grow(need);
    if (this.needNewSegment) {
      this.starts.push({ offset: this.len, zxid });
      this.needNewSegment = false;
    }
    const b = this.buf;
    let p = this.len;
    b.writeUInt32BE(0, p);
    b.writeUInt32BE(adler32(payload), p + 4);
    b.writeInt32BE(payload.length, p + 8);
    b.set(payload, p + 12);
    p += 12 + payload.length;
    b[p] = EOR;
    this.len = p + 1;
    this.pendingCount++;
    this._lastZxid = zxid;
    this.segmentHasEntries = true;
    if (this.autoFlush && !this.flushScheduled && this.inflight === undefined) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        if (this.inflight === undefined && this.len > 0 && !this.failure) void this.flush();
      });
    }
  }

  /**
   * Makes every entry appended so far durable. Resolves once they are fsynced (one write and one
   * fdatasync for the whole batch). If a batch is already in flight, the caller's entries go into
   * the next batch and the promise resolves when that one is durable.
   */
  flush(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.inflight !== undefined) {
      if (this.len === 0 && this.next === undefined) return this.inflight;
      this.next ??= deferred();
      return this.next.promise;
    }
    if (this.len === 0) return Promise.resolve();
    return this.startBatch();
  }

  /**
   * Ends the current segment: the next append starts `log.<its zxid>`. Entries appended before
   * roll() stay in the old segment even if not yet written. No-op if the current segment has no
   * entries yet.
   */
  roll(): void {
    if (this.segmentHasEntries) {
      this.needNewSegment = true;
      this.segmentHasEntries = false;
    }
  }

  /** Registers a listener called with the new durableZxid after each durable batch. */
  onDurable(listener: DurableListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** fsync latency and batching figures for metrics (`fsync_time`, 4lw `mntr`). */
  fsyncStats(): FsyncStats {
    return { ...this.stats };
  }

  /** Zeroes the fsync/batch figures (4lw `srst`). */
  resetFsyncStats(): void {
    Object.assign(this.stats, { count: 0, lastMs: -1, avgMs: 0, maxMs: 0, thresholdExceeded: 0, batches: 0, blockingWrites: 0, entries: 0, bytes: 0 });
    this.fsyncTotalMs = 0;
  }

  /**
   * Removes every entry with a zxid above `zxid` from the log files (leader TRUNC, or before
   * logging after a SNAP sync) and continues appending after `zxid` in a new segment.
   */
  async truncate(zxid: number): Promise<void> {
    await this.flush();
    await this.closeSegment();
    await truncateLogAfter(this.dir, zxid, this.logger);
    this._lastZxid = zxid;
    this._durableZxid = zxid;
    this.needNewSegment = true;
    this.segmentHasEntries = false;
  }

  /** Flushes what is pending and closes the current segment. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      if (!this.failure) await this.flush();
    } finally {
      this.closed = true;
      await this.closeSegment().catch(() => {});
    }
  }

  // ---------------------------------------------------------------------------------------------

  private grow(need: number): void {
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const nb = Buffer.allocUnsafe(size);
    this.buf.copy(nb, 0, 0, this.len);
    this.buf = nb;
  }

  private startBatch(): Promise<void> {
    const buf = this.buf;
    const len = this.len;
    const count = this.pendingCount;
    const starts = this.starts;
    const upTo = this._lastZxid;
    this.buf = this.spare ?? Buffer.allocUnsafe(INITIAL_BATCH_BUFFER);
    this.spare = undefined;
    this.len = 0;
    this.pendingCount = 0;
    this.starts = [];

    const run = this.writeBatch(buf, len, starts).then(
      () => {
        this.stats.batches++;
        this.stats.entries += count;
        this.stats.bytes += len;
        if (buf.length <= MAX_RETAINED_BATCH_BUFFER) this.spare = buf;
        this._durableZxid = upTo;
        for (const l of this.listeners) {
          try {
            l(upTo);
          } catch (e) {
            this.logger.error(`onDurable listener threw: ${String(e)}`);
          }
        }
      },
      (e: unknown) => {
        throw this.fail(e);
      },
    );
    const tracked = run.finally(() => {
      this.inflight = undefined;
      this.afterBatch();
    });
    tracked.catch(() => {});
    this.inflight = tracked;
    return tracked;
  }

  /** Chains the next batch after one completes. */
  private afterBatch(): void {
    const waiter = this.next;
    this.next = undefined;
    if (this.failure) {
      waiter?.reject(this.failure);
      return;
    }
    if (this.len > 0 && (waiter !== undefined || this.autoFlush)) {
      const p = this.startBatch();
      if (waiter) p.then(waiter.resolve, waiter.reject);
    } else {
      waiter?.resolve();
    }
  }

  private fail(e: unknown): TxnLogFailedError {
    if (!this.failure) {
      const err = e instanceof TxnLogFailedError ? e : new TxnLogFailedError(`txn log write failed: ${String(e)}`, e);
      this.failure = err;
      this.logger.error(err.message);
      this.onError?.(err);
    }
    return this.failure;
  }

  private async writeBatch(buf: Buffer, len: number, starts: SegmentStart[]): Promise<void> {
    let from = 0;
    let si = 0;
    while (from < len) {
      let created = false;
      if (si < starts.length && starts[si]!.offset === from) {
        await this.closeSegment();
        await this.createSegment(starts[si]!.zxid);
        created = true;
        si++;
      }
      if (this.fh === undefined) throw new Error('internal: no open txn log segment');
      const to = si < starts.length ? starts[si]!.offset : len;
      await this.writePiece(buf, from, to, created);
      from = to;
    }
  }

  private async createSegment(zxid: number): Promise<void> {
    const path = join(this.dir, makeFileName(LOG_PREFIX, zxid));
    this.logger.info(`creating new txn log file ${path}`);
    // 'wx': a segment is never overwritten; a name clash means zxids are being reused. With
    // forceSync the segment is opened O_DSYNC: each write returns once its data (and the metadata
    // needed to read it back) is on stable storage, exactly what write + fdatasync gave, in one
    // system call and one thread-pool round trip instead of two.
    const { O_WRONLY, O_CREAT, O_EXCL, O_DSYNC } = fsConstants;
    this.fh = await open(path, this.forceSync ? O_WRONLY | O_CREAT | O_EXCL | O_DSYNC : 'wx');
    this.segPath = path;
    this.writePos = 0;
    this.allocSize = 0;
    this.zeroedEnd = 0;
  }

  private async writePiece(buf: Buffer, from: number, to: number, created: boolean): Promise<void> {
    const fh = this.fh!;
    let header: Buffer | undefined;
    if (created) {
      header = Buffer.allocUnsafe(FILE_HEADER_SIZE);
      writeFileHeader(header, 0, TXNLOG_MAGIC, this.dbId);
    }
    const total = (header?.length ?? 0) + (to - from);
    const end = this.writePos + total;
    // Preallocate (like ZooKeeper's FilePadding): grow the file in preAllocSize steps when the
    // write gets within 4 KB of the current end, so fdatasync rarely has to update the size.
    if (this.preAllocSize > 0 && end + PAD_MARGIN >= this.allocSize) {
      let size = this.allocSize;
      while (end + PAD_MARGIN >= size) size += this.preAllocSize;
      await fh.truncate(size);
      this.allocSize = size;
    }
    const parts = header ? [header, buf.subarray(from, to)] : [buf.subarray(from, to)];
    let length = total;
    if (this.forceSync && this.preAllocSize > 0 && end > this.zeroedEnd) {
      const zeroTo = Math.min(Math.ceil((end + ZERO_FILL_CHUNK) / FS_BLOCK) * FS_BLOCK, this.allocSize);
      if (zeroTo > end) {
        parts.push(zeroChunk().subarray(0, zeroTo - end));
        length = zeroTo - this.writePos;
        this.zeroedEnd = zeroTo;
      }
    }
    // one copy at most, and none for a plain batch write
    const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts, length);
    // with forceSync the write itself is synchronous I/O (O_DSYNC, see createSegment): its
    // duration is the fsync figure
    const t0 = performance.now();
    if (this.blockingWrites && this.lastWriteMs <= this.slowWriteMs) {
      writeFullyBlocking(fh.fd, bytes, this.writePos);
      this.stats.blockingWrites++;
    } else {
      await writeFully(fh, bytes, this.writePos);
    }
    const ms = performance.now() - t0;
    this.lastWriteMs = ms;
    this.writePos = end;
    if (this.allocSize < end) this.allocSize = end;
    if (this.forceSync) {
      this.recordFsync(ms);
      // A new file's directory entry must be durable too before its entries count as durable.
      if (created) await fsyncDir(this.dir);
    }
  }

  private recordFsync(ms: number): void {
    const s = this.stats;
    s.count++;
    s.lastMs = ms;
    this.fsyncTotalMs += ms;
    s.avgMs = this.fsyncTotalMs / s.count;
    if (ms > s.maxMs) s.maxMs = ms;
    if (ms > this.warnMs) {
      s.thresholdExceeded++;
      this.logger.warn(
        `fsync-ing the write ahead log ${this.segPath ?? ''} took ${Math.round(ms)}ms which will adversely ` +
          `effect operation latency. File size is ${this.allocSize} bytes. See the ZooKeeper troubleshooting guide`,
      );
    }
  }

  private async closeSegment(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    this.segPath = undefined;
    if (fh) await fh.close();
  }
}

let zeros: Buffer | undefined;

/** One shared run of zeros, long enough for any fill (never written to). */
function zeroChunk(): Buffer {
  zeros ??= Buffer.alloc(ZERO_FILL_CHUNK + FS_BLOCK);
  return zeros;
}

async function writeFully(fh: FileHandle, data: Buffer, position: number): Promise<void> {
  let off = 0;
  while (off < data.length) {
    const { bytesWritten } = await fh.write(data, off, data.length - off, position + off);
    if (bytesWritten <= 0) throw new Error('short write to txn log');
    off += bytesWritten;
  }
}

function writeFullyBlocking(fd: number, data: Buffer, position: number): void {
  let off = 0;
  while (off < data.length) {
    const bytesWritten = writeSync(fd, data, off, data.length - off, position + off);
    if (bytesWritten <= 0) throw new Error('short write to txn log');
    off += bytesWritten;
  }
}

/**
 * Removes all entries with zxid > `zxid` from the log segments in `logDir` (a version-2 dir):
 * later segments are deleted, the segment holding `zxid` is cut after it. Like ZooKeeper's
 * FileTxnLog.truncate.
 */
export async function truncateLogAfter(
  logDir: string,
  zxid: number,
  logger: PersistenceLogger = consoleLogger,
): Promise<void> {
  const files = await listZxidFiles(logDir, LOG_PREFIX);
  let changed = false;
  for (const f of files) {
    if (f.zxid > zxid) {
      logger.info(`truncate: removing txn log ${f.path}`);
      await rm(f.path, { force: true });
      changed = true;
    }
  }
  const keep = files.filter((f) => f.zxid <= zxid);
  const last = keep[keep.length - 1];
  if (last) {
    const buf = await readFile(last.path);
    let cut = -1;
    let kept = 0;
    const scan = scanSegment(buf, (z, _s, _e, offset) => {
      if (z > zxid && cut < 0) cut = offset;
      if (z <= zxid) kept++;
    });
    if (scan.header === 'ok' && cut >= 0) {
      if (kept === 0) {
        await rm(last.path, { force: true });
      } else {
        const fh = await open(last.path, 'r+');
        try {
          await fh.truncate(cut);
          await fh.sync();
        } finally {
          await fh.close();
        }
      }
      logger.info(`truncate: cut ${last.path} at offset ${cut} (after zxid ${hex(zxid)})`);
      changed = true;
    }
  }
  if (changed) await fsyncDir(logDir);
}

/** Truncates a file to `length` bytes and fsyncs it. */
export async function truncateAndSync(path: string, length: number): Promise<void> {
  await truncateFile(path, length);
  const fh = await open(path, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
