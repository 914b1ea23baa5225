import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir } from './files.js';

/** ZooKeeper's epoch file names; ZooKeeper keeps them in `<dataDir>/version-2`. */
export const CURRENT_EPOCH_FILE = 'currentEpoch';
export const ACCEPTED_EPOCH_FILE = 'acceptedEpoch';

/**
 * Atomically replaces `<dir>/<name>` with `data`: write `<name>.tmp`, fsync, rename, fsync the
 * directory (like ZooKeeper's AtomicFileOutputStream, plus the directory fsync).
 */
export async function writeFileAtomic(dir: string, name: string, data: string | Uint8Array): Promise<void> {
  const path = join(dir, name);
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  await fsyncDir(dir);
}

/** Writes an epoch as decimal text (ZooKeeper's format), durably and atomically. */
export async function writeEpochFile(dir: string, name: string, epoch: number): Promise<void> {
  if (!Number.isSafeInteger(epoch) || epoch < 0) throw new RangeError(`bad epoch ${epoch}`);
  await writeFileAtomic(dir, name, String(epoch));
}

/**
 * Reads an epoch file. Returns undefined when the file does not exist (ZooKeeper then derives the
 * epoch from the last zxid and writes the file); throws on unparsable content.
 */
export async function readEpochFile(dir: string, name: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, name), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const line = text.split('\n', 1)[0]!.trim();
  if (!/^\d+$/.test(line)) throw new Error(`unparsable epoch file ${join(dir, name)}: ${JSON.stringify(text)}`);
  const v = Number(line);
  if (!Number.isSafeInteger(v)) throw new Error(`epoch out of range in ${join(dir, name)}: ${line}`);
  return v;
}
