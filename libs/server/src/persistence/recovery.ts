import { closeSync, fstatSync, openSync, read, readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { CorruptLogError, CorruptSnapshotError } from './errors.js';
import {
  LOG_PREFIX,
  consoleLogger,
  fsyncDir,
  hex,
  isValidSuccessor,
  listZxidFiles,
  versionDir,
  type PersistenceLogger,
  type ZxidFile,
} from './files.js';
import { scanSegment, type SegmentScan } from './log-scan.js';
import { SnapshotStore, type LoadedSnapshot, type SnapshotStoreOptions } from './snapshot-store.js';
import { TxnLog, truncateAndSync, type TxnLogOptions } from './txn-log.js';

export interface RecoverOptions {
  /** Options for the TxnLog returned for appending. */
  txnLog?: TxnLogOptions;
  /** Options for the SnapshotStore returned. */
  snapshot?: SnapshotStoreOptions;
  logger?: PersistenceLogger;
  /**
   * Require zxids to be contiguous within an epoch (across entries, segments and the snapshot
   * boundary), and a snapshot-less log to start at the first txn of an epoch. Default true.
   */
  strictZxidContinuity?: boolean;
  /**
   * Operator escape hatch: cut the log at the first damaged entry even when valid entries follow
   * (they are lost). Default false: such damage throws CorruptLogError.
   */
  truncateCorruptLog?: boolean;
  /**
   * Start from the logs alone when snapshot files exist but none verifies. Default false:
   * throws CorruptSnapshotError.
   */
  ignoreInvalidSnapshots?: boolean;
}

export interface RecoveryResult {
  /** Newest valid snapshot, if any. */
  snapshot?: LoadedSnapshot;
  /** Txn payloads with zxid > snapshot zxid, in log order (views into the segment files read). */
  txns: Buffer[];
  /** The last zxid of the recovered state: max(snapshot zxid, last txn zxid), 0 when empty. */
  lastZxid: number;
  /** The txn log, open for appending after lastZxid (its first append starts a new segment). */
  log: TxnLog;
  /** The snapshot store of dataDir. */
  snapshots: SnapshotStore;
  /** What recovery changed on disk (torn tails cut, empty tail segments removed). */
  repairs: string[];
}

/**
 * ZooKeeper's FileTxnLog.getLogFiles: the newest log starting at or before `snapshotZxid`, and
 * every later one, ascending.
 */
export function selectLogFiles(files: readonly ZxidFile[], snapshotZxid: number): ZxidFile[] {
  const sorted = [...files].sort((a, b) => a.zxid - b.zxid);
  let base = 0;
  for (const f of sorted) {
    if (f.zxid > snapshotZxid) break;
    if (f.zxid > base) base = f.zxid;
  }
  return sorted.filter((f) => f.zxid >= base);
}

/**
 * Rebuilds a member's durable state: the newest valid snapshot of `<dataDir>/version-2`, then
 * every txn logged in `<dataLogDir>/version-2` with a zxid above it, across segments.
 *
 * A torn tail — a partial entry, zero fill, or a bad checksum / missing 'B' with nothing valid
 * after it, at the end of the last segment that has entries — is cut off the file. Damage
 * followed by valid entries, zxid gaps or disorder, and bad file headers throw CorruptLogError
 * naming the file and offset.
 */
export async function recover(dataDir: string, dataLogDir: string, opts: RecoverOptions = {}): Promise<RecoveryResult> {
  const logger = opts.logger ?? consoleLogger;
  const strict = opts.strictZxidContinuity ?? true;
  const repairs: string[] = [];
  const repaired = (msg: string): void => {
    logger.warn(msg);
    repairs.push(msg);
  };

  // --- snapshot ----------------------------------------------------------------------------
  const snapshots = new SnapshotStore(dataDir, { logger, ...opts.snapshot });
  await mkdir(snapshots.dir, { recursive: true });
  await snapshots.removeTempFiles();
  const snapFiles = await snapshots.list();
  const logDir = versionDir(dataLogDir);
  await mkdir(logDir, { recursive: true });
  const logFiles = await listZxidFiles(logDir, LOG_PREFIX);
  // The segments the newest snapshot needs are read on the thread pool meanwhile: they arrive while
  // this thread reads and checksums the snapshot.
  const prefetched = new Map<string, Promise<Buffer>>();
  for (const f of selectLogFiles(logFiles, Math.max(snapFiles[0]?.zxid ?? 0, 0))) {
    const pending = readWholeFile(f.path);
    pending.catch(() => undefined); // awaited below if still needed; never an unhandled rejection
    prefetched.set(f.path, pending);
  }
  const snapshot = await snapshots.loadNewestValid();
  if (!snapshot && snapFiles.length > 0) {
    const reason = `${snapFiles.length} snapshot file(s), none with a valid checksum`;
    if (!opts.ignoreInvalidSnapshots) throw new CorruptSnapshotError(snapshots.dir, reason);
    logger.warn(`${reason} in ${snapshots.dir}; recovering from the txn log alone`);
  }
  const snapZxid = snapshot ? snapshot.zxid : -1;
  if (snapshot) logger.info(`loading snapshot ${snapshot.path} (zxid ${hex(snapZxid)})`);

  // --- txn log -----------------------------------------------------------------------------
  const segments = selectLogFiles(logFiles, Math.max(snapZxid, 0));

  const txns: Buffer[] = [];
  let prev = -1; // last entry zxid seen in the log
  let lastZxid = Math.max(snapZxid, 0);

  /** A damaged spot that may still turn out to be a torn tail. */
  let tail: { seg: number; offset: number; reason: string; goodEnd: number } | undefined;

  const counts: number[] = [];
  for (let i = 0; i < segments.length; i++) {
    const f = segments[i]!;
    // blocking when not prefetched: recovery runs before anything is served
    const pending = prefetched.get(f.path);
    const buf = pending === undefined ? readFileSync(f.path) : await pending;

    if (tail !== undefined) {
      // Past a damaged spot: nothing valid may follow it, or it was not a torn tail.
      const later = scanSegment(buf);
      counts.push(later.count);
      if ((later.count > 0 || later.validAfter !== undefined) && !opts.truncateCorruptLog) {
        throw new CorruptLogError(
          segments[tail.seg]!.path,
          tail.offset,
          `${tail.reason}, and the later segment ${f.name} holds valid entries`,
        );
      }
      continue;
    }

    let firstInFile = true;
    let orderingError: string | undefined;
    const scan: SegmentScan = scanSegment(buf, (zxid, start, end) => {
      if (firstInFile && zxid !== f.zxid) {
        return (orderingError = `first entry has zxid ${hex(zxid)} but the file name says ${hex(f.zxid)}`);
      }
      firstInFile = false;
      if (zxid <= prev) return (orderingError = `zxid ${hex(zxid)} follows ${hex(prev)} (out of order)`);
      if (zxid > snapZxid) {
        // Replayed txns must continue the state they apply to: the snapshot or the previous txn.
        const base = Math.max(prev, snapZxid);
        if (base >= 0 && !isValidSuccessor(base, zxid, strict)) {
          return (orderingError =
            prev >= snapZxid
              ? `zxid ${hex(zxid)} follows ${hex(prev)} (gap)`
              : `first txn after snapshot ${hex(snapZxid)} is ${hex(zxid)} (gap)`);
        }
        if (base < 0 && strict && zxid % 0x1_0000_0000 !== 1) {
          return (orderingError =
            `no snapshot, and the log starts at ${hex(zxid)} rather than at the first txn of an epoch ` +
            `(older logs or snapshots are missing)`);
        }
        txns.push(buf.subarray(start, end));
        lastZxid = zxid;
      }
      prev = zxid;
    });
    counts.push(scan.count);

    if (orderingError !== undefined) {
      throw new CorruptLogError(f.path, scan.problem!.offset, orderingError);
    }
    if (scan.header === 'bad') {
      throw new CorruptLogError(f.path, 0, scan.headerReason ?? 'bad file header');
    }
    if (scan.header === 'missing') {
      // The header never reached the disk (crash right after the file was created).
      tail = { seg: i, offset: 0, reason: scan.headerReason ?? 'missing header', goodEnd: 0 };
      continue;
    }
    if (scan.problem) {
      if (scan.validAfter !== undefined && !opts.truncateCorruptLog) {
        throw new CorruptLogError(
          f.path,
          scan.problem.offset,
          `${scan.problem.reason}, followed by a valid entry at offset ${scan.validAfter}`,
        );
      }
      tail = { seg: i, offset: scan.problem.offset, reason: scan.problem.reason, goodEnd: scan.goodEnd };
    }
  }

  // --- repair the tail ---------------------------------------------------------------------
  let keep = segments.length; // segments from this index on are removed
  if (tail !== undefined) {
    const seg = segments[tail.seg]!;
    if (tail.goodEnd === 0) {
      keep = tail.seg;
    } else {
      await truncateAndSync(seg.path, tail.goodEnd);
      repaired(`txn log ${seg.path}: ${tail.reason} at offset ${tail.offset}; truncated to ${tail.goodEnd} bytes`);
      keep = tail.seg + 1;
    }
  }
  // Trailing segments without entries go too (torn creation, or everything after the cut), so
  // that the next segment can be created under its own name.
  while (keep > 0 && counts[keep - 1] === 0) keep--;
  for (let i = segments.length - 1; i >= keep; i--) {
    const f = segments[i]!;
    await rm(f.path, { force: true });
    repaired(`txn log ${f.path}: no complete entries at the tail of the log; removed`);
  }
  if (repairs.length > 0) await fsyncDir(logDir);

  const log = await TxnLog.open(dataLogDir, lastZxid, {
    logger,
    strictZxidContinuity: strict,
    ...opts.txnLog,
  });
  logger.info(
    `recovered ${txns.length} txn(s) after ${snapshot ? `snapshot ${hex(snapZxid)}` : 'no snapshot'}; ` +
      `last zxid ${hex(lastZxid)}`,
  );
  const result: RecoveryResult = { txns, lastZxid, log, snapshots, repairs };
  if (snapshot) result.snapshot = snapshot;
  return result;
}

/**
 * A whole file in one thread-pool read (fs.promises.readFile reads 512 KB pieces, and each piece
 * would wait for this thread, busy with the snapshot).
 */
function readWholeFile(path: string): Promise<Buffer> {
  let fd: number;
  let size: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
  try {
    size = fstatSync(fd).size;
  } catch (e) {
    closeSync(fd);
    return Promise.reject(e instanceof Error ? e : new Error(String(e)));
  }
  const buf = Buffer.allocUnsafe(size);
  return new Promise((resolve, reject) => {
    const readFrom = (offset: number): void => {
      if (offset >= size) {
        closeSync(fd);
        resolve(buf);
        return;
      }
      read(fd, buf, offset, size - offset, offset, (err, n) => {
        if (err !== null) {
          closeSync(fd);
          reject(err);
        } else if (n === 0) {
          closeSync(fd);
          resolve(buf.subarray(0, offset));
        } else {
          readFrom(offset + n);
        }
      });
    };
    readFrom(0);
  });
}
