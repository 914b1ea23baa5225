import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CorruptLogError, CorruptSnapshotError } from './errors.js';
import { silentLogger } from './files.js';
import { recover, selectLogFiles } from './recovery.js';
import { SnapshotStore } from './snapshot-store.js';
import { TxnLog } from './txn-log.js';

const EPOCH = 0x1_0000_0000;

function payload(zxid: number, size = 48): Buffer {
  const b = Buffer.alloc(Math.max(size, 32));
  b.writeBigInt64BE(0x1234n, 0);
  b.writeInt32BE(7, 8);
  b.writeUInt32BE(Math.floor(zxid / EPOCH), 12);
  b.writeUInt32BE(zxid >>> 0, 16);
  b.writeBigInt64BE(1_700_000_000_000n, 20);
  b.writeInt32BE(1, 28);
  for (let i = 32; i < b.length; i++) b[i] = (zxid * 131 + i * 7) & 0xff;
  return b;
}

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'paddock-recovery-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Writes zxids from..to (epoch 0) with a roll before each zxid in `rollAt`. */
async function writeLog(
  dir: string,
  from: number,
  to: number,
  opts: { rollAt?: number[]; preAllocSize?: number; size?: (z: number) => number } = {},
): Promise<Buffer[]> {
  const log = await TxnLog.open(dir, from - 1, { preAllocSize: opts.preAllocSize ?? 0, logger: silentLogger });
  const out: Buffer[] = [];
  for (let z = from; z <= to; z++) {
    if (opts.rollAt?.includes(z)) log.roll();
    const p = payload(z, opts.size?.(z) ?? 48);
    out.push(p);
    log.append(z, p);
  }
  await log.close();
  return out;
}

/** Offsets of the entries in a segment file. */
function entryOffsets(f: Buffer): number[] {
  const out: number[] = [];
  let p = 16;
  while (p + 12 <= f.length) {
    const len = f.readInt32BE(p + 8);
    if (len <= 0) break;
    out.push(p);
    p += 13 + len;
  }
  return out;
}

const hexes = (bs: Buffer[]): string[] => bs.map((b) => b.toString('hex'));

describe('recover: clean state', () => {
  it('starts empty on empty directories', async () => {
    const r = await recover(join(root, 'data'), join(root, 'logs'), { logger: silentLogger });
    expect(r.snapshot).toBeUndefined();
    expect(r.txns).toEqual([]);
    expect(r.lastZxid).toBe(0);
    r.log.append(1, payload(1));
    await r.log.close();
    expect(await readdir(join(root, 'logs', 'version-2'))).toEqual(['log.1']);
  });

  it('replays only txns above the (fuzzy) snapshot zxid, choosing log files like getLogFiles', async () => {
    const all = await writeLog(root, 1, 100, { rollAt: [30, 60, 90] });
    const snaps = new SnapshotStore(root, { logger: silentLogger });
    await snaps.write(45, [Buffer.from('tree@45')]);
    const r = await recover(root, root, { logger: silentLogger });
    expect(r.snapshot!.zxid).toBe(45);
    expect(r.snapshot!.body.toString()).toBe('tree@45');
    expect(hexes(r.txns)).toEqual(hexes(all.slice(45)));
    expect(r.lastZxid).toBe(100);
    await r.log.close();

    const files = [1, 0x1e, 0x3c, 0x5a].map((zxid) => ({ name: `log.${zxid.toString(16)}`, path: '', zxid }));
    expect(selectLogFiles(files, 45).map((f) => f.zxid)).toEqual([0x1e, 0x3c, 0x5a]);
    expect(selectLogFiles(files, 0x3c).map((f) => f.zxid)).toEqual([0x3c, 0x5a]);
    expect(selectLogFiles(files, 0).map((f) => f.zxid)).toEqual([1, 0x1e, 0x3c, 0x5a]);
  });

  it('uses the snapshot zxid when the log ends before it', async () => {
    await writeLog(root, 1, 10);
    await new SnapshotStore(root, { logger: silentLogger }).write(2 * EPOCH + 7, [Buffer.from('x')]);
    const r = await recover(root, root, { logger: silentLogger });
    expect(r.txns).toEqual([]);
    expect(r.lastZxid).toBe(2 * EPOCH + 7);
    r.log.append(2 * EPOCH + 8, payload(2 * EPOCH + 8));
    await r.log.close();
  });

  it('accepts a log that jumps over a snapshot (SNAP sync) and keeps recovering after it', async () => {
    await writeLog(root, 1, 50);
    await new SnapshotStore(root, { logger: silentLogger }).write(100, [Buffer.from('tree@100')]);
    const r = await recover(root, root, { logger: silentLogger });
    expect(r.lastZxid).toBe(100);
    const more = [101, 102, 103].map((z) => payload(z));
    more.forEach((p, i) => r.log.append(101 + i, p));
    await r.log.close();
    const r2 = await recover(root, root, { logger: silentLogger });
    expect(r2.snapshot!.zxid).toBe(100);
    expect(hexes(r2.txns)).toEqual(hexes(more));
    await r2.log.close();
  });
});

describe('recover: torn tail', () => {
  for (const fill of ['eof', 'zeros', 'ff'] as const) {
    it(`truncates a torn last entry cut at every byte offset (${fill} after the cut)`, async () => {
      const src = join(root, 'src');
      const all = await writeLog(src, 1, 6, { size: (z) => 32 + z * 5 });
      const name = 'log.1';
      const full = await readFile(join(src, 'version-2', name));
      const offs = entryOffsets(full);
      const lastStart = offs[offs.length - 1]!;
      expect(full.length).toBe(lastStart + 13 + all[5]!.length);
      for (let cut = lastStart; cut <= full.length; cut++) {
        const d = join(root, `case-${cut}`);
        await mkdir(join(d, 'version-2'), { recursive: true });
        let bytes = full.subarray(0, cut);
        if (fill !== 'eof' && cut < full.length) {
          bytes = Buffer.concat([bytes, Buffer.alloc(4096, fill === 'zeros' ? 0 : 0xff)]);
        }
        await writeFile(join(d, 'version-2', name), bytes);
        const r = await recover(d, d, { logger: silentLogger, txnLog: { forceSync: false, preAllocSize: 4096 } });
        const expected = cut === full.length ? all : all.slice(0, 5);
        expect(hexes(r.txns)).toEqual(hexes(expected));
        expect(r.lastZxid).toBe(expected.length);
        const after = await readFile(join(d, 'version-2', name));
        if (cut === full.length) {
          expect(after.equals(full)).toBe(true);
        } else {
          // physically cut back to the last good entry (or only zero fill, which reads as the end)
          expect(after.subarray(0, lastStart).equals(full.subarray(0, lastStart))).toBe(true);
          expect(after.subarray(lastStart).every((x) => x === 0)).toBe(true);
          if (r.repairs.length > 0) expect(after.length).toBe(lastStart);
        }
        // appending continues cleanly and survives the next recovery
        const next = payload(expected.length + 1);
        r.log.append(expected.length + 1, next);
        await r.log.close();
        const r2 = await recover(d, d, { logger: silentLogger, txnLog: { forceSync: false, preAllocSize: 4096 } });
        expect(hexes(r2.txns)).toEqual(hexes([...expected, next]));
        expect(r2.repairs).toEqual([]);
        await r2.log.close();
        await rm(d, { recursive: true, force: true });
      }
    }, 60_000);
  }

  it('does not read preallocated zeros as entries and leaves a clean preallocated log alone', async () => {
    const all = await writeLog(root, 1, 50, { preAllocSize: 64 * 1024 });
    const path = join(root, 'version-2', 'log.1');
    expect((await stat(path)).size).toBe(64 * 1024);
    const r = await recover(root, root, { logger: silentLogger });
    expect(hexes(r.txns)).toEqual(hexes(all));
    expect(r.repairs).toEqual([]);
    await r.log.close();
  });

  it('cuts a torn entry inside a preallocated file back to the last good entry', async () => {
    const all = await writeLog(root, 1, 20, { preAllocSize: 64 * 1024 });
    const path = join(root, 'version-2', 'log.1');
    const f = await readFile(path);
    const offs = entryOffsets(f);
    const last = offs[offs.length - 1]!;
    f.fill(0, last + 20, last + 13 + 48); // second half of the last entry never hit the disk
    await writeFile(path, f);
    const r = await recover(root, root, { logger: silentLogger });
    expect(hexes(r.txns)).toEqual(hexes(all.slice(0, 19)));
    expect(r.repairs.length).toBe(1);
    expect((await stat(path)).size).toBe(last);
    await r.log.close();
  });

  it('removes a last segment whose header never reached the disk, then reuses its name', async () => {
    const all = await writeLog(root, 1, 10);
    await writeFile(join(root, 'version-2', 'log.b'), Buffer.alloc(8192)); // created, prealloc'd, nothing written
    await writeFile(join(root, 'version-2', 'log.c'), Buffer.alloc(7)); // and a torn tiny one
    const r = await recover(root, root, { logger: silentLogger });
    expect(hexes(r.txns)).toEqual(hexes(all));
    expect((await readdir(join(root, 'version-2'))).sort()).toEqual(['log.1']);
    r.log.append(11, payload(11));
    await r.log.close();
    expect((await readdir(join(root, 'version-2'))).sort()).toEqual(['log.1', 'log.b']);
  });

  it('removes a last segment holding only a torn first entry', async () => {
    const all = await writeLog(root, 1, 10, { rollAt: [10] });
    const p = join(root, 'version-2', 'log.a');
    const f = await readFile(p);
    await writeFile(p, f.subarray(0, f.length - 3));
    const r = await recover(root, root, { logger: silentLogger });
    expect(hexes(r.txns)).toEqual(hexes(all.slice(0, 9)));
    expect(await readdir(join(root, 'version-2'))).toEqual(['log.1']);
    r.log.append(10, payload(10));
    await r.log.close();
  });
});

describe('recover: corruption refuses to start', () => {
  it('throws CorruptLogError naming file and offset for a flipped byte anywhere in a middle entry', async () => {
    const src = join(root, 'src');
    await writeLog(src, 1, 10, { preAllocSize: 8192 });
    const full = await readFile(join(src, 'version-2', 'log.1'));
    const offs = entryOffsets(full);
    const k = 4;
    const start = offs[k]!;
    const end = offs[k + 1]!;
    for (let i = start; i < end; i++) {
      const d = join(root, `flip-${i}`);
      await mkdir(join(d, 'version-2'), { recursive: true });
      const bad = Buffer.from(full);
      bad[i] = bad[i]! ^ 0x5a;
      const file = join(d, 'version-2', 'log.1');
      await writeFile(file, bad);
      const err = await recover(d, d, { logger: silentLogger }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(CorruptLogError);
      expect((err as CorruptLogError).file).toBe(file);
      expect((err as CorruptLogError).offset).toBe(start);
      expect((err as CorruptLogError).message).toContain(file);
      // nothing was "repaired"
      expect((await readFile(file)).equals(bad)).toBe(true);
      await rm(d, { recursive: true, force: true });
    }
  }, 60_000);

  it('throws when the damaged entry ends a segment that is followed by a segment with entries', async () => {
    await writeLog(root, 1, 20, { rollAt: [11] });
    const p = join(root, 'version-2', 'log.1');
    const f = await readFile(p);
    f[f.length - 5] = f[f.length - 5]! ^ 1;
    await writeFile(p, f);
    await expect(recover(root, root, { logger: silentLogger })).rejects.toThrow(CorruptLogError);
  });

  it('throws on a gap between segments', async () => {
    await writeLog(root, 1, 30, { rollAt: [11, 21] });
    await rm(join(root, 'version-2', 'log.b'));
    await expect(recover(root, root, { logger: silentLogger })).rejects.toThrow(/gap/);
  });

  it('throws on a gap between the snapshot and the log', async () => {
    await writeLog(root, 1, 30, { rollAt: [11, 21] });
    await new SnapshotStore(root, { logger: silentLogger }).write(5, [Buffer.from('s')]);
    await rm(join(root, 'version-2', 'log.1'));
    await expect(recover(root, root, { logger: silentLogger })).rejects.toThrow(CorruptLogError);
  });

  it('throws on a log that starts mid-epoch with no snapshot', async () => {
    await writeLog(root, 1, 30, { rollAt: [11] });
    await rm(join(root, 'version-2', 'log.1'));
    await expect(recover(root, root, { logger: silentLogger })).rejects.toThrow(/no snapshot/);
  });

  it('throws on a bad file header', async () => {
    await writeLog(root, 1, 5);
    const p = join(root, 'version-2', 'log.1');
    const f = await readFile(p);
    f[0] = 0x41;
    await writeFile(p, f);
    await expect(recover(root, root, { logger: silentLogger })).rejects.toThrow(/header/);
  });

  it('truncateCorruptLog: the operator can cut at the damage instead', async () => {
    const all = await writeLog(root, 1, 10);
    const p = join(root, 'version-2', 'log.1');
    const f = await readFile(p);
    const offs = entryOffsets(f);
    f[offs[6]! + 20] = f[offs[6]! + 20]! ^ 0xff;
    await writeFile(p, f);
    const r = await recover(root, root, { logger: silentLogger, truncateCorruptLog: true });
    expect(hexes(r.txns)).toEqual(hexes(all.slice(0, 6)));
    await r.log.close();
  });
});

describe('recover: snapshots', () => {
  it('falls back to the previous snapshot when the newest fails its checksum', async () => {
    const all = await writeLog(root, 1, 60, { rollAt: [21, 41] });
    const snaps = new SnapshotStore(root, { logger: silentLogger });
    await snaps.write(20, [Buffer.from('tree@20')]);
    const { path } = await snaps.write(40, [Buffer.from('tree@40')]);
    const f = await readFile(path);
    f[18] = f[18]! ^ 1;
    await writeFile(path, f);
    const r = await recover(root, root, { logger: silentLogger });
    expect(r.snapshot!.zxid).toBe(20);
    expect(r.snapshot!.body.toString()).toBe('tree@20');
    expect(hexes(r.txns)).toEqual(hexes(all.slice(20)));
    await r.log.close();
  });

  it('refuses when snapshot files exist but none is valid', async () => {
    await writeLog(root, 1, 10);
    const { path } = await new SnapshotStore(root, { logger: silentLogger }).write(5, [Buffer.from('t')]);
    await writeFile(path, (await readFile(path)).subarray(0, 20));
    await expect(recover(root, root, { logger: silentLogger })).rejects.toThrow(CorruptSnapshotError);
    const r = await recover(root, root, { logger: silentLogger, ignoreInvalidSnapshots: true });
    expect(r.txns.length).toBe(10);
    await r.log.close();
  });

  it('keeps dataDir and dataLogDir separate', async () => {
    const data = join(root, 'data');
    const logs = join(root, 'logs');
    const all = await writeLog(logs, 1, 10);
    await new SnapshotStore(data, { logger: silentLogger }).write(4, [Buffer.from('t')]);
    await cp(join(logs, 'version-2'), join(root, 'backup'), { recursive: true });
    const r = await recover(data, logs, { logger: silentLogger });
    expect(r.snapshot!.zxid).toBe(4);
    expect(hexes(r.txns)).toEqual(hexes(all.slice(4)));
    await r.log.close();
  });
});
