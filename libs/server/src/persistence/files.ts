import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** ZooKeeper keeps its files in a `version-2` subdirectory of dataDir and dataLogDir. */
export const VERSION_DIR = 'version-2';
export const LOG_PREFIX = 'log';
export const SNAPSHOT_PREFIX = 'snapshot';

/** "ZKLG" as a big-endian int. */
export const TXNLOG_MAGIC = 0x5a4b4c47;
/** "ZKSN" as a big-endian int. */
export const SNAP_MAGIC = 0x5a4b534e;
export const FILE_FORMAT_VERSION = 2;
/** FileHeader{int magic, int version, long dbid}. */
export const FILE_HEADER_SIZE = 16;
/** End-of-record marker after each log entry. */
export const EOR = 0x42; // 'B'

export interface PersistenceLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const consoleLogger: PersistenceLogger = {
  info: (m) => console.info(`[persistence] ${m}`),
  warn: (m) => console.warn(`[persistence] ${m}`),
  error: (m) => console.error(`[persistence] ${m}`),
};

export const silentLogger: PersistenceLogger = { info() {}, warn() {}, error() {} };

export function versionDir(baseDir: string): string {
  return join(baseDir, VERSION_DIR);
}

/** `log.<hex>` / `snapshot.<hex>` exactly like ZooKeeper's Util.makeLogName (lowercase, no padding). */
export function makeFileName(prefix: string, zxid: number): string {
  return `${prefix}.${zxid.toString(16)}`;
}

/**
 * ZooKeeper's Util.getZxidFromName: the part after the first '.' parsed as hex, or -1 when the name
 * does not match. Extra '.'-separated parts (e.g. snapshot.1a.snappy) are ignored, as in ZooKeeper.
 */
export function zxidFromName(name: string, prefix: string): number {
  const parts = name.split('.');
  if (parts.length < 2 || parts[0] !== prefix || !/^[0-9a-fA-F]{1,16}$/.test(parts[1]!)) return -1;
  const v = Number.parseInt(parts[1]!, 16);
  return Number.isSafeInteger(v) ? v : -1;
}

export interface ZxidFile {
  name: string;
  path: string;
  zxid: number;
}

/** Files `<prefix>.<hex>` in `dir`, sorted by zxid (ascending unless told otherwise). */
export async function listZxidFiles(dir: string, prefix: string, ascending = true): Promise<ZxidFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: ZxidFile[] = [];
  for (const name of names) {
    const zxid = zxidFromName(name, prefix);
    if (zxid >= 0) out.push({ name, path: join(dir, name), zxid });
  }
  out.sort((x, y) => (ascending ? x.zxid - y.zxid : y.zxid - x.zxid));
  return out;
}

/** fsync a directory so that creates, renames and unlinks inside it are durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } catch (e) {
    // Some platforms/filesystems refuse fsync on a directory; nothing more can be done there.
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EBADF' && code !== 'EPERM') throw e;
  } finally {
    await fh.close();
  }
}

/** Writes a FileHeader{magic, version 2, dbid} into `buf` at `offset`. */
export function writeFileHeader(buf: Buffer, offset: number, magic: number, dbId: bigint): void {
  buf.writeInt32BE(magic | 0, offset);
  buf.writeInt32BE(FILE_FORMAT_VERSION, offset + 4);
  buf.writeBigInt64BE(dbId, offset + 8);
}

/**
 * The zxid of a txn payload: TxnHeader{long clientId, int cxid, long zxid, ...} puts it at bytes
 * 12..20 (big-endian). Exact while zxid < 2^53.
 */
export function payloadZxid(payload: Uint8Array, offset = 0): number {
  const p = offset + 12;
  const hi = ((payload[p]! << 24) | (payload[p + 1]! << 16) | (payload[p + 2]! << 8) | payload[p + 3]!) >>> 0;
  const lo = ((payload[p + 4]! << 24) | (payload[p + 5]! << 16) | (payload[p + 6]! << 8) | payload[p + 7]!) >>> 0;
  return hi * 0x1_0000_0000 + lo;
}

/** Epoch (high 32 bits) of a zxid. */
export function zxidEpoch(zxid: number): number {
  return Math.floor(zxid / 0x1_0000_0000);
}

/**
 * Whether `next` may directly follow `prev` in the log: strictly greater and, inside one epoch,
 * exactly one more (ZooKeeper proposals are contiguous within an epoch). Across an epoch change
 * any larger zxid is accepted.
 */
export function isValidSuccessor(prev: number, next: number, strict: boolean): boolean {
  if (next <= prev) return false;
  if (!strict) return true;
  return zxidEpoch(prev) !== zxidEpoch(next) || next === prev + 1;
}

export function hex(zxid: number): string {
  return `0x${zxid.toString(16)}`;
}
