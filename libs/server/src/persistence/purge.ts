import { open, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LOG_PREFIX, SNAPSHOT_PREFIX, consoleLogger, listZxidFiles, versionDir, type PersistenceLogger } from './files.js';
import { selectLogFiles } from './recovery.js';

/** ZooKeeper refuses to keep fewer than 3 snapshots (autopurge.snapRetainCount). */
export const MIN_SNAP_RETAIN_COUNT = 3;

export interface PurgeOptions {
  /** autopurge.snapRetainCount; values below 3 are raised to 3. Default 3. */
  snapRetainCount?: number;
  logger?: PersistenceLogger;
  /** Report what would be deleted without deleting. */
  dryRun?: boolean;
}

export interface PurgeResult {
  /** zxid of the oldest snapshot kept (-1 when there was nothing to purge against). */
  oldestRetainedZxid: number;
  retainedSnapshots: string[];
  deleted: string[];
}

/** Cheap check (as FileSnap.findNValidSnapshots): the file ends in the "/" marker. */
async function hasSnapshotTail(path: string): Promise<boolean> {
  try {
    const fh = await open(path, 'r');
    try {
      const { size } = await fh.stat();
      if (size < 16 + 13) return false;
      const b = Buffer.alloc(5);
      await fh.read(b, 0, 5, size - 5);
      return b.readInt32BE(0) === 1 && b[4] === 0x2f;
    } finally {
      await fh.close();
    }
  } catch {
    return false;
  }
}

/**
 * Autopurge (PurgeTxnLog.purge): keeps the newest `snapRetainCount` snapshots that look complete
 * and the txn logs needed to replay from the oldest of them (the newest log starting at or before
 * it, and everything after); deletes older snapshots and logs. Incomplete snapshot files do not
 * count towards the retained number.
 */
export async function purge(dataDir: string, dataLogDir: string, opts: PurgeOptions = {}): Promise<PurgeResult> {
  const logger = opts.logger ?? consoleLogger;
  let n = Math.floor(opts.snapRetainCount ?? MIN_SNAP_RETAIN_COUNT);
  if (!(n >= MIN_SNAP_RETAIN_COUNT)) {
    logger.warn(`snapRetainCount ${String(opts.snapRetainCount)} is below ${MIN_SNAP_RETAIN_COUNT}; using ${MIN_SNAP_RETAIN_COUNT}`);
    n = MIN_SNAP_RETAIN_COUNT;
  }
  const snapDir = versionDir(dataDir);
  const logDir = versionDir(dataLogDir);
  const snaps = await listZxidFiles(snapDir, SNAPSHOT_PREFIX, false);
  const retained: string[] = [];
  let least = -1;
  for (const s of snaps) {
    if (retained.length === n) break;
    if (await hasSnapshotTail(s.path)) {
      retained.push(s.path);
      least = s.zxid;
    }
  }
  const result: PurgeResult = { oldestRetainedZxid: least, retainedSnapshots: retained, deleted: [] };
  if (least < 0) return result;

  const logs = await listZxidFiles(logDir, LOG_PREFIX);
  const neededLogs = new Set(selectLogFiles(logs, least).map((f) => f.path));
  const victims = [
    ...logs.filter((f) => f.zxid < least && !neededLogs.has(f.path)),
    ...snaps.filter((f) => f.zxid < least),
  ];
  for (const v of victims) {
    logger.info(`${opts.dryRun ? 'would remove' : 'removing'} ${v.path}`);
    if (!opts.dryRun) await rm(v.path, { force: true });
    result.deleted.push(v.path);
  }
  return result;
}

/** Total size in bytes of the regular files directly inside `dir` (0 if it does not exist). */
export async function dirSize(dir: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw e;
  }
  let total = 0;
  for (const name of names) {
    try {
      const st = await stat(join(dir, name));
      if (st.isFile()) total += st.size;
    } catch {
      // raced with a purge or a rename
    }
  }
  return total;
}

/**
 * Sizes for the `dirs` four-letter word: bytes of the files in `<dataDir>/version-2` (snapshots)
 * and `<dataLogDir>/version-2` (txn logs, counted at their preallocated length as ZooKeeper does).
 */
export async function dataDirSizes(
  dataDir: string,
  dataLogDir: string,
): Promise<{ datadir_size: number; logdir_size: number }> {
  const [datadir_size, logdir_size] = await Promise.all([dirSize(versionDir(dataDir)), dirSize(versionDir(dataLogDir))]);
  return { datadir_size, logdir_size };
}
