/**
 * Seeded ZAB simulation: `SIM_SEED=<n>` replays one seed (with its options printed), `SIM_SEEDS=<n>` runs
 * seeds 1..n (default below), `SIM_SEED_BASE=<b>` shifts that range. A failure names its seed.
 */
import { describe, expect, test } from '@jest/globals';
import { ZabSim } from './zab-sim.js';

const single = process.env.SIM_SEED;
const count = Number(process.env.SIM_SEEDS ?? 1000);
const base = Number(process.env.SIM_SEED_BASE ?? 1);
const CHUNK = 25;

/** Runs the seeds; throws with every failing seed and the first failure's report. */
function runSeeds(seeds: number[]): void {
  const failed: Array<{ seed: number; error: unknown }> = [];
  for (const seed of seeds) {
    try {
      new ZabSim(seed).run();
    } catch (error) {
      failed.push({ seed, error });
    }
  }
  if (failed.length > 0) {
    const first = failed[0]!.error;
    throw new Error(
      `${failed.length} seed(s) failed: ${failed.map((f) => f.seed).join(', ')}\n` +
        (first instanceof Error ? (first.stack ?? first.message) : String(first)),
    );
  }
}

describe('ZAB simulation', () => {
  if (single !== undefined) {
    test(`seed ${single}`, () => {
      const sim = new ZabSim(Number(single));
      console.log(sim.describe());
      const r = sim.run();
      console.log(JSON.stringify(r));
      expect(r.acked).toBeGreaterThanOrEqual(0);
    });
    return;
  }
  for (let start = base; start < base + count; start += CHUNK) {
    const end = Math.min(start + CHUNK, base + count);
    test(`seeds ${start}..${end - 1}`, () => {
      runSeeds(Array.from({ length: end - start }, (_, i) => start + i));
    }, 600_000);
  }
});
