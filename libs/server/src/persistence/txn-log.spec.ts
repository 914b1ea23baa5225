import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adler32 } from './adler32.js';
import { silentLogger, type PersistenceLogger } from './files.js';
import { recover } from './recovery.js';
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
  for (let i = 32; i < b.length; i++) b[i] = (zxid * 31 + i) & 0xff;
  return b;
}

function collectingLogger(): PersistenceLogger & { warnings: string[] } {
  const warnings: string[] = [];
  return { info() {}, warn: (m) => void warnings.push(m), error: (m) => void warnings.push(m), warnings };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'paddock-txnlog-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const logDir = (): string => join(dir, 'version-2');

describe('TxnLog format', () => {
  it('writes ZooKeeper FileHeader and entries {long adler32, int len, payload, B}', async () => {
    const log = await TxnLog.open(dir, 0, { preAllocSize: 0, logger: silentLogger, autoFlush: false });
    const p = payload(1, 40);
    log.append(1, p);
    await log.flush();
    await log.close();
    expect(await readdir(logDir())).toEqual(['log.1']);
    const f = await readFile(join(logDir(), 'log.1'));
    expect(f.subarray(0, 4).toString('latin1')).toBe('ZKLG');
    expect(f.readInt32BE(4)).toBe(2);
    expect(f.readBigInt64BE(8)).toBe(0n);
    expect(f.readBigUInt64BE(16)).toBe(BigInt(adler32(p)));
    expect(f.readInt32BE(24)).toBe(40);
    expect(f.subarray(28, 68).equals(p)).toBe(true);
    expect(f[68]).toBe(0x42);
    expect(f.length).toBe(69);
  });

  it('names segments log.<hex first zxid> and preallocates in preAllocSize steps with zeros', async () => {
    const log = await TxnLog.open(dir, 0xabc, { preAllocSize: 8192, logger: silentLogger });
    log.append(0xabd, payload(0xabd));
    await log.flush();
    const path = join(logDir(), 'log.abd');
    expect(log.currentSegment).toBe(path);
    expect((await stat(path)).size).toBe(8192);
    // push past the 4 KB margin: the file grows by another step
    for (let z = 0xabe; z < 0xabe + 100; z++) log.append(z, payload(z));
    await log.flush();
    expect((await stat(path)).size).toBe(16384);
    await log.close();
    const f = await readFile(path);
    const used = 16 + 101 * (13 + 48);
    expect(f.subarray(used).every((x) => x === 0)).toBe(true);
  });

  it('writes real zeros just past the entries, so the next durable writes do not land in holes of the preallocation', async () => {
    const log = await TxnLog.open(dir, 0, { logger: silentLogger });
    for (let z = 1; z <= 10; z++) log.append(z, payload(z));
    await log.flush();
    await log.close();
    const path = join(logDir(), 'log.1');
    const st = await stat(path);
    expect(st.size).toBe(64 * 1024 * 1024);
    // a sparse file would have one block: the write carried a chunk of zeros past its entries
    expect(st.blocks * 512).toBeGreaterThanOrEqual(64 * 1024);
    expect(st.blocks * 512).toBeLessThan(1024 * 1024);
    const used = 16 + 10 * (13 + 48);
    expect((await readFile(path)).subarray(used).every((x) => x === 0)).toBe(true);

    // without forceSync nothing is zero-filled (there is no durable write to speed up)
    const unsynced = await TxnLog.open(join(dir, 'unsynced'), 0, { logger: silentLogger, forceSync: false });
    for (let z = 1; z <= 10; z++) unsynced.append(z, payload(z));
    await unsynced.close();
    expect((await stat(join(dir, 'unsynced', 'version-2', 'log.1'))).blocks * 512).toBeLessThan(64 * 1024);
  });

  it('entries written over and past zero-filled regions read back intact', async () => {
    const all: Buffer[] = [];
    for (const blockingWrites of [true, false]) {
      const log = await TxnLog.open(join(dir, String(blockingWrites)), 0, { logger: silentLogger, blockingWrites });
      // batches of assorted sizes: some end inside the zeroed region, some past it
      for (let z = 1; z <= 120; z++) {
        const p = payload(z, 32 + ((z * 7919) % 40_000));
        if (blockingWrites) all.push(p);
        log.append(z, p);
        if (z % 3 === 0) await log.flush();
      }
      await log.close();
      const r = await recover(join(dir, String(blockingWrites)), join(dir, String(blockingWrites)), { logger: silentLogger });
      expect(r.repairs).toEqual([]);
      expect(r.txns.length).toBe(all.length);
      r.txns.forEach((t, i) => expect(t.equals(all[i]!)).toBe(true));
      await r.log.close();
    }
  });

  it('rejects zxids that do not follow (backwards, or a gap inside an epoch) but accepts a new epoch', async () => {
    const log = await TxnLog.open(dir, 5, { logger: silentLogger, autoFlush: false });
    expect(() => log.append(5, payload(5))).toThrow(RangeError);
    expect(() => log.append(7, payload(7))).toThrow(RangeError);
    log.append(6, payload(6));
    log.append(2 * EPOCH + 1, payload(2 * EPOCH + 1));
    expect(() => log.append(2 * EPOCH + 3, payload(2 * EPOCH + 3))).toThrow(RangeError);
    expect(log.lastZxid).toBe(2 * EPOCH + 1);
    await log.close();
  });
});

describe('TxnLog round trip', () => {
  it('reads back many entries across several segments, including after reopening', async () => {
    const log = await TxnLog.open(dir, 0, { preAllocSize: 16 * 1024, logger: silentLogger });
    const all: Buffer[] = [];
    let z = 0;
    for (let seg = 0; seg < 5; seg++) {
      for (let i = 0; i < 300; i++) {
        z++;
        const p = payload(z, 32 + ((z * 7) % 200));
        all.push(p);
        log.append(z, p);
        if (i % 37 === 0) await log.flush();
      }
      log.roll();
    }
    // an epoch change in the last segment
    for (let c = 1; c <= 10; c++) {
      const zz = 3 * EPOCH + c;
      const p = payload(zz);
      all.push(p);
      log.append(zz, p);
    }
    await log.close();
    expect((await readdir(logDir())).sort()).toEqual(
      ['log.1', 'log.12d', 'log.259', 'log.385', 'log.4b1', `log.${(3 * EPOCH + 1).toString(16)}`].sort(),
    );

    const r = await recover(dir, dir, { logger: silentLogger, txnLog: { preAllocSize: 16 * 1024 } });
    expect(r.snapshot).toBeUndefined();
    expect(r.repairs).toEqual([]);
    expect(r.txns.length).toBe(all.length);
    r.txns.forEach((t, i) => expect(t.equals(all[i]!)).toBe(true));
    expect(r.lastZxid).toBe(3 * EPOCH + 10);

    // keep appending through the recovered log; a second recovery sees everything
    for (let c = 11; c <= 20; c++) {
      const p = payload(3 * EPOCH + c);
      all.push(p);
      r.log.append(3 * EPOCH + c, p);
    }
    await r.log.close();
    const r2 = await recover(dir, dir, { logger: silentLogger });
    expect(r2.txns.map((t) => t.toString('hex'))).toEqual(all.map((t) => t.toString('hex')));
    await r2.log.close();
  });

  it('truncate(zxid) drops later entries and segments, and appending resumes after zxid', async () => {
    const log = await TxnLog.open(dir, 0, { preAllocSize: 4096, logger: silentLogger });
    for (let z = 1; z <= 30; z++) {
      log.append(z, payload(z));
      if (z % 10 === 0) log.roll();
    }
    await log.flush();
    await log.truncate(15);
    expect((await readdir(logDir())).sort()).toEqual(['log.1', 'log.b']);
    log.append(16, payload(16, 99));
    await log.close();
    const r = await recover(dir, dir, { logger: silentLogger });
    expect(r.txns.length).toBe(16);
    expect(r.txns[15]!.length).toBe(99);
    await r.log.close();
  });
});

describe('TxnLog group commit', () => {
  it('writes many appends with one fdatasync', async () => {
    const log = await TxnLog.open(dir, 0, { logger: silentLogger, autoFlush: false, preAllocSize: 1 << 20 });
    for (let z = 1; z <= 5000; z++) log.append(z, payload(z));
    await log.flush();
    const s = log.fsyncStats();
    expect(s.count).toBe(1);
    expect(s.batches).toBe(1);
    expect(s.entries).toBe(5000);
    expect(log.durableZxid).toBe(5000);
    await log.close();
  });

  it('a roll between buffered appends splits one batch over two segments', async () => {
    const log = await TxnLog.open(dir, 0, { logger: silentLogger, autoFlush: false, preAllocSize: 4096 });
    for (let z = 1; z <= 10; z++) {
      if (z === 6) log.roll();
      log.append(z, payload(z));
    }
    log.roll();
    log.roll(); // no entries since the last roll: no empty segment
    await log.flush();
    expect((await readdir(logDir())).sort()).toEqual(['log.1', 'log.6']);
    expect(log.fsyncStats().count).toBe(2);
    expect(log.fsyncStats().batches).toBe(1);
    log.resetFsyncStats();
    expect(log.fsyncStats().count).toBe(0);
    log.append(11, payload(11));
    await log.close();
    expect((await readdir(logDir())).sort()).toEqual(['log.1', 'log.6', 'log.b']);
  });

  it('appends during an in-flight fsync go into the next batch', async () => {
    const log = await TxnLog.open(dir, 0, { logger: silentLogger, autoFlush: false, preAllocSize: 1 << 20 });
    const durable: number[] = [];
    log.onDurable((z) => durable.push(z));
    log.append(1, payload(1));
    const first = log.flush();
    for (let z = 2; z <= 101; z++) log.append(z, payload(z));
    const second = log.flush();
    const third = log.flush(); // same batch as second
    expect(log.durableZxid).toBe(0);
    await first;
    expect(log.durableZxid).toBeGreaterThanOrEqual(1);
    await Promise.all([second, third]);
    expect(log.durableZxid).toBe(101);
    expect(durable).toEqual([1, 101]);
    expect(log.fsyncStats().count).toBe(2);
    await log.flush(); // nothing pending: no fsync
    expect(log.fsyncStats().count).toBe(2);
    await log.close();
  });

  it('autoFlush batches a concurrent load into few fsyncs and reports durability in order', async () => {
    const log = await TxnLog.open(dir, 0, { logger: silentLogger, preAllocSize: 1 << 20 });
    const durable: number[] = [];
    log.onDurable((z) => durable.push(z));
    const N = 4000;
    let z = 0;
    // 40 "connections" each submitting 100 txns, one per event-loop turn, waiting for durability
    const released: number[] = [];
    const waiters = new Map<number, () => void>();
    log.onDurable((upTo) => {
      for (const [k, w] of waiters) {
        if (k <= upTo) {
          waiters.delete(k);
          w();
        }
      }
    });
    const client = async (): Promise<void> => {
      for (let i = 0; i < 100; i++) {
        const mine = ++z;
        log.append(mine, payload(mine));
        await new Promise<void>((res) => waiters.set(mine, res));
        released.push(mine);
      }
    };
    await Promise.all(Array.from({ length: 40 }, client));
    expect(released.length).toBe(N);
    expect(log.durableZxid).toBe(N);
    const s = log.fsyncStats();
    expect(s.entries).toBe(N);
    expect(s.count).toBeLessThanOrEqual(N / 10);
    for (let i = 1; i < durable.length; i++) expect(durable[i]!).toBeGreaterThan(durable[i - 1]!);
    expect(s.avgMs).toBeGreaterThanOrEqual(0);
    expect(s.maxMs).toBeGreaterThanOrEqual(s.lastMs);
    await log.close();
  });

  it('warns when an fsync exceeds fsyncWarningThresholdMs, and forceSync=false skips fsync', async () => {
    const logger = collectingLogger();
    const log = await TxnLog.open(dir, 0, { logger, fsyncWarningThresholdMs: -1 });
    log.append(1, payload(1));
    await log.flush();
    expect(log.fsyncStats().thresholdExceeded).toBe(1);
    expect(logger.warnings.some((w) => w.includes('fsync-ing the write ahead log'))).toBe(true);
    await log.close();

    const nosync = await TxnLog.open(join(dir, 'b'), 0, { logger: silentLogger, forceSync: false });
    nosync.append(1, payload(1));
    await nosync.flush();
    expect(nosync.fsyncStats().count).toBe(0);
    expect(nosync.durableZxid).toBe(1);
    await nosync.close();
  });

  it('blockingWrites writes the same files as thread-pool writes, durable in order', async () => {
    const writeAll = async (base: string, blockingWrites: boolean): Promise<{ durable: number[]; writes: number; blockingWrites: number }> => {
      const log = await TxnLog.open(base, 0, { logger: silentLogger, preAllocSize: 4096, blockingWrites });
      const durable: number[] = [];
      log.onDurable((z) => durable.push(z));
      for (let z = 1; z <= 300; z++) {
        log.append(z, payload(z, 32 + (z % 90)));
        if (z % 100 === 0) log.roll();
        // some txns wait for durability one by one (session connects), others pile up (a busy turn)
        if (z % 7 === 0) await log.flush();
      }
      await log.close();
      const stats = log.fsyncStats();
      return { durable, writes: stats.count, blockingWrites: stats.blockingWrites };
    };
    const blocking = await writeAll(join(dir, 'blocking'), true);
    const pooled = await writeAll(join(dir, 'pooled'), false);
    for (const run of [blocking, pooled]) {
      expect(run.durable[run.durable.length - 1]).toBe(300);
      for (let i = 1; i < run.durable.length; i++) expect(run.durable[i]!).toBeGreaterThan(run.durable[i - 1]!);
    }
    const names = (await readdir(join(dir, 'blocking', 'version-2'))).sort();
    expect(names).toEqual(['log.1', 'log.65', 'log.c9']);
    expect((await readdir(join(dir, 'pooled', 'version-2'))).sort()).toEqual(names);
    for (const name of names) {
      const a = await readFile(join(dir, 'blocking', 'version-2', name));
      const b = await readFile(join(dir, 'pooled', 'version-2', name));
      expect(a.equals(b)).toBe(true);
    }
    expect(blocking.blockingWrites).toBe(blocking.writes);
    expect(pooled.blockingWrites).toBe(0);
    const r = await recover(join(dir, 'blocking'), join(dir, 'blocking'), { logger: silentLogger });
    expect(r.txns.length).toBe(300);
    expect(r.lastZxid).toBe(300);
    expect(r.repairs).toEqual([]);
    await r.log.close();
  });

  it('blockingWrites moves to the thread pool after a write slower than slowWriteMs', async () => {
    // slowWriteMs 0: the first write is made on the event loop; it takes longer than 0 ms, so the rest do not
    const log = await TxnLog.open(dir, 0, { logger: silentLogger, preAllocSize: 1 << 20, blockingWrites: true, slowWriteMs: 0 });
    for (let z = 1; z <= 5; z++) {
      log.append(z, payload(z));
      await log.flush();
    }
    const s = log.fsyncStats();
    expect(s.count).toBe(5);
    expect(s.blockingWrites).toBe(1);
    expect(log.durableZxid).toBe(5);
    await log.close();
  });

  it('a failed write makes the log unusable and reports it', async () => {
    const errors: unknown[] = [];
    const log = await TxnLog.open(dir, 0, { logger: silentLogger, onError: (e) => errors.push(e) });
    log.append(1, payload(1));
    await log.flush();
    log.roll();
    // a segment with that name already exists: creating it must fail, never overwrite
    await (await import('node:fs/promises')).writeFile(join(logDir(), 'log.2'), 'x');
    log.append(2, payload(2));
    await expect(log.flush()).rejects.toThrow(/txn log write failed/);
    expect(errors.length).toBe(1);
    expect(() => log.append(3, payload(3))).toThrow(/txn log write failed/);
    await log.close();
  });
});
