import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from './files.js';
import { dataDirSizes, purge } from './purge.js';
import { recover } from './recovery.js';
import { SnapshotStore } from './snapshot-store.js';
import { TxnLog } from './txn-log.js';

function payload(zxid: number): Buffer {
  const b = Buffer.alloc(40);
  b.writeUInt32BE(Math.floor(zxid / 0x1_0000_0000), 12);
  b.writeUInt32BE(zxid >>> 0, 16);
  b.fill(zxid & 0xff, 32);
  return b;
}

let root: string;
let data: string;
let logs: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'paddock-purge-'));
  data = join(root, 'data');
  logs = join(root, 'logs');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Server-like run: snapshot every 10 txns, rolling the log first; snapshots are fuzzy (zxid-2). */
async function run(upTo: number): Promise<void> {
  const log = await TxnLog.open(logs, 0, { preAllocSize: 4096, logger: silentLogger });
  const snaps = new SnapshotStore(data, { logger: silentLogger });
  for (let z = 1; z <= upTo; z++) {
    log.append(z, payload(z));
    if (z % 10 === 0) {
      await log.flush();
      log.roll();
      await snaps.write(z - 2, [Buffer.from(`tree@${z - 2}`)]);
    }
  }
  await log.close();
}

const names = async (d: string): Promise<string[]> => (await readdir(join(d, 'version-2'))).sort();

describe('purge', () => {
  it('keeps the newest N snapshots and the logs needed to recover from the oldest kept one', async () => {
    await run(55);
    expect(await names(data)).toEqual(
      ['snapshot.8', 'snapshot.12', 'snapshot.1c', 'snapshot.26', 'snapshot.30'].sort(),
    );
    expect(await names(logs)).toEqual(['log.1', 'log.b', 'log.15', 'log.1f', 'log.29', 'log.33'].sort());
    const before = await recover(data, logs, { logger: silentLogger });
    await before.log.close();

    const res = await purge(data, logs, { snapRetainCount: 3, logger: silentLogger });
    expect(res.oldestRetainedZxid).toBe(0x1c);
    expect(await names(data)).toEqual(['snapshot.1c', 'snapshot.26', 'snapshot.30'].sort());
    // log.15 holds 0x15..0x1e, which covers txns after snapshot.1c: it must stay
    expect(await names(logs)).toEqual(['log.15', 'log.1f', 'log.29', 'log.33'].sort());

    const after = await recover(data, logs, { logger: silentLogger });
    expect(after.snapshot!.zxid).toBe(before.snapshot!.zxid);
    expect(after.txns.map((t) => t.toString('hex'))).toEqual(before.txns.map((t) => t.toString('hex')));
    await after.log.close();

    // the oldest retained snapshot is still recoverable on its own
    await rm(join(data, 'version-2', 'snapshot.30'));
    await rm(join(data, 'version-2', 'snapshot.26'));
    const oldest = await recover(data, logs, { logger: silentLogger });
    expect(oldest.snapshot!.zxid).toBe(0x1c);
    expect(oldest.txns.length).toBe(55 - 0x1c);
    await oldest.log.close();
  });

  it('never keeps fewer than 3, and does not count incomplete snapshots', async () => {
    await run(55);
    const { path } = { path: join(data, 'version-2', 'snapshot.30') };
    const { truncate } = await import('node:fs/promises');
    await truncate(path, 20);
    const res = await purge(data, logs, { snapRetainCount: 1, logger: silentLogger });
    expect(res.retainedSnapshots.map((p) => p.slice(p.lastIndexOf('/') + 1))).toEqual([
      'snapshot.26',
      'snapshot.1c',
      'snapshot.12',
    ]);
    expect(await names(data)).toEqual(['snapshot.12', 'snapshot.1c', 'snapshot.26', 'snapshot.30'].sort());
    expect(await names(logs)).toEqual(['log.b', 'log.15', 'log.1f', 'log.29', 'log.33'].sort());
  });

  it('dryRun deletes nothing; nothing to do without snapshots', async () => {
    await run(55);
    const res = await purge(data, logs, { dryRun: true, logger: silentLogger });
    expect(res.deleted.length).toBe(4);
    expect((await names(data)).length).toBe(5);
    expect((await purge(join(root, 'none'), join(root, 'none2'), { logger: silentLogger })).deleted).toEqual([]);
  });

  it('reports datadir/logdir sizes for the dirs 4lw', async () => {
    await run(25);
    const sizes = await dataDirSizes(data, logs);
    let snapBytes = 0;
    for (const n of await names(data)) snapBytes += (await stat(join(data, 'version-2', n))).size;
    expect(sizes.datadir_size).toBe(snapBytes);
    let logBytes = 0;
    for (const n of await names(logs)) logBytes += (await stat(join(logs, 'version-2', n))).size;
    expect(sizes.logdir_size).toBe(logBytes); // preallocated length, as ZooKeeper reports it
    expect(logBytes % 4096).toBe(0);
    expect(await dataDirSizes(join(root, 'x'), join(root, 'y'))).toEqual({ datadir_size: 0, logdir_size: 0 });
  });
});
