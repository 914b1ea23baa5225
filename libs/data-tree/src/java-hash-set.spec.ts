import { describe, expect, it } from '@jest/globals';
import { JavaHashSet, javaStringHash } from './java-hash-set.js';

// Expected orders were printed by OpenJDK 17 (java.util.HashSet<String>).
const pad = (n: number) => `/app/e${String(n).padStart(10, '0')}`;

describe('JavaHashSet', () => {
  it('hashes like String.hashCode', () => {
    expect(javaStringHash('/rnd-29/c/a')).toBe(219363105);
    expect(javaStringHash('caf\u00e9')).toBe(3045921);
  });

  it('iterates and clones in HashSet order across resizes and removals', () => {
    const s = new JavaHashSet();
    for (let i = 0; i < 30; i++) s.add(pad(i * 7));
    for (let i = 0; i < 30; i += 3) s.delete(pad(i * 7));
    expect(s.size).toBe(20);
    expect([...s]).toEqual(
      [7, 28, 49, 203, 140, 161, 182, 119, 14, 35, 112, 56, 133, 77, 154, 98, 175, 196, 70, 91].map(pad),
    );
    expect([...JavaHashSet.cloneOf(s)]).toEqual(
      [119, 7, 28, 49, 203, 14, 35, 112, 56, 133, 77, 154, 98, 175, 196, 140, 161, 182, 70, 91].map(pad),
    );
  });

  it('a small clone is pre-sized, which reorders (the order closeSession deletes in)', () => {
    const s = new JavaHashSet();
    for (const p of ['/rnd-29/b/a0000000000', '/rnd-29/b0000000010', '/rnd-29/c/a', '/rnd-29/a0000000013']) s.add(p);
    expect([...JavaHashSet.cloneOf(s)]).toEqual(['/rnd-29/c/a', '/rnd-29/b/a0000000000', '/rnd-29/a0000000013', '/rnd-29/b0000000010']);
    expect(s.has('/rnd-29/c/a')).toBe(true);
    expect(s.delete('/nope')).toBe(false);
    expect([...JavaHashSet.cloneOf([])]).toEqual([]);
  });
});
