import { describe, it, expect } from '@jest/globals';
import { WORKLOADS, findWorkload, runOrder } from './workloads.js';

const ids = (groups: ReturnType<typeof runOrder>): string[][] => groups.map((g) => g.map((w) => w.id));

describe('runOrder', () => {
  it('puts restart right after memory, so each target fills and restarts its server back to back', () => {
    expect(ids(runOrder(WORKLOADS))).toContainEqual(['memory', 'restart']);
    expect(runOrder(WORKLOADS).flat()).toHaveLength(WORKLOADS.length);
  });

  it('keeps the order it was given otherwise, and a restart without memory on its own', () => {
    const pick = (...names: string[]) => names.map((n) => findWorkload(n)!);
    expect(ids(runOrder(pick('create', 'memory', 'getData', 'restart')))).toEqual([['create'], ['memory', 'restart'], ['getData']]);
    expect(ids(runOrder(pick('restart', 'create')))).toEqual([['restart'], ['create']]);
  });
});
