/**
 * `paddock bench --compare --quick` end to end (through runBench, which `paddock bench` calls):
 * starts Paddock (the built CLI) and a real Apache ZooKeeper 3.8, runs every workload against both
 * with the npm `zookeeper` C-client binding from child processes, and writes the JSON report and
 * the SVG chart. No timing assertions: only that every workload produced positive ops/s for both
 * servers. Needs `npm run build` (the load generators run dist/bench/worker.js) and the Debian
 * zookeeper package.
 */
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WORKLOADS, runBench, type BenchReport } from '../../apps/cli/src/bench/index.js';

describe('paddock bench --compare --quick', () => {
  it('measures every workload on both servers and writes the JSON and the chart', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'paddock-bench-smoke-'));
    try {
      const json = path.join(dir, 'bench.json');
      const chart = path.join(dir, 'bench.svg');
      let out = '';
      let err = '';
      const code = await runBench(['--compare', '--quick', '--json', json, '--chart', chart], {
        stdout: (text) => {
          out += text;
        },
        stderr: (text) => {
          err += text;
        },
      });
      const report = JSON.parse(readFileSync(json, 'utf8')) as BenchReport;
      const failed = report.runs.filter((run) => run.error !== undefined);
      expect({ failed, code }).toEqual({ failed: [], code: 0 });

      const standalone = WORKLOADS.filter((w) => w.topology === 'standalone').map((w) => w.id);
      for (const workload of standalone) {
        for (const target of ['paddock', 'zookeeper']) {
          const runs = report.runs.filter((run) => run.workload === workload && run.target === target);
          expect({ workload, target, runs: runs.length }).toEqual({ workload, target, runs: 1 });
          const opsPerSec = runs[0]?.metrics.opsPerSec;
          expect({ workload, target, positive: typeof opsPerSec === 'number' && opsPerSec > 0 }).toEqual({
            workload,
            target,
            positive: true,
          });
        }
      }
      expect(report.summary.some((row) => row.ratio !== undefined)).toBe(true);
      expect(readFileSync(chart, 'utf8')).toMatch(/^<svg [^]*<\/svg>\n$/);
      expect(out).toContain('P/ZK');
      expect(err).toContain('[1/');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
