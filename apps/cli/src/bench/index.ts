/**
 * `paddock bench`: the benchmark as a product feature. See options.ts for the command line,
 * workloads.ts for what is measured, and report.ts for how it is summarised.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { BENCH_HELP, BenchUsageError, parseBenchArgs, type BenchOptions } from './options.js';
import { WorkerPool } from './pool.js';
import { Progress } from './progress.js';
import { cpuUsedMs, readCpu, waitUntilQuiet } from './quiet.js';
import { renderSvg, renderTable, summarize, type RunRecord, type SummaryRow } from './report.js';
import { startEnsemble, startServer, withSignalCleanup, type BenchServer, type ServerKind } from './servers.js';
import {
  WORKLOADS,
  configureMemorySteps,
  findWorkload,
  handoffPids,
  releaseHandoff,
  runOrder,
  warmupScale,
  type BenchSettings,
  type RunContext,
  type Target,
  type Workload,
} from './workloads.js';

export { BENCH_HELP, parseBenchArgs, type BenchOptions } from './options.js';
export { WORKLOADS, type Workload, type MetricSpec, type Metrics } from './workloads.js';
export type { RunRecord, SummaryRow } from './report.js';

export interface BenchIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** The round number of the unmeasured warm-up runs (their znodes go under -r0 roots). */
const WARMUP_ROUND = 0;

const defaultIo: BenchIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** The JSON file's content. */
export interface BenchReport {
  tool: 'paddock bench';
  startedAt: string;
  finishedAt: string;
  mode: 'compare' | 'connect';
  settings: BenchSettings & { rounds: number; warmup: boolean };
  targets: Array<{ label: string; connectString: string; pid?: number }>;
  host: { cpus: number; platform: string; node: string };
  runs: RunRecord[];
  summary: SummaryRow[];
  notes: string[];
}

export async function runBench(argv: string[], io: BenchIo = defaultIo): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchArgs(argv);
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    io.stderr(`paddock bench: ${error.message}\nRun 'paddock bench --help' for usage.\n`);
    return 2;
  }
  if (options.help) {
    io.stdout(BENCH_HELP.replace('WORKLOADS', WORKLOADS.map((w) => w.id).join(', ')));
    return 0;
  }
  let selected: Workload[];
  try {
    selected = selectWorkloads(options);
  } catch (error) {
    io.stderr(`paddock bench: ${(error as Error).message}\n`);
    return 2;
  }
  try {
    return await withSignalCleanup(() => execute(options, selected, io));
  } catch (error) {
    io.stderr(`paddock bench: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

function selectWorkloads(options: BenchOptions): Workload[] {
  if (!options.workloads) {
    // the ensemble workloads take minutes (leader kills): not part of the --quick smoke run
    return WORKLOADS.filter((w) => (options.mode === 'compare' ? !(options.quick && w.topology === 'ensemble') : !w.needsLauncher));
  }
  return options.workloads.map((id) => {
    const workload = findWorkload(id);
    if (!workload) throw new Error(`unknown workload ${id} (known: ${WORKLOADS.map((w) => w.id).join(', ')})`);
    if (workload.needsLauncher && options.mode !== 'compare') {
      throw new Error(`workload ${id} needs --compare (it ${workload.topology === 'ensemble' ? 'starts its own ensembles' : 'restarts the server'})`);
    }
    return workload;
  });
}

async function execute(options: BenchOptions, workloads: Workload[], io: BenchIo): Promise<number> {
  const startedAt = new Date();
  configureMemorySteps(options.scale.memorySteps);
  const settings: BenchSettings = {
    processes: options.processes,
    sessions: options.sessions,
    outstanding: options.outstanding,
    client: options.client,
    sessionTimeoutMs: 30_000,
    scale: options.scale,
  };
  const notes: string[] = [];
  const servers: BenchServer[] = [];
  const runs: RunRecord[] = [];
  let pool: WorkerPool | undefined;
  const targets: Target[] = [];
  const perRound = options.mode === 'compare' ? 2 : 1;
  const warmups = options.warmup ? workloads.filter((w) => w.warmup) : [];
  const progress = new Progress((options.rounds * workloads.length + warmups.length) * perRound, io.stderr);
  try {
    if (options.mode === 'compare') {
      // standalone servers only when a standalone workload runs; the ensemble workloads start their own
      const standalone = workloads.some((w) => w.topology === 'standalone');
      if (standalone) progress.log('paddock bench: starting Paddock and Apache ZooKeeper 3.8');
      for (const kind of ['paddock', 'zookeeper'] as const satisfies readonly ServerKind[]) {
        const server = standalone ? await startServer(kind) : undefined;
        if (server) servers.push(server);
        targets.push({
          kind,
          label: kind,
          connectString: server?.connectString ?? '(ensembles only)',
          pid: () => server?.pid,
          launch: () => startServer(kind),
          launchEnsemble: async () => {
            progress.log(`paddock bench: starting a 3-member ${kind === 'paddock' ? 'Paddock' : 'Apache ZooKeeper 3.8'} ensemble`);
            return startEnsemble(kind);
          },
        });
      }
    } else {
      const connect = options.connect ?? '127.0.0.1:2181';
      const pid = options.serverPid;
      targets.push({ kind: 'external', label: connect, connectString: connect, pid: () => pid });
      if (pid === undefined) notes.push('no --server-pid: server CPU time and RSS not measured');
    }
    const workers = await WorkerPool.start(options.processes);
    pool = workers;
    const runTag = Date.now().toString(36);
    // this round's handoffs per target (servers and ensembles a workload leaves to the next)
    let roundHandoffs: Map<string, Map<string, unknown>> | undefined;
    const runOnce = async (workload: Workload, target: Target, round: number, handoff: Map<string, unknown>, scaled: BenchSettings): Promise<RunRecord> => {
      const runNotes: string[] = [];
      const ctx: RunContext = {
        target,
        pool: workers,
        settings: scaled,
        round,
        runTag,
        handoff,
        note: (text) => {
          if (!runNotes.includes(text)) runNotes.push(text);
        },
      };
      // the other target's server processes (its standalone server, what its handoffs hold) only
      // interfere with this run; the run waits until they and the target's own are idle
      const otherPids = (): number[] =>
        targets.filter((t) => t !== target).flatMap((t) => [...targetPids(t), ...handoffPids(roundHandoffs?.get(t.label) ?? new Map())]);
      const quiet = await waitUntilQuiet(() => [...targetPids(target), ...handoffPids(handoff), ...otherPids()]);
      if (!quiet.quiet) {
        runNotes.push(`${workload.id}: the servers were still busy (${Math.round(quiet.busyFraction * 100)}% of a core) after ${Math.round(quiet.waitedMs)} ms; ran anyway`);
      }
      const others0 = readCpu(otherPids());
      const t0 = Date.now();
      const record: RunRecord = { workload: workload.id, round, target: target.label, metrics: {}, notes: runNotes, wallMs: 0, quietWaitMs: Math.round(quiet.waitedMs) };
      try {
        record.metrics = await workload.run(ctx);
        record.otherServersCpuMs = Math.round(cpuUsedMs(others0, readCpu([...others0.keys()])) * 10) / 10;
      } catch (error) {
        record.error = error instanceof Error ? error.message : String(error);
        progress.log(`paddock bench: ${workload.id}${round === WARMUP_ROUND ? ' (warm-up)' : ''} on ${target.label} failed: ${record.error.split('\n')[0]}`);
        if (!(await serversAlive(servers))) throw new Error(`a server died during ${workload.id}: ${record.error}`);
      }
      record.wallMs = Date.now() - t0;
      progress.complete();
      return record;
    };

    if (warmups.length > 0) {
      const warmupSettings: BenchSettings = { ...settings, scale: warmupScale(settings.scale) };
      for (const workload of warmups) {
        for (const target of targets) {
          progress.step(`${workload.id} warm-up on ${target.label}`);
          // discarded: the warm-up only compiles each server's path for this workload
          await runOnce(workload, target, WARMUP_ROUND, new Map(), warmupSettings);
        }
      }
    }

    for (let round = 1; round <= options.rounds; round++) {
      const handoffs = new Map<string, Map<string, unknown>>(targets.map((t) => [t.label, new Map()]));
      roundHandoffs = handoffs;
      try {
        for (const group of runOrder(workloads)) {
          for (const target of targets) {
            for (const workload of group) {
              progress.step(`${workload.id} round ${round}/${options.rounds} on ${target.label}`);
              runs.push(await runOnce(workload, target, round, handoffs.get(target.label) ?? new Map(), settings));
            }
          }
        }
      } finally {
        for (const handoff of handoffs.values()) await releaseHandoff(handoff);
      }
    }
  } finally {
    progress.finish();
    await pool?.stop();
    for (const server of servers) await server.stop().catch(() => undefined);
  }

  const labels = targets.map((t) => t.label);
  const compare = options.mode === 'compare';
  const summary = summarize(workloads, runs, labels, compare);
  const heapNote = runs.flatMap((r) => r.notes).filter((n) => n.includes('heap read with'));
  for (const note of new Set(heapNote)) notes.push(note);
  io.stdout(
    `\npaddock bench (${options.mode}${options.quick ? ', quick' : ''}): ${options.processes} processes x ${options.sessions} sessions x ${options.outstanding} outstanding, ` +
      `client ${options.client === 'c' ? 'npm zookeeper (C)' : 'node-zookeeper-client'}, ${options.rounds} round(s)${warmups.length > 0 ? ' after a warm-up' : ''}, medians\n\n`,
  );
  io.stdout(renderTable(summary, labels, compare));
  const failures = runs.filter((r) => r.error !== undefined);
  for (const failure of failures) io.stdout(`failed: ${failure.workload} round ${failure.round} on ${failure.target}: ${failure.error}\n`);
  for (const note of notes) io.stdout(`note: ${note}\n`);

  const report: BenchReport = {
    tool: 'paddock bench',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    mode: options.mode,
    settings: { ...settings, rounds: options.rounds, warmup: warmups.length > 0 },
    targets: targets.map((t) => {
      const pid = t.pid();
      return pid === undefined ? { label: t.label, connectString: t.connectString } : { label: t.label, connectString: t.connectString, pid };
    }),
    host: { cpus: (await import('node:os')).cpus().length, platform: process.platform, node: process.version },
    runs,
    summary,
    notes,
  };
  if (options.json) {
    writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
    io.stdout(`raw results: ${path.resolve(options.json)}\n`);
  }
  if (options.chart && compare) {
    writeFileSync(options.chart, renderSvg(summary, `paddock bench --compare (${startedAt.toISOString().slice(0, 10)})`));
    io.stdout(`chart: ${path.resolve(options.chart)}\n`);
  }
  return failures.length > 0 ? 1 : 0;
}

function targetPids(target: Target): number[] {
  const pid = target.pid();
  return [...(target.pids?.() ?? []), ...(pid === undefined ? [] : [pid])];
}

async function serversAlive(servers: readonly BenchServer[]): Promise<boolean> {
  for (const server of servers) {
    try {
      await server.fourLetterWord('ruok');
    } catch {
      return false;
    }
  }
  return true;
}
