import { DataArena, type DataColumns } from './data-arena.js';
import { DataTree } from './data-tree.js';
import { deserializeSnapshot, serializeSnapshotToBuffer } from './snapshot.js';

function columns(n: number): DataColumns {
  return { dataChunk: new Int32Array(n), dataOffset: new Int32Array(n), dataLength: new Int32Array(n) };
}

function bytes(seed: number, len: number): Buffer {
  const b = Buffer.alloc(len);
  for (let i = 0; i < len; i++) b[i] = (seed * 31 + i) & 0xff;
  return b;
}

describe('DataArena', () => {
  it('keeps null, empty and non-empty values apart and copies the caller bytes', () => {
    const a = new DataArena();
    const c = columns(3);
    const src = Buffer.from('hello');
    a.put(c, 0, null);
    a.put(c, 1, Buffer.alloc(0));
    a.put(c, 2, src);
    src.write('HELLO');
    expect(a.view(c, 0)).toBeNull();
    expect(a.view(c, 1)!.length).toBe(0);
    expect(a.view(c, 2)!.toString()).toBe('hello');
  });

  it('stores values larger than a chunk and values that get a chunk of their own', () => {
    const a = new DataArena();
    const c = columns(3);
    a.put(c, 0, bytes(1, 40_000)); // larger than the first 16 KB chunk
    a.put(c, 1, bytes(2, 300_000)); // dedicated
    a.put(c, 2, bytes(3, 10));
    expect(a.view(c, 0)!.equals(bytes(1, 40_000))).toBe(true);
    expect(a.view(c, 1)!.equals(bytes(2, 300_000))).toBe(true);
    expect(a.view(c, 2)!.equals(bytes(3, 10))).toBe(true);
  });

  it('putRange copies a range of a larger buffer (null, empty, small, chunk-sized and dedicated values)', () => {
    const a = new DataArena();
    const c = columns(4);
    const source = Buffer.concat([bytes(7, 50), bytes(8, 1000), bytes(9, 70_000)]);
    a.putRange(c, 0, source, 0, -1);
    a.putRange(c, 1, source, 10, 30);
    a.putRange(c, 2, source, 50, 1000);
    a.putRange(c, 3, source, 1050, 70_000);
    source.fill(0);
    expect(a.view(c, 0)).toBeNull();
    expect(a.view(c, 1)!.equals(bytes(7, 50).subarray(10, 40))).toBe(true);
    expect(a.view(c, 2)!.equals(bytes(8, 1000))).toBe(true);
    expect(a.view(c, 3)!.equals(bytes(9, 70_000))).toBe(true);
    a.putRange(c, 0, source, 0, 0);
    expect(a.view(c, 0)!.length).toBe(0);
  });

  it('compacts garbage away while every live value and every view handed out stays intact', () => {
    const a = new DataArena();
    const slots = 2000;
    const c = columns(slots);
    for (let s = 0; s < slots; s++) a.put(c, s, bytes(s, 100 + (s % 7)));
    const early = a.view(c, 5)!;
    const bigSlot = 7;
    a.free(c, bigSlot);
    a.put(c, bigSlot, bytes(99, 70_000));
    // overwrite every even slot many times: far more garbage than live data, so compaction runs
    for (let round = 1; round <= 20; round++) {
      for (let s = 0; s < slots; s += 2) {
        if (s === bigSlot) continue;
        a.free(c, s);
        a.put(c, s, bytes(s + round * 1000, 100 + (s % 7)));
        a.maybeCompact(c, slots);
      }
    }
    a.free(c, 3); // a freed slot is skipped by compaction
    for (let s = 0; s < slots; s++) {
      const expected = s === 3 ? null : s === bigSlot ? bytes(99, 70_000) : s % 2 === 0 ? bytes(s + 20 * 1000, 100 + (s % 7)) : bytes(s, 100 + (s % 7));
      const got = a.view(c, s);
      if (expected === null) expect(got).toBeNull();
      else expect(got!.equals(expected)).toBe(true);
    }
    expect(early.equals(bytes(5, 105))).toBe(true);
  });
});

describe('DataTree data in the arena', () => {
  it('serves data after setData/delete churn that triggers compaction, with stats and digest consistent', () => {
    const t = new DataTree();
    const acl = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
    let zxid = 0;
    const header = (type: number) => ({ sessionId: 1n, cxid: 0, zxid: ++zxid, time: 1000, type });
    t.apply(header(1), { type: 1, path: '/a', data: null, acl, ephemeral: false, parentCVersion: 1 });
    for (let i = 0; i < 500; i++) t.apply(header(1), { type: 1, path: `/a/n${i}`, data: bytes(i, 1000), acl, ephemeral: false, parentCVersion: i + 1 });
    for (let round = 1; round <= 6; round++) {
      for (let i = 0; i < 500; i += 2) t.apply(header(5), { type: 5, path: `/a/n${i}`, data: bytes(i + round, 1000), version: round });
    }
    for (let i = 1; i < 500; i += 4) t.apply(header(2), { type: 2, path: `/a/n${i}` });
    for (let i = 0; i < 500; i++) {
      const node = t.getNode(`/a/n${i}`);
      if (i % 4 === 1) {
        expect(node).toBeUndefined();
        continue;
      }
      const expected = i % 2 === 0 ? bytes(i + 6, 1000) : bytes(i, 1000);
      expect(t.dataOf(node!)!.equals(expected)).toBe(true);
      expect(t.statOf(node!).dataLength).toBe(1000);
    }
    expect(t.dataOf(t.getNode('/a')!)).toBeNull();
    // a snapshot round trip (which packs the data into a fresh arena) gives the same digest
    const { tree: back } = deserializeSnapshot(serializeSnapshotToBuffer(t, []), { zxid: t.lastProcessedZxid });
    expect(back.digest()).toBe(t.digest());
    expect(back.approximateDataSize).toBe(t.approximateDataSize);
  });
});
