/**
 * `paddock bench --compare --quick` end to end (through runBench, which `paddock bench` calls):
 * starts Paddock (the built CLI) and a real Apache ZooKeeper 3.8, runs every workload against both
 * with the npm `zookeeper` C-client binding from child processes, and writes the JSON report and
 * the SVG chart. No timing assertions: only that every workload produced positive ops/s for both
 * servers. Needs `npm run build` (the load generators run dist/bench/worker.js) and the Debian
 * zookeeper package.
 *
 * A second, tiny run covers the ensemble workloads (3-member Paddock and ZooKeeper ensembles, one
 * leader kill each): sane numbers in the report, not their size.
 */
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WORKLOADS, runBench, type BenchIo, type BenchReport } from '../../apps/cli/src/bench/index.js';

function capture(): { io: BenchIo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    io: {
      stdout: (text) => {
        out += text;
      },
      stderr: (text) => {
        err += text;
      },
    },
    out: () => out,
    err: () => err,
  };
}

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

  it('measures ensemble write throughput and leader failover on 3-member ensembles of both servers', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'paddock-bench-ensemble-smoke-'));
    try {
      const json = path.join(dir, 'bench.json');
      const chart = path.join(dir, 'bench.svg');
      const output = capture();
      const code = await runBench(
        ['--compare', '--quick', '--workloads', 'ensemble-write,failover', '--processes', '1', '--sessions', '3', '--outstanding', '4', '--ops', '600', '--failovers', '1', '--json', json, '--chart', chart],
        output.io,
      );
      const report = JSON.parse(readFileSync(json, 'utf8')) as BenchReport;
      const failed = report.runs.filter((run) => run.error !== undefined);
      expect({ failed, code }).toEqual({ failed: [], code: 0 });

      for (const target of ['paddock', 'zookeeper']) {
        const write = report.runs.find((run) => run.workload === 'ensemble-write' && run.target === target)?.metrics ?? {};
        expect({ target, ops: (write.ops ?? 0) > 0, errors: write.errors }).toEqual({ target, ops: true, errors: 0 });
        expect({ target, opsPerSec: (write.opsPerSec ?? 0) > 0, cpuUsPerOp: (write.cpuUsPerOp ?? 0) > 0, rssMB: (write.rssMB ?? 0) > 0 }).toEqual({
          target,
          opsPerSec: true,
          cpuUsPerOp: true,
          rssMB: true,
        });
        const failover = report.runs.find((run) => run.workload === 'failover' && run.target === target)?.metrics ?? {};
        const ms = failover.failoverMs ?? Number.NaN;
        expect({ target, repetitions: failover.repetitions, sane: Number.isFinite(ms) && ms > 0 && ms < 180_000 }).toEqual({
          target,
          repetitions: 1,
          sane: true,
        });
      }
      const throughput = report.summary.find((row) => row.workload === 'ensemble-write' && row.metric === 'opsPerSec');
      expect(typeof throughput?.ratio).toBe('number');
      expect(readFileSync(chart, 'utf8')).toContain('ensemble-write: write throughput');
      expect(output.out()).toContain('failover');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
