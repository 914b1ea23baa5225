/**
 * The kazoo suite (Debian python3-kazoo, unmodified, running kazoo/scenario.py), shared by kazoo.test.ts
 * (the interop target) and ensemble.test.ts (a 3-member Paddock ensemble).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { ServerHandle } from '../support/paddock.js';
import { runCommand, type RunResult } from '../support/processes.js';
import { INTEROP_DIR, INTEROP_TICK_MS, expiryDeadlineMs } from './interop-target.js';

export const PYTHON = '/usr/bin/python3';
const SCENARIO = path.join(INTEROP_DIR, 'kazoo', 'scenario.py');

interface StepReport {
  ok: boolean;
  ms: number;
  error?: string;
  traceback?: string;
  result?: Record<string, unknown>;
}

interface ScenarioReport {
  ok: boolean;
  steps: Record<string, StepReport>;
}

const STEPS = [
  'connect',
  'ensure_path',
  'create_get',
  'sequential_ephemeral',
  'get_watch_one_shot',
  'set_with_version',
  'data_watch',
  'children_watch',
  'exists_watch',
  'tree_listing',
  'delete_and_recursive_delete',
  'transactions',
  'sync_and_lock',
  'close_removes_ephemerals',
  'session_expiry',
  'cleanup',
] as const;

/**
 * Runs the scenario once against the server `start` brings up (a single member or an ensemble, whose
 * connect string lists every member) and reports each step as a test.
 */
export function describeKazooScenario(title: string, start: () => Promise<ServerHandle>): void {
  describe(title, () => {
    let server: ServerHandle | undefined;
    let run: RunResult | undefined;
    let report: ScenarioReport | undefined;

    beforeAll(async () => {
      if (!existsSync(PYTHON)) throw new Error(`${PYTHON} missing: run scripts/install-system-deps.sh`);
      server = await start();
      run = await runCommand({
        name: 'kazoo-scenario',
        command: PYTHON,
        args: [SCENARIO, server.connectString, '--tick-ms', String(INTEROP_TICK_MS)],
        env: { PYTHONDONTWRITEBYTECODE: '1', PYTHONPATH: undefined, PYTHONHOME: undefined },
        timeoutMs: 90_000,
      });
      try {
        report = JSON.parse(run.stdout) as ScenarioReport;
      } catch {
        report = undefined;
      }
    }, 120_000);

    afterAll(async () => {
      await server?.stop();
    });

    function context(): string {
      return run ? `exit=${run.code} signal=${run.signal} timedOut=${run.timedOut}\n${run.process.describe(6000)}` : 'scenario did not run';
    }

    function step(name: (typeof STEPS)[number]): StepReport {
      if (!report) throw new Error(`scenario printed no JSON report\n${context()}`);
      const entry = report.steps[name];
      if (!entry) throw new Error(`step ${name} missing from the report\n${context()}`);
      return entry;
    }

    test('the scenario runs to completion and exits 0', () => {
      expect(run?.timedOut).toBe(false);
      if (!report) throw new Error(`scenario printed no JSON report\n${context()}`);
      const failed = Object.entries(report.steps)
        .filter(([, s]) => !s.ok)
        .map(([name, s]) => `${name}: ${s.error}`);
      expect(failed).toEqual([]);
      expect(Object.keys(report.steps).sort()).toEqual([...STEPS].sort());
      expect(run?.code).toBe(0);
    });

    test.each(STEPS)('step %s', (name) => {
      const entry = step(name);
      if (!entry.ok) {
        const stderr = run?.stderr ? `\n--- stderr ---\n${run.stderr.slice(-4000)}` : '';
        throw new Error(`${name}: ${entry.error}${entry.traceback ? `\n${entry.traceback}` : ''}${stderr}`);
      }
    });

    test('sequential ephemeral nodes get 10-digit suffixes from the parent counter', () => {
      const paths = step('sequential_ephemeral').result?.paths;
      expect(paths).toEqual([
        '/kazoo-interop/seq/n-0000000000',
        '/kazoo-interop/seq/n-0000000001',
        '/kazoo-interop/seq/p-0000000002',
        '/kazoo-interop/seq/n-0000000003',
      ]);
    });

    test('a failed multi reports RolledBack / the failing error / RuntimeInconsistency', () => {
      expect(step('transactions').result?.failed).toEqual(['RolledBackError', 'BadVersionError', 'RuntimeInconsistency']);
    });

    test('closing a session removes its ephemerals at once', () => {
      const elapsed = step('close_removes_ephemerals').result?.elapsed_ms as number;
      expect(elapsed).toBeLessThan(3_000);
    });

    test('a killed client loses its ephemerals after its session timeout, not before', () => {
      const result = step('session_expiry').result as { elapsed_ms: number; timeout_ms: number };
      expect(result.timeout_ms).toBe(2_000);
      expect(result.elapsed_ms).toBeGreaterThanOrEqual(1_000);
      expect(result.elapsed_ms).toBeLessThanOrEqual(expiryDeadlineMs(2_000));
    });
  });
}
