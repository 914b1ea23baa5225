import { test } from '@jest/globals';
import { ZabSim } from '../zab-sim.js';
test('stats', () => {
  const tot: Record<string, number> = {};
  let n = 0;
  for (let seed = 1; seed <= 100; seed++) {
    const sim = new ZabSim(seed);
    const r = sim.run() as unknown as Record<string, number>;
    n++;
    for (const k of ['acked', 'crashes', 'partitions', 'elections', 'ticks']) tot[k] = (tot[k] ?? 0) + r[k]!;
    for (const [k, v] of sim.counts) tot['ev_' + k] = (tot['ev_' + k] ?? 0) + v;
  }
  console.log(n, JSON.stringify(tot));
}, 600000);
