import { describe, expect, it } from '@jest/globals';
import { cpuTimeMs, rssBytes } from './procfs.js';

describe('procfs', () => {
  it('reads this process CPU time at sub-tick resolution, in step with getrusage', () => {
    const before = cpuTimeMs(process.pid);
    const usage0 = process.cpuUsage();
    let spent = 0;
    // burn 40 ms of CPU (not of wall time: the machine may be busy)
    while (spent < 40_000) {
      const u = process.cpuUsage(usage0);
      spent = u.user + u.system;
    }
    const after = cpuTimeMs(process.pid);
    expect(before).toBeDefined();
    expect(after).toBeDefined();
    const deltaMs = after! - before!;
    expect(deltaMs).toBeGreaterThanOrEqual(36);
    expect(deltaMs).toBeLessThan(40 + 100);
    // schedstat gives nanoseconds: a ten-millisecond tick figure would be a multiple of 10
    expect(Number.isInteger(after! / 10) && Number.isInteger(before! / 10)).toBe(false);
  });

  it('reads RSS, and nothing for a pid that does not exist', () => {
    expect(rssBytes(process.pid)).toBeGreaterThan(1024 * 1024);
    expect(cpuTimeMs(2 ** 22 + 12345)).toBeUndefined();
    expect(rssBytes(2 ** 22 + 12345)).toBeUndefined();
  });
});
