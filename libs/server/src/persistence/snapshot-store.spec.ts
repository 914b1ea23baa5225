import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adler32 } from './adler32.js';
import { silentLogger, type PersistenceLogger } from './files.js';
import { SnapshotStore, verifySnapshot } from './snapshot-store.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'paddock-snap-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

function* smallChunks(total: number, size: number): Generator<Buffer> {
  for (let i = 0, n = 0; n < total; i++, n += size) {
    const b = Buffer.alloc(Math.min(size, total - n));
    for (let j = 0; j < b.length; j++) b[j] = (i * 13 + j) & 0xff;
    yield b;
  }
}

describe('SnapshotStore', () => {
  it('writes FileHeader{ZKSN,2,-1}, the body, adler32 of everything before the seal, then "/"', async () => {
    const store = new SnapshotStore(root, { logger: silentLogger });
    const body = Buffer.from('sessions|acls|nodes');
    const w = await store.write(0x1_0000_0005, [body.subarray(0, 5), body.subarray(5)]);
    expect(w.path).toBe(join(root, 'version-2', 'snapshot.100000005'));
    const f = await readFile(w.path);
    expect(f.subarray(0, 4).toString('latin1')).toBe('ZKSN');
    expect(f.readInt32BE(4)).toBe(2);
    expect(f.readBigInt64BE(8)).toBe(-1n);
    expect(f.subarray(16, 16 + body.length).equals(body)).toBe(true);
    const sealAt = 16 + body.length;
    expect(f.readBigUInt64BE(sealAt)).toBe(BigInt(adler32(f, 0, sealAt)));
    expect(f.readInt32BE(sealAt + 8)).toBe(1);
    expect(f[sealAt + 12]).toBe(0x2f);
    expect(f.length).toBe(sealAt + 13);
    expect(w.size).toBe(f.length);
    expect(verifySnapshot(f)).toEqual({ ok: true, body });
  });

  it('round-trips a large body from many small sync chunks and from an async iterable', async () => {
    const store = new SnapshotStore(root, { logger: silentLogger });
    const total = 3 * 1024 * 1024 + 17;
    const expected = Buffer.concat([...smallChunks(total, 100)]);
    await store.write(10, smallChunks(total, 100));
    let loaded = await store.loadNewestValid();
    expect(loaded!.zxid).toBe(10);
    expect(loaded!.body.equals(expected)).toBe(true);

    async function* big(): AsyncGenerator<Buffer> {
      yield Buffer.alloc(10, 1);
      yield Buffer.alloc(3 * 1024 * 1024, 2); // larger than the write buffer
      yield Buffer.alloc(10, 3);
    }
    await store.write(11, big());
    loaded = await store.loadNewestValid();
    expect(loaded!.zxid).toBe(11);
    expect(loaded!.body.length).toBe(3 * 1024 * 1024 + 20);
    expect(loaded!.body[0]).toBe(1);
    expect(loaded!.body[loaded!.body.length - 1]).toBe(3);
  });

  it('lets the event loop run while writing', async () => {
    const store = new SnapshotStore(root, { logger: silentLogger });
    let ticks = 0;
    let stop = false;
    const spin = (): void => {
      ticks++;
      if (!stop) setImmediate(spin);
    };
    setImmediate(spin);
    await store.write(1, smallChunks(8 * 1024 * 1024, 4096));
    stop = true;
    expect(ticks).toBeGreaterThan(3);
  });

  it('skips invalid snapshots (bad checksum, partial, wrong magic) with a warning', async () => {
    const warnings: string[] = [];
    const logger: PersistenceLogger = { info() {}, warn: (m) => void warnings.push(m), error() {} };
    const store = new SnapshotStore(root, { logger });
    expect(await store.loadNewestValid()).toBeUndefined();
    await store.write(1, [Buffer.from('one')]);
    const two = await store.write(2, [Buffer.from('two')]);
    const three = await store.write(3, [Buffer.from('three')]);
    const four = await store.write(4, [Buffer.from('four')]);
    const f2 = await readFile(two.path);
    f2[0] = 0;
    await writeFile(two.path, f2);
    const f3 = await readFile(three.path);
    f3[17] = f3[17]! ^ 0x80; // body byte: checksum mismatch
    await writeFile(three.path, f3);
    const f4 = await readFile(four.path);
    await writeFile(four.path, f4.subarray(0, f4.length - 3)); // partial
    const loaded = await store.loadNewestValid();
    expect(loaded!.zxid).toBe(1);
    expect(loaded!.body.toString()).toBe('one');
    expect(warnings.length).toBe(3);
    expect(warnings.join('\n')).toMatch(/checksum mismatch/);
    expect(warnings.join('\n')).toMatch(/trailing/);
    expect(warnings.join('\n')).toMatch(/magic/);
  });

  it('leaves no partial file under a snapshot name when the serializer fails', async () => {
    const store = new SnapshotStore(root, { logger: silentLogger });
    function* failing(): Generator<Buffer> {
      yield Buffer.alloc(100);
      throw new Error('serializer blew up');
    }
    await expect(store.write(5, failing())).rejects.toThrow('serializer blew up');
    expect(await readdir(store.dir)).toEqual([]);
    // a leftover temp file from a crash is not a snapshot and is cleaned up
    await writeFile(join(store.dir, '.snapshot.6.1.1.tmp'), 'junk');
    expect(await store.list()).toEqual([]);
    await store.removeTempFiles();
    expect(await readdir(store.dir)).toEqual([]);
  });
});
