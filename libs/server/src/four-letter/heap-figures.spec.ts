import { describe, it, expect } from '@jest/globals';
import { heapFigures } from './environment.js';

describe('heapFigures (mntr zk_heap_*)', () => {
  const g = globalThis as { gc?: unknown };
  const original = g.gc;

  it('reports used heap only, without forcing a GC, when gc is not exposed', () => {
    delete g.gc;
    try {
      const figures = heapFigures();
      expect(figures.map(([k]) => k)).toEqual(['heap_used_bytes']);
      expect(figures[0]![1]).toBeGreaterThan(0);
    } finally {
      if (original !== undefined) g.gc = original;
    }
  });

  it('runs a full GC and adds the live heap when the process runs with --expose-gc', () => {
    let calls = 0;
    g.gc = () => void calls++;
    try {
      const figures = new Map(heapFigures());
      expect(calls).toBe(1);
      expect(figures.get('heap_live_bytes')).toBeGreaterThan(0);
    } finally {
      if (original === undefined) delete g.gc;
      else g.gc = original;
    }
  });
});
