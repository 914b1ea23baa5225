import { describe, expect, it } from '@jest/globals';
import { LockNodeMissingError, mutexDecision, readDecision, sortBySequence, writeDecision } from './lock-rules.js';
import { protectedPrefix, sequenceOf, stripProtectedPrefix } from './utils.js';

const g = (n: number) => protectedPrefix(`0000000${n}-aaaa-bbbb-cccc-dddddddddddd`);
const R = (seq: number, n = seq) => `${g(n % 10)}__READ__${String(seq).padStart(10, '0')}`;
const W = (seq: number, n = seq) => `${g(n % 10)}__WRIT__${String(seq).padStart(10, '0')}`;
const L = (seq: number, n: number) => `${g(n)}lock-${String(seq).padStart(10, '0')}`;

describe('lock node ordering', () => {
  it('orders by the sequence suffix, not by the GUID prefix', () => {
    const names = [L(3, 1), L(1, 9), L(2, 5)];
    expect(sortBySequence(names)).toEqual([L(1, 9), L(2, 5), L(3, 1)]);
    expect(sequenceOf(L(42, 1))).toBe(42);
  });
  it('strips the protected prefix', () => {
    expect(stripProtectedPrefix(L(7, 3))).toBe('lock-0000000007');
    expect(stripProtectedPrefix('lock-0000000007')).toBe('lock-0000000007');
  });
});

describe('mutex decision', () => {
  const sorted = [L(1, 1), L(2, 2), L(3, 3), L(4, 4)];
  it('the first node holds the lock', () => {
    expect(mutexDecision(sorted, L(1, 1))).toEqual({ acquired: true });
  });
  it('every other node watches exactly its immediate predecessor (no herd)', () => {
    expect(mutexDecision(sorted, L(2, 2))).toEqual({ acquired: false, watch: L(1, 1) });
    expect(mutexDecision(sorted, L(4, 4))).toEqual({ acquired: false, watch: L(3, 3) });
    const watched = sorted.slice(1).map((n) => (mutexDecision(sorted, n) as { watch: string }).watch);
    expect(new Set(watched).size).toBe(watched.length); // each node is watched by at most one waiter
  });
  it('with maxLeases n, the first n hold and the others watch n places back', () => {
    expect(mutexDecision(sorted, L(2, 2), 2)).toEqual({ acquired: true });
    expect(mutexDecision(sorted, L(4, 4), 2)).toEqual({ acquired: false, watch: L(2, 2) });
  });
  it('a missing node is an error (session gone)', () => {
    expect(() => mutexDecision(sorted, L(9, 9))).toThrow(LockNodeMissingError);
  });
});

describe('read/write lock decisions', () => {
  // R1 R2 W3 R4 R5 W6 W7 R8
  const sorted = sortBySequence([R(1), R(2), W(3), R(4), R(5), W(6), W(7), R(8)]);

  it('readers before any writer share the lock', () => {
    expect(readDecision(sorted, R(1))).toEqual({ acquired: true });
    expect(readDecision(sorted, R(2))).toEqual({ acquired: true });
  });
  it('each reader waits only on the NEAREST write node before it', () => {
    expect(readDecision(sorted, R(4))).toEqual({ acquired: false, watch: W(3) });
    expect(readDecision(sorted, R(5))).toEqual({ acquired: false, watch: W(3) });
    expect(readDecision(sorted, R(8))).toEqual({ acquired: false, watch: W(7) }); // Curator would watch W3
  });
  it('a writer holds only as the first node and otherwise waits on its immediate predecessor', () => {
    expect(writeDecision(sorted, W(3))).toEqual({ acquired: false, watch: R(2) });
    expect(writeDecision(sorted, W(6))).toEqual({ acquired: false, watch: R(5) });
    expect(writeDecision(sorted, W(7))).toEqual({ acquired: false, watch: W(6) });
    expect(writeDecision([W(3), R(4)], W(3))).toEqual({ acquired: true });
  });
  it('the write-lock holder may take the read lock (downgrade)', () => {
    expect(readDecision([W(3), W(4), R(5)], R(5), true)).toEqual({ acquired: true });
  });
  it('a writer release wakes only the readers directly behind it, plus no one else', () => {
    // who watches W3? R4 and R5 (both may then proceed); W6 watches R5, R8 watches W7
    const watchers = (node: string) =>
      sorted.filter((n) => {
        const d = n.includes('__READ__') ? readDecision(sorted, n) : writeDecision(sorted, n);
        return !d.acquired && d.watch === node;
      });
    expect(watchers(W(3))).toEqual([R(4), R(5)]);
    expect(watchers(W(6))).toEqual([W(7)]);
    expect(watchers(W(7))).toEqual([R(8)]);
  });
  it('never admits a reader and a writer together, nor two writers (exhaustive over small queues)', () => {
    for (let mask = 0; mask < 1 << 7; mask++) {
      const names = Array.from({ length: 7 }, (_, i) => ((mask >> i) & 1 ? W(i + 1) : R(i + 1)));
      const holders = names.filter((n) => (n.includes('__READ__') ? readDecision(names, n) : writeDecision(names, n)).acquired);
      const writers = holders.filter((n) => n.includes('__WRIT__'));
      if (writers.length > 0) expect(holders).toEqual(writers.slice(0, 1));
      expect(holders.length).toBeGreaterThan(0); // progress: someone always holds
    }
  });
});
