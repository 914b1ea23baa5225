import { readFileSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ADLER32_INIT, adler32 } from './adler32.js';
import {
  FILE_HEADER_SIZE,
  SNAPSHOT_PREFIX,
  SNAP_MAGIC,
  consoleLogger,
  fsyncDir,
  hex,
  listZxidFiles,
  makeFileName,
  versionDir,
  writeFileHeader,
  type PersistenceLogger,
  type ZxidFile,
} from './files.js';

/** The seal after the body: long adler32, then the jute string "/" (int 1, '/'). */
export const SNAPSHOT_SEAL_SIZE = 8 + 4 + 1;
const SLASH = 0x2f;
const WRITE_BUFFER_SIZE = 1024 * 1024;
/** Like FileSnap.deserialize: look at no more than this many snapshots, newest first. */
const MAX_SNAPSHOTS_TRIED = 100;
const TEMP_PREFIX = '.snapshot.';
const TEMP_SUFFIX = '.tmp';

export interface SnapshotStoreOptions {
  /** dbid in the FileHeader. ZooKeeper's FileSnap writes -1. */
  dbId?: bigint;
  logger?: PersistenceLogger;
  /** fsync the snapshot and the directory (default true). */
  forceSync?: boolean;
}

export interface LoadedSnapshot {
  zxid: number;
  /** The bytes between the FileHeader and the seal, as produced by the serializer. */
  body: Buffer;
  path: string;
}

export interface WrittenSnapshot {
  zxid: number;
  path: string;
  /** File size in bytes. */
  size: number;
}

export type SnapshotVerdict = { ok: true; body: Buffer } | { ok: false; reason: string };

/**
 * Checks a whole snapshot file held in `buf`: ZKSN header, trailing "/" marker, and the Adler-32
 * seal. As in ZooKeeper's SnapStream the checksum covers every byte before the seal (FileHeader
 * included), so real ZooKeeper snapshots (with or without the 3.6+ digest section, whose second
 * seal is cumulative) verify too.
 */
export function verifySnapshot(buf: Buffer): SnapshotVerdict {
  if (buf.length < FILE_HEADER_SIZE + SNAPSHOT_SEAL_SIZE) {
    return { ok: false, reason: `file too short (${buf.length} bytes)` };
  }
  const magic = buf.readInt32BE(0);
  if (magic !== SNAP_MAGIC) return { ok: false, reason: `bad magic 0x${(magic >>> 0).toString(16)}` };
  const n = buf.length;
  if (buf.readInt32BE(n - 5) !== 1 || buf[n - 1] !== SLASH) {
    return { ok: false, reason: 'missing trailing "/" marker (incomplete snapshot)' };
  }
  const sealAt = n - SNAPSHOT_SEAL_SIZE;
  const stored = buf.readBigUInt64BE(sealAt);
  const actual = adler32(buf, 0, sealAt);
  if (stored !== BigInt(actual)) {
    return { ok: false, reason: `checksum mismatch (stored ${stored}, computed ${actual})` };
  }
  return { ok: true, body: buf.subarray(FILE_HEADER_SIZE, sealAt) };
}

/** Snapshot files `snapshot.<hex zxid>` in `<dataDir>/version-2`. */
export class SnapshotStore {
  readonly dir: string;
  private readonly dbId: bigint;
  private readonly logger: PersistenceLogger;
  private readonly forceSync: boolean;
  private tmpSeq = 0;

  constructor(dataDir: string, opts: SnapshotStoreOptions = {}) {
    this.dir = versionDir(dataDir);
    this.dbId = opts.dbId ?? -1n;
    this.logger = opts.logger ?? consoleLogger;
    this.forceSync = opts.forceSync ?? true;
  }

  /** Snapshot files, newest first (by the zxid in the name; no validity check). */
  list(): Promise<ZxidFile[]> {
    return listZxidFiles(this.dir, SNAPSHOT_PREFIX, false);
  }

  /**
   * Writes `snapshot.<hex zxid>`: FileHeader, the body chunks, then the seal. The file is written
   * under a temporary name, fsynced, renamed into place and the directory fsynced, so a crash
   * never leaves a partial file under a snapshot name. Small chunks are coalesced into 1 MB
   * writes; the event loop gets a turn at every write.
   */
  async write(zxid: number, chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<WrittenSnapshot> {
    await mkdir(this.dir, { recursive: true });
    const name = makeFileName(SNAPSHOT_PREFIX, zxid);
    const finalPath = join(this.dir, name);
    const tmpPath = join(this.dir, `${TEMP_PREFIX}${zxid.toString(16)}.${process.pid}.${++this.tmpSeq}${TEMP_SUFFIX}`);
    const fh = await open(tmpPath, 'wx');
    let ok = false;
    try {
      const w = new ChecksummedWriter(fh);
      const header = Buffer.allocUnsafe(FILE_HEADER_SIZE);
      writeFileHeader(header, 0, SNAP_MAGIC, this.dbId);
      await w.add(header);
      for await (const chunk of chunks) await w.add(chunk);
      const seal = Buffer.allocUnsafe(SNAPSHOT_SEAL_SIZE);
      seal.writeBigUInt64BE(BigInt(w.checksum), 0);
      seal.writeInt32BE(1, 8);
      seal[12] = SLASH;
      await w.add(seal);
      await w.finish();
      if (this.forceSync) await fh.sync();
      await fh.close();
      await rename(tmpPath, finalPath);
      if (this.forceSync) await fsyncDir(this.dir);
      ok = true;
      this.logger.info(`snapshot ${hex(zxid)} written to ${finalPath} (${w.size} bytes)`);
      return { zxid, path: finalPath, size: w.size };
    } finally {
      if (!ok) {
        await fh.close().catch(() => {});
        await rm(tmpPath, { force: true }).catch(() => {});
      }
    }
  }

  /**
   * The newest snapshot whose seal verifies, or undefined. Invalid ones (partial, bad checksum,
   * unreadable) are skipped with a warning; as in ZooKeeper at most 100 are tried.
   */
  async loadNewestValid(): Promise<LoadedSnapshot | undefined> {
    const files = await this.list();
    for (const f of files.slice(0, MAX_SNAPSHOTS_TRIED)) {
      let buf: Buffer;
      try {
        // one blocking read: only recovery calls this, before anything is served, and a 100+ MB file
        // read in fs.promises' 512 KB pieces costs as many event-loop round trips
        buf = readFileSync(f.path);
      } catch (e) {
        this.logger.warn(`cannot read snapshot ${f.path}: ${String(e)}; trying an older one`);
        continue;
      }
      const v = verifySnapshot(buf);
      if (v.ok) return { zxid: f.zxid, body: v.body, path: f.path };
      this.logger.warn(`invalid snapshot ${f.path}: ${v.reason}; trying an older one`);
    }
    return undefined;
  }

  /** Removes temporary files left by snapshot writes interrupted by a crash. */
  async removeTempFiles(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return;
    }
    for (const n of names) {
      if (n.startsWith(TEMP_PREFIX) && n.endsWith(TEMP_SUFFIX)) await rm(join(this.dir, n), { force: true });
    }
  }
}

/** Sequential writer with a running Adler-32 that coalesces small chunks. */
class ChecksummedWriter {
  checksum = ADLER32_INIT;
  size = 0;
  private readonly buf = Buffer.allocUnsafe(WRITE_BUFFER_SIZE);
  private len = 0;

  constructor(private readonly fh: FileHandle) {}

  async add(chunk: Uint8Array): Promise<void> {
    this.checksum = adler32(chunk, 0, chunk.length, this.checksum);
    if (this.len + chunk.length <= this.buf.length) {
      this.buf.set(chunk, this.len);
      this.len += chunk.length;
      if (this.len === this.buf.length) await this.drain();
      return;
    }
    await this.drain();
    if (chunk.length >= this.buf.length) {
      await this.writeAll(chunk);
    } else {
      this.buf.set(chunk, 0);
      this.len = chunk.length;
    }
  }

  async finish(): Promise<void> {
    await this.drain();
  }

  private async drain(): Promise<void> {
    if (this.len === 0) return;
    const n = this.len;
    this.len = 0;
    await this.writeAll(this.buf.subarray(0, n));
  }

  private async writeAll(data: Uint8Array): Promise<void> {
    let off = 0;
    while (off < data.length) {
      const { bytesWritten } = await this.fh.write(data, off, data.length - off, this.size);
      if (bytesWritten <= 0) throw new Error('short write to snapshot');
      off += bytesWritten;
      this.size += bytesWritten;
    }
  }
}
