import { describe, expect, it } from '@jest/globals';
import { BenchUsageError, FULL_SCALE, parseBenchArgs } from './options.js';
import { warmupScale } from './workloads.js';

describe('parseBenchArgs', () => {
  it('warms up by default, not with --quick, and follows --warmup / --no-warmup', () => {
    expect(parseBenchArgs(['--compare']).warmup).toBe(true);
    expect(parseBenchArgs(['--compare', '--quick']).warmup).toBe(false);
    expect(parseBenchArgs(['--compare', '--quick', '--warmup']).warmup).toBe(true);
    expect(parseBenchArgs(['--compare', '--no-warmup']).warmup).toBe(false);
  });

  it('rejects a bad count with a message naming the flag', () => {
    expect(() => parseBenchArgs(['--rounds', '0'])).toThrow(BenchUsageError);
    expect(() => parseBenchArgs(['--rounds', 'x'])).toThrow(/--rounds needs a positive integer/);
    expect(() => parseBenchArgs(['--compare', '--connect', '127.0.0.1:2181'])).toThrow(/exclude each other/);
  });
});

describe('warmupScale', () => {
  it('keeps values and sizes, and shortens the counts', () => {
    const warm = warmupScale(FULL_SCALE);
    expect(warm).toMatchObject({ ops: 10_000, durationMs: 6_000, sessionChurn: 500, watchRepetitions: 3 });
    expect(warm.valueSize).toBe(FULL_SCALE.valueSize);
    expect(warm.watchers).toBe(FULL_SCALE.watchers);
    expect(warm.memorySteps).toEqual(FULL_SCALE.memorySteps);
  });
});
