/**
 * The workload registry. A workload runs once against one target (a server) and returns named
 * metrics; its MetricSpecs say how to read them (unit, which direction is better) and the target
 * ratio Paddock/ZooKeeper from issue 5 that the comparison checks.
 *
 * New workloads slot in by adding an entry to WORKLOADS. The ensemble ones (`ensemble-write`,
 * `failover`) declare `topology: 'ensemble'` and start their own 3-member ensemble through
 * `Target.launchEnsemble` (only with --compare); see ensemble section below.
 */
import { WorkerPool, split } from './pool.js';
import type { ClientLibrary, OpKind, OpsCommand, OpsResult, AwaitEventsResult, FireResult, SteadyRecoveryResult } from './protocol.js';
import { cpuTimeMs, rssBytes } from './procfs.js';
import { ENSEMBLE_QUORUM_CONFIG, heapBytes, znodeCount, type BenchEnsemble, type BenchServer, type EnsembleMember, type ServerKind } from './servers.js';
import { Histogram, median, nowMs, percentile } from './stats.js';

export type TargetKind = ServerKind | 'external';

export interface Target {
  readonly kind: TargetKind;
  /** 'paddock', 'zookeeper' or the connect string. */
  readonly label: string;
  readonly connectString: string;
  /** The server's pid when known (CPU and RSS are read from /proc/<pid>). */
  pid(): number | undefined;
  /** Several server processes (an ensemble's members): CPU and RSS are summed over them. Overrides pid(). */
  pids?(): number[];
  /** Starts a fresh server of the same kind (only for servers the benchmark starts itself). */
  readonly launch?: () => Promise<BenchServer>;
  /** Starts a fresh 3-member ensemble of the same kind (only with --compare). */
  readonly launchEnsemble?: () => Promise<BenchEnsemble>;
}

export interface Scale {
  /** Ops per load workload. */
  ops: number;
  /** Upper bound of each measured phase. */
  durationMs: number;
  valueSize: number;
  /** Keys the read/update workloads pick from. */
  keySpace: number;
  children: number;
  ephemeralSessions: number;
  watchers: number;
  watchRepetitions: number;
  sessionChurn: number;
  /** Leader kills per failover run (median and max reported). */
  failoverRepetitions: number;
  /** Znode counts at which memory is read; the restart workload uses the last one. */
  memorySteps: number[];
}

/**
 * The warm-up run's scale: a fifth of the ops and of the time cap, a quarter of the sessions churned,
 * at most 3 fan-outs. Enough for both servers' JITs to compile the workload's path before round 1.
 */
export function warmupScale(scale: Scale): Scale {
  return {
    ...scale,
    ops: Math.ceil(scale.ops / 5),
    durationMs: Math.ceil(scale.durationMs / 5),
    sessionChurn: Math.ceil(scale.sessionChurn / 4),
    watchRepetitions: Math.min(scale.watchRepetitions, 3),
  };
}

export interface BenchSettings {
  processes: number;
  /** Sessions per process. */
  sessions: number;
  /** Outstanding requests per session. */
  outstanding: number;
  client: ClientLibrary;
  sessionTimeoutMs: number;
  scale: Scale;
}

export interface RunContext {
  readonly target: Target;
  readonly pool: WorkerPool;
  readonly settings: BenchSettings;
  readonly round: number;
  /** Unique per run of the benchmark (znode names must not collide on a reused server). */
  readonly runTag: string;
  /** State left by one workload for a later one in the same round on the same target (memory -> restart). */
  readonly handoff: Map<string, unknown>;
  note(text: string): void;
}

export type Metrics = Record<string, number | undefined>;

export interface MetricSpec {
  key: string;
  label: string;
  unit: 'ops/s' | 'ms' | 'µs' | 'MB' | 'B';
  better: 'higher' | 'lower';
  /** Paddock/ZooKeeper ratio the issue asks for. */
  target?: { cmp: '>=' | '<=' | '<'; ratio: number };
}

export interface Workload {
  readonly id: string;
  readonly title: string;
  readonly topology: 'standalone' | 'ensemble';
  /** Needs servers the benchmark starts itself (cannot run against --connect). */
  readonly needsLauncher?: boolean;
  /** Gets an unmeasured warm-up run (warmupScale) on each server before round 1. */
  readonly warmup?: boolean;
  /**
   * The id of the workload whose server this one takes over (restart takes memory's): in a round it runs on a
   * target right after that one, before the next target's turn (see runOrder).
   */
  readonly continues?: string;
  readonly metrics: readonly MetricSpec[];
  run(ctx: RunContext): Promise<Metrics>;
}

// ---------------------------------------------------------------------------------------------
// metric sets

const throughput = (minRatio: number): MetricSpec => ({
  key: 'opsPerSec',
  label: 'throughput',
  unit: 'ops/s',
  better: 'higher',
  target: { cmp: '>=', ratio: minRatio },
});
const LATENCY: MetricSpec[] = [
  { key: 'p50Ms', label: 'p50 latency', unit: 'ms', better: 'lower' },
  { key: 'p99Ms', label: 'p99 latency', unit: 'ms', better: 'lower', target: { cmp: '<=', ratio: 1 } },
  { key: 'p999Ms', label: 'p999 latency', unit: 'ms', better: 'lower' },
];
const CPU: MetricSpec = { key: 'cpuUsPerOp', label: 'server CPU/op', unit: 'µs', better: 'lower', target: { cmp: '<=', ratio: 0.5 } };
const RSS: MetricSpec = { key: 'rssMB', label: 'server RSS', unit: 'MB', better: 'lower' };
/** Reads and writes where the client is not the limit: at least 1.5x; other workloads at least 1x. */
const loadMetrics = (minRatio: number): MetricSpec[] => [throughput(minRatio), ...LATENCY, CPU, RSS];

// ---------------------------------------------------------------------------------------------
// helpers

function serverPids(target: Target): number[] {
  if (target.pids) return target.pids();
  const pid = target.pid();
  return pid === undefined ? [] : [pid];
}

/** CPU time of the target's server processes (summed), or undefined when none is known or readable. */
function serverCpuMs(target: Target): number | undefined {
  const pids = serverPids(target);
  if (pids.length === 0) return undefined;
  let total = 0;
  for (const pid of pids) {
    const ms = cpuTimeMs(pid);
    if (ms === undefined) return undefined;
    total += ms;
  }
  return total;
}

function serverRssBytes(target: Target): number | undefined {
  const pids = serverPids(target);
  if (pids.length === 0) return undefined;
  let total = 0;
  for (const pid of pids) {
    const bytes = rssBytes(pid);
    if (bytes === undefined) return undefined;
    total += bytes;
  }
  return total;
}

function rootOf(ctx: RunContext, id: string): string {
  return `/paddock-bench-${ctx.runTag}-${id}-r${ctx.round}`;
}

async function openSessions(ctx: RunContext, perWorker: readonly number[]): Promise<void> {
  await ctx.pool.all((i) =>
    (perWorker[i] ?? 0) > 0
      ? {
          cmd: 'open',
          connect: ctx.target.connectString,
          client: ctx.settings.client,
          sessions: perWorker[i] ?? 0,
          sessionTimeoutMs: ctx.settings.sessionTimeoutMs,
        }
      : undefined,
  );
}

async function closeSessions(ctx: RunContext): Promise<void> {
  await ctx.pool.all(() => ({ cmd: 'close' }));
}

function uniformSessions(ctx: RunContext): number[] {
  return Array.from({ length: ctx.pool.size }, () => ctx.settings.sessions);
}

async function createPaths(ctx: RunContext, paths: string[]): Promise<void> {
  await ctx.pool.one(0, { cmd: 'createPaths', paths, valueSize: ctx.settings.scale.valueSize });
}

async function deletePaths(ctx: RunContext, paths: string[]): Promise<void> {
  await ctx.pool.one(0, { cmd: 'deletePaths', paths, valueSize: 0 });
}

interface Phase {
  op: OpKind;
  root: string;
  count: number;
  firstIndex?: number;
  keySpace?: number;
  measure?: boolean;
  durationMs?: number;
  outstanding?: number;
}

interface PhaseResult {
  ops: number;
  errors: number;
  elapsedMs: number;
  histogram: Histogram;
  cpuMs: number | undefined;
  firstError?: string;
}

/** One phase of ops over the sessions already open, split across the processes. */
async function runPhase(ctx: RunContext, phase: Phase): Promise<PhaseResult> {
  const { scale } = ctx.settings;
  const shares = split(phase.count, ctx.pool.size);
  const firsts = shares.map((_, i) => (phase.firstIndex ?? 0) + shares.slice(0, i).reduce((a, b) => a + b, 0));
  const cpu0 = serverCpuMs(ctx.target);
  const results = await ctx.pool.all<OpsResult>((i) => {
    const command: OpsCommand = {
      cmd: 'ops',
      op: phase.op,
      root: phase.root,
      firstIndex: firsts[i] ?? 0,
      keySpace: phase.keySpace ?? scale.keySpace,
      count: shares[i] ?? 0,
      durationMs: phase.durationMs ?? scale.durationMs,
      outstanding: phase.outstanding ?? ctx.settings.outstanding,
      valueSize: scale.valueSize,
      readFraction: 0.9,
      measure: phase.measure ?? true,
    };
    return command.count > 0 ? command : undefined;
  });
  const cpu1 = serverCpuMs(ctx.target);
  return aggregate(results, cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0);
}

function aggregate(results: readonly OpsResult[], cpuMs: number | undefined): PhaseResult {
  const histogram = new Histogram();
  let ops = 0;
  let errors = 0;
  let firstError: string | undefined;
  for (const result of results) {
    histogram.merge(result.histogram);
    ops += result.ops;
    errors += result.errors;
    firstError ??= result.firstError;
  }
  const start = Math.min(...results.map((r) => r.startMs));
  const end = Math.max(...results.map((r) => r.endMs));
  const out: PhaseResult = { ops, errors, elapsedMs: Math.max(end - start, 0.001), histogram, cpuMs };
  if (firstError !== undefined) out.firstError = firstError;
  return out;
}

function loadMetricsOf(ctx: RunContext, result: PhaseResult): Metrics {
  if (result.errors > 0) ctx.note(`${result.errors} failed ops (first: ${result.firstError})`);
  const rss = serverRssBytes(ctx.target);
  return {
    ops: result.ops,
    errors: result.errors,
    elapsedMs: result.elapsedMs,
    opsPerSec: (result.ops * 1000) / result.elapsedMs,
    p50Ms: result.histogram.quantile(0.5) / 1000,
    p99Ms: result.histogram.quantile(0.99) / 1000,
    p999Ms: result.histogram.quantile(0.999) / 1000,
    serverCpuMs: result.cpuMs,
    cpuUsPerOp: result.cpuMs === undefined || result.ops === 0 ? undefined : (result.cpuMs * 1000) / result.ops,
    rssMB: rss === undefined ? undefined : rss / (1024 * 1024),
  };
}

/** Creates `count` keys root/n0.. with 100-byte values (unmeasured). */
async function populate(ctx: RunContext, root: string, count: number, firstIndex = 0): Promise<PhaseResult> {
  return runPhase(ctx, { op: 'create', root, count, firstIndex, measure: false, durationMs: 3_600_000 });
}

/** Removes what a workload left, on servers the benchmark does not own (--connect). */
async function cleanup(ctx: RunContext, root: string, count: number): Promise<void> {
  if (ctx.target.kind !== 'external') return;
  await runPhase(ctx, { op: 'delete', root, count, measure: false, durationMs: 3_600_000 });
  await deletePaths(ctx, [root]);
}

/** Standard shape: open C sessions per process, set up, measure one op kind, clean up. */
function simpleWorkload(
  id: string,
  title: string,
  minRatio: number,
  op: OpKind,
  keys: (scale: Scale) => number,
): Workload {
  return {
    id,
    title,
    topology: 'standalone',
    warmup: true,
    metrics: loadMetrics(minRatio),
    async run(ctx) {
      const root = rootOf(ctx, id);
      const keyCount = keys(ctx.settings.scale);
      await openSessions(ctx, uniformSessions(ctx));
      try {
        await createPaths(ctx, [root]);
        if (keyCount > 0) await populate(ctx, root, keyCount);
        const result = await runPhase(ctx, {
          op,
          root,
          count: ctx.settings.scale.ops,
          firstIndex: op === 'create' ? keyCount : 0,
          keySpace: Math.max(keyCount, 1),
        });
        const metrics = loadMetricsOf(ctx, result);
        await cleanup(ctx, root, op === 'create' ? keyCount + ctx.settings.scale.ops : keyCount);
        return metrics;
      } finally {
        await closeSessions(ctx);
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// the workloads

const create = simpleWorkload('create', 'create (100-byte values)', 1.5, 'create', () => 0);
const setData = simpleWorkload('setData', 'setData (100-byte values)', 1.5, 'setData', (s) => s.keySpace);
const getData = simpleWorkload('getData', 'getData (100-byte values)', 1.5, 'getData', (s) => s.keySpace);
const exists = simpleWorkload('exists', 'exists', 1.5, 'exists', (s) => s.keySpace);
const mixed = simpleWorkload('mixed', 'mixed 90% getData / 10% setData', 1.5, 'mixed', (s) => s.keySpace);
const getChildren = simpleWorkload('getChildren', 'getChildren of a node with 1,000 children', 1, 'getChildren', (s) => s.children);

const deleteWorkload: Workload = {
  id: 'delete',
  title: 'delete',
  topology: 'standalone',
  warmup: true,
  metrics: loadMetrics(1.5),
  async run(ctx) {
    const root = rootOf(ctx, 'delete');
    const { ops } = ctx.settings.scale;
    await openSessions(ctx, uniformSessions(ctx));
    try {
      await createPaths(ctx, [root]);
      await populate(ctx, root, ops);
      const metrics = loadMetricsOf(ctx, await runPhase(ctx, { op: 'delete', root, count: ops }));
      await cleanup(ctx, root, ops);
      return metrics;
    } finally {
      await closeSessions(ctx);
    }
  },
};

const ephemeralSequential: Workload = {
  id: 'ephemeralSequential',
  title: 'ephemeral-sequential creates by 100 sessions',
  topology: 'standalone',
  warmup: true,
  metrics: loadMetrics(1),
  async run(ctx) {
    const root = rootOf(ctx, 'ephseq');
    const perWorker = split(ctx.settings.scale.ephemeralSessions, ctx.pool.size);
    await openSessions(ctx, perWorker);
    let metrics: Metrics;
    try {
      await createPaths(ctx, [root]);
      // 100 sessions: fewer outstanding each, so the total in flight stays near the other workloads'
      const outstanding = Math.max(1, Math.round((ctx.settings.sessions * ctx.settings.outstanding * ctx.pool.size) / ctx.settings.scale.ephemeralSessions));
      metrics = loadMetricsOf(ctx, await runPhase(ctx, { op: 'createEphemeralSequential', root, count: ctx.settings.scale.ops, outstanding }));
    } finally {
      await closeSessions(ctx); // the ephemerals go with their sessions
    }
    if (ctx.target.kind === 'external') {
      await openSessions(ctx, [1]);
      try {
        await deletePaths(ctx, [root]);
      } finally {
        await closeSessions(ctx);
      }
    }
    return metrics;
  },
};

const watchFanout: Workload = {
  id: 'watchFanout',
  title: 'watch fan-out: N sessions watch one znode, one setData',
  topology: 'standalone',
  warmup: true,
  metrics: [
    { key: 'fanoutP99Ms', label: 'p99 time to last notification', unit: 'ms', better: 'lower', target: { cmp: '<=', ratio: 0.5 } },
    { key: 'fanoutP50Ms', label: 'median time to last notification', unit: 'ms', better: 'lower' },
    { key: 'opsPerSec', label: 'notifications/s', unit: 'ops/s', better: 'higher' },
    { key: 'cpuUsPerOp', label: 'server CPU/notification', unit: 'µs', better: 'lower', target: { cmp: '<=', ratio: 0.5 } },
    RSS,
  ],
  async run(ctx) {
    const { watchers, watchRepetitions, valueSize } = ctx.settings.scale;
    const root = rootOf(ctx, 'watch');
    const perWorker = split(watchers, ctx.pool.size);
    await openSessions(ctx, perWorker);
    try {
      await createPaths(ctx, [root]);
      const times: number[] = [];
      const pid = ctx.target.pid();
      let cpuMs = 0;
      let notifications = 0;
      for (let rep = 0; rep < watchRepetitions; rep++) {
        await ctx.pool.all((i) => ((perWorker[i] ?? 0) > 0 ? { cmd: 'arm', path: root } : undefined));
        const cpu0 = pid === undefined ? undefined : cpuTimeMs(pid);
        const events = ctx.pool.all<AwaitEventsResult>((i) => ((perWorker[i] ?? 0) > 0 ? { cmd: 'awaitEvents', timeoutMs: 30_000 } : undefined));
        const fired = await ctx.pool.one<FireResult>(0, { cmd: 'fire', path: root, valueSize });
        const results = await events;
        const cpu1 = pid === undefined ? undefined : cpuTimeMs(pid);
        if (cpu0 !== undefined && cpu1 !== undefined) cpuMs += cpu1 - cpu0;
        notifications += results.reduce((sum, r) => sum + r.events, 0);
        times.push(Math.max(...results.map((r) => r.lastMs)) - fired.firedMs);
      }
      const totalMs = times.reduce((a, b) => a + b, 0);
      ctx.note(`fan-out times (ms): ${times.map((ms) => ms.toFixed(1)).join(', ')}`);
      const rss = pid === undefined ? undefined : rssBytes(pid);
      if (ctx.target.kind === 'external') await deletePaths(ctx, [root]);
      return {
        watchers,
        repetitions: watchRepetitions,
        fanoutP99Ms: percentile(times, 0.99),
        fanoutP50Ms: median(times),
        opsPerSec: (notifications * 1000) / Math.max(totalMs, 0.001),
        serverCpuMs: pid === undefined ? undefined : cpuMs,
        cpuUsPerOp: pid === undefined ? undefined : (cpuMs * 1000) / Math.max(notifications, 1),
        rssMB: rss === undefined ? undefined : rss / (1024 * 1024),
      };
    } finally {
      await closeSessions(ctx);
    }
  },
};

const sessionChurn: Workload = {
  id: 'sessions',
  title: 'session connect+close',
  topology: 'standalone',
  warmup: true,
  metrics: [
    { key: 'opsPerSec', label: 'sessions/s', unit: 'ops/s', better: 'higher', target: { cmp: '>=', ratio: 2 } },
    ...LATENCY,
    { ...CPU, label: 'server CPU/session' },
    RSS,
  ],
  async run(ctx) {
    const shares = split(ctx.settings.scale.sessionChurn, ctx.pool.size);
    const pid = ctx.target.pid();
    const cpu0 = pid === undefined ? undefined : cpuTimeMs(pid);
    const results = await ctx.pool.all<OpsResult>((i) =>
      (shares[i] ?? 0) > 0
        ? {
            cmd: 'churn',
            connect: ctx.target.connectString,
            client: ctx.settings.client,
            concurrency: ctx.settings.sessions,
            count: shares[i] ?? 0,
            durationMs: ctx.settings.scale.durationMs,
            sessionTimeoutMs: ctx.settings.sessionTimeoutMs,
          }
        : undefined,
    );
    const cpu1 = pid === undefined ? undefined : cpuTimeMs(pid);
    return loadMetricsOf(ctx, aggregate(results, cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0));
  },
};

interface Populated {
  server: BenchServer;
  znodes: number;
}

const MB = 1024 * 1024;

/** Memory (and the server it leaves for `restart`): created znodes, RSS and heap growth per znode. */
const memory: Workload = {
  id: 'memory',
  title: 'memory per 100-byte znode',
  topology: 'standalone',
  get metrics() {
    return memoryMetrics;
  },
  async run(ctx) {
    const { memorySteps } = ctx.settings.scale;
    const server = ctx.target.launch ? await ctx.target.launch() : undefined;
    const kind = server?.kind ?? ctx.target.kind;
    const pid = server?.pid ?? ctx.target.pid();
    const connect = server?.connectString ?? ctx.target.connectString;
    const [host, portText] = connect.split(':');
    const port = Number(portText);
    const view: RunContext = server ? { ...ctx, target: { ...ctx.target, connectString: connect, pid: () => server.pid } } : ctx;
    let handedOff = false;
    try {
      const root = rootOf(ctx, 'memory');
      const metrics: Metrics = {};
      const readHeap = async () =>
        pid === undefined || kind === 'external' ? undefined : await heapBytes(kind, pid, host ?? '127.0.0.1', port);
      const rss0 = pid === undefined ? undefined : rssBytes(pid);
      const heap0 = await readHeap();
      await openSessions(view, uniformSessions(view));
      let created = 0;
      let createMs = 0;
      let cpuMs: number | undefined = 0;
      try {
        await createPaths(view, [root]);
        for (const step of memorySteps) {
          const result = await runPhase(view, { op: 'create', root, count: step - created, firstIndex: created, durationMs: 3_600_000 });
          if (result.errors > 0) view.note(`memory: ${result.errors} failed creates (first: ${result.firstError})`);
          created += result.ops;
          createMs += result.elapsedMs;
          cpuMs = cpuMs === undefined || result.cpuMs === undefined ? undefined : cpuMs + result.cpuMs;
          const label = stepLabel(step);
          const rss = pid === undefined ? undefined : rssBytes(pid);
          const heap = await readHeap();
          metrics[`rssPerZnode${label}`] = rss === undefined || rss0 === undefined ? undefined : (rss - rss0) / created;
          metrics[`heapPerZnode${label}`] = heap === undefined || heap0 === undefined ? undefined : (heap.bytes - heap0.bytes) / created;
          metrics[`rssMB${label}`] = rss === undefined ? undefined : rss / MB;
          metrics[`heapMB${label}`] = heap === undefined ? undefined : heap.bytes / MB;
          if (heap) ctx.note(`${kind} heap read with ${heap.how}`);
        }
      } finally {
        await closeSessions(view);
      }
      metrics.znodes = created;
      metrics.opsPerSec = (created * 1000) / Math.max(createMs, 0.001);
      metrics.cpuUsPerOp = cpuMs === undefined ? undefined : (cpuMs * 1000) / Math.max(created, 1);
      if (server) {
        ctx.handoff.set('populated', { server, znodes: created } satisfies Populated);
        handedOff = true;
      }
      return metrics;
    } finally {
      if (server && !handedOff) await server.stop();
    }
  },
};

function stepLabel(step: number): string {
  return step >= 1_000_000 && step % 1_000_000 === 0 ? `${step / 1_000_000}M` : step >= 1000 && step % 1000 === 0 ? `${step / 1000}k` : String(step);
}

let memoryMetrics: MetricSpec[] = memoryMetricsFor([200_000, 1_000_000]);

function memoryMetricsFor(steps: readonly number[]): MetricSpec[] {
  return [
    ...steps.flatMap((step): MetricSpec[] => {
      const label = stepLabel(step);
      return [
        { key: `heapPerZnode${label}`, label: `heap/znode @${label}`, unit: 'B', better: 'lower', target: { cmp: '<=', ratio: 0.6 } },
        { key: `rssPerZnode${label}`, label: `RSS/znode @${label}`, unit: 'B', better: 'lower', target: { cmp: '<', ratio: 1 } },
        { key: `rssMB${label}`, label: `RSS @${label}`, unit: 'MB', better: 'lower', target: { cmp: '<', ratio: 1 } },
      ];
    }),
    { key: 'opsPerSec', label: 'creates/s while filling', unit: 'ops/s', better: 'higher' },
    { key: 'cpuUsPerOp', label: 'server CPU/create while filling', unit: 'µs', better: 'lower', target: { cmp: '<=', ratio: 0.5 } },
  ];
}

/** The memory metrics follow the configured steps (e.g. smaller ones with --quick). */
export function configureMemorySteps(steps: readonly number[]): void {
  memoryMetrics = memoryMetricsFor(steps);
}

const restart: Workload = {
  id: 'restart',
  title: 'restart of a member holding the memory workload\'s znodes (snapshot load + log replay)',
  topology: 'standalone',
  needsLauncher: true,
  continues: 'memory',
  metrics: [
    { key: 'restartMs', label: 'restart until serving', unit: 'ms', better: 'lower', target: { cmp: '<', ratio: 1 } },
    { key: 'opsPerSec', label: 'znodes restored/s', unit: 'ops/s', better: 'higher' },
  ],
  async run(ctx) {
    let populated = ctx.handoff.get('populated') as Populated | undefined;
    ctx.handoff.delete('populated');
    if (!populated) {
      if (!ctx.target.launch) throw new Error('restart needs a server the benchmark starts itself (--compare)');
      const server = await ctx.target.launch();
      const view: RunContext = { ...ctx, target: { ...ctx.target, connectString: server.connectString, pid: () => server.pid } };
      const root = rootOf(ctx, 'restart');
      const count = ctx.settings.scale.memorySteps.at(-1) ?? 1000;
      await openSessions(view, uniformSessions(view));
      try {
        await createPaths(view, [root]);
        const result = await populate(view, root, count);
        populated = { server, znodes: result.ops };
      } finally {
        await closeSessions(view);
      }
    }
    const { server, znodes } = populated;
    try {
      await server.kill9();
      const t0 = performance.now();
      await server.restart();
      const restartMs = performance.now() - t0;
      const count = await znodeCount(server.host, server.port);
      if (count !== undefined && count < znodes) ctx.note(`restart: ${count} znodes after restart, expected at least ${znodes}`);
      const rss = rssBytes(server.pid);
      return {
        znodes,
        znodesAfterRestart: count,
        restartMs,
        opsPerSec: (znodes * 1000) / Math.max(restartMs, 0.001),
        rssMBAfterRestart: rss === undefined ? undefined : rss / MB,
      };
    } finally {
      await server.stop();
    }
  },
};

// ---------------------------------------------------------------------------------------------
// ensembles: 3 members of the same kind on this machine, started by the benchmark (--compare);
// one ensemble per target and round, shared by the ensemble workloads of that round (handoff)

const ENSEMBLE_HANDOFF = 'ensemble';

async function ensembleOf(ctx: RunContext, workload: string): Promise<BenchEnsemble> {
  let ensemble = ctx.handoff.get(ENSEMBLE_HANDOFF) as BenchEnsemble | undefined;
  if (!ensemble) {
    if (!ctx.target.launchEnsemble) throw new Error(`${workload} needs --compare (it starts its own ensembles)`);
    ensemble = await ctx.target.launchEnsemble();
    ctx.handoff.set(ENSEMBLE_HANDOFF, ensemble);
  }
  // every member serving again (a failover run restarts the member it killed)
  await ensemble.waitForLeader();
  return ensemble;
}

/** Stops the round's ensemble after a failed run, so the next run starts from a healthy one. */
async function discardEnsemble(ctx: RunContext): Promise<void> {
  const ensemble = ctx.handoff.get(ENSEMBLE_HANDOFF) as BenchEnsemble | undefined;
  ctx.handoff.delete(ENSEMBLE_HANDOFF);
  await ensemble?.stop();
}

/** The run's context aimed at the ensemble: CPU and RSS summed over its members' processes. */
function ensembleView(ctx: RunContext, ensemble: BenchEnsemble): RunContext {
  return {
    ...ctx,
    target: { ...ctx.target, connectString: ensemble.connectString, pid: () => undefined, pids: () => ensemble.pids() },
  };
}

/** C sessions per process, session k of process i on member (i * C + k) mod 3: an even spread. */
async function openSpread(ctx: RunContext, members: readonly EnsembleMember[]): Promise<void> {
  const { sessions } = ctx.settings;
  await ctx.pool.all((i) => ({
    cmd: 'open',
    connect: ctx.target.connectString,
    connects: members.map((_, k) => members[(k + i * sessions) % members.length]!.connectString),
    client: ctx.settings.client,
    sessions,
    sessionTimeoutMs: ctx.settings.sessionTimeoutMs,
  }));
}

function combine(a: PhaseResult, b: PhaseResult): PhaseResult {
  const histogram = new Histogram();
  histogram.merge(a.histogram.toJSON());
  histogram.merge(b.histogram.toJSON());
  const out: PhaseResult = {
    ops: a.ops + b.ops,
    errors: a.errors + b.errors,
    elapsedMs: a.elapsedMs + b.elapsedMs,
    histogram,
    cpuMs: a.cpuMs === undefined || b.cpuMs === undefined ? undefined : a.cpuMs + b.cpuMs,
  };
  const firstError = a.firstError ?? b.firstError;
  if (firstError !== undefined) out.firstError = firstError;
  return out;
}

const ensembleWrite: Workload = {
  id: 'ensemble-write',
  title: '3-member ensemble: creates then setData, sessions spread over all members',
  topology: 'ensemble',
  needsLauncher: true,
  metrics: [
    { ...throughput(2), label: 'write throughput' },
    { key: 'createOpsPerSec', label: 'creates/s', unit: 'ops/s', better: 'higher' },
    { key: 'setDataOpsPerSec', label: 'setData/s', unit: 'ops/s', better: 'higher' },
    ...LATENCY,
    { ...CPU, label: 'CPU/op, all members' },
    { ...RSS, label: 'RSS, all members' },
  ],
  async run(ctx) {
    const ensemble = await ensembleOf(ctx, 'ensemble-write');
    const view = ensembleView(ctx, ensemble);
    const root = rootOf(ctx, 'ensemble-write');
    const creates = Math.ceil(ctx.settings.scale.ops / 2);
    try {
      await openSpread(view, ensemble.members);
      try {
        await createPaths(view, [root]);
        const created = await runPhase(view, { op: 'create', root, count: creates });
        const updated = await runPhase(view, { op: 'setData', root, count: ctx.settings.scale.ops - creates, keySpace: Math.max(created.ops, 1) });
        const metrics = loadMetricsOf(view, combine(created, updated));
        metrics.createOpsPerSec = (created.ops * 1000) / created.elapsedMs;
        metrics.setDataOpsPerSec = (updated.ops * 1000) / updated.elapsedMs;
        return metrics;
      } finally {
        await closeSessions(view);
      }
    } catch (error) {
      await discardEnsemble(ctx);
      throw error;
    }
  },
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls the load generators until one reports a write issued at or after `sinceMs` that succeeded. */
async function firstWriteSince(ctx: RunContext, sinceMs: number, every: boolean, timeoutMs: number, onPoll?: () => Promise<void>): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await onPoll?.();
    const answers = await ctx.pool.all<SteadyRecoveryResult>(() => ({ cmd: 'steadyRecovery', sinceMs }));
    const times = answers.map((a) => a.firstSuccessMs);
    const done = every ? times.every((t) => t !== null) : times.some((t) => t !== null);
    if (done) return Math.min(...times.filter((t): t is number => t !== null));
    if (Date.now() > deadline) {
      const errors = answers.reduce((sum, a) => sum + a.errors, 0);
      throw new Error(`no successful write within ${timeoutMs} ms (${errors} failed writes meanwhile)`);
    }
    await sleep(20);
  }
}

const RECOVERY_TIMEOUT_MS = 180_000;

const failover: Workload = {
  id: 'failover',
  title: '3-member ensemble: kill -9 the leader under steady writes, time until writes succeed again',
  topology: 'ensemble',
  needsLauncher: true,
  metrics: [
    { key: 'failoverMs', label: 'writes succeed again after kill -9 (median)', unit: 'ms', better: 'lower' },
    { key: 'failoverMaxMs', label: 'writes succeed again after kill -9 (max)', unit: 'ms', better: 'lower' },
    { key: 'leaderSeenMs', label: 'new leader in srvr (median)', unit: 'ms', better: 'lower' },
  ],
  async run(ctx) {
    const ensemble = await ensembleOf(ctx, 'failover');
    // The smallest session timeout both servers grant (2 x tickTime): the npm C-client binding retries
    // a connection after it tried every member only when its timer fires, every timeout/3 (10 s at the
    // usual 30 s), which would otherwise dominate the measured time on both sides.
    const sessionTimeoutMs = 2 * ENSEMBLE_QUORUM_CONFIG.tickTime;
    const view: RunContext = { ...ensembleView(ctx, ensemble), settings: { ...ctx.settings, sessionTimeoutMs } };
    const root = rootOf(ctx, 'failover');
    const keySpace = Math.min(ctx.settings.scale.keySpace, 100);
    const recoveries: number[] = [];
    const leaderSeen: number[] = [];
    let failedWrites = 0;
    try {
      await openSessions(view, uniformSessions(view));
      try {
        await createPaths(view, [root]);
        await populate(view, root, keySpace);
      } finally {
        await closeSessions(view);
      }
      for (let rep = 0; rep < ctx.settings.scale.failoverRepetitions; rep++) {
        const leader = await ensemble.waitForLeader();
        // sessions on the whole connect string: the client moves to a survivor as it would in production
        await openSessions(view, uniformSessions(view));
        try {
          // steady, not saturating: one outstanding write per session, 5 ms pause after a failure
          await ctx.pool.all(() => ({ cmd: 'steadyStart', root, keySpace, outstanding: 1, valueSize: ctx.settings.scale.valueSize, errorBackoffMs: 5 }));
          await firstWriteSince(view, nowMs(), true, 60_000);
          const killMs = nowMs();
          await leader.kill9();
          let seenMs: number | undefined;
          const watchLeader = async () => {
            if (seenMs !== undefined) return;
            const modes = await Promise.all(ensemble.members.map((m) => m.mode()));
            if (modes.includes('leader')) seenMs = nowMs();
          };
          const recoveredMs = await firstWriteSince(view, killMs, false, RECOVERY_TIMEOUT_MS, watchLeader);
          const stopped = await ctx.pool.all<OpsResult>(() => ({ cmd: 'steadyStop' }));
          failedWrites += stopped.reduce((sum, r) => sum + r.errors, 0);
          recoveries.push(recoveredMs - killMs);
          // the poll may notice the leader after the first write succeeded; it was there before that
          leaderSeen.push(Math.min(seenMs ?? recoveredMs, recoveredMs) - killMs);
        } finally {
          await closeSessions(view);
        }
        await leader.start();
      }
      await ensemble.waitForLeader();
    } catch (error) {
      await discardEnsemble(ctx);
      throw error;
    }
    ctx.note(`failover times (ms): ${recoveries.map((ms) => Math.round(ms)).join(', ')}`);
    return {
      repetitions: recoveries.length,
      failoverMs: median(recoveries),
      failoverMaxMs: Math.max(...recoveries),
      leaderSeenMs: median(leaderSeen),
      failedWrites,
    };
  },
};

/**
 * A round's workloads in running order, as groups that each target runs in turn: a workload that takes over the
 * server another one left (`continues`) joins that one's group, so every target runs the pair back to back.
 * Run one workload at a time instead, and the second target's freshly filled server (a JVM collecting or
 * snapshotting a million znodes) would be busy beside the first target's restart, never beside its own.
 */
export function runOrder(workloads: readonly Workload[]): Workload[][] {
  const groups: Workload[][] = [];
  for (const workload of workloads) {
    const group = workload.continues === undefined ? undefined : groups.find((g) => g.some((w) => w.id === workload.continues));
    if (group) group.push(workload);
    else groups.push([workload]);
  }
  return groups;
}

/** Pids of the servers a handoff holds (a populated server left for restart, a round's ensemble). */
export function handoffPids(handoff: ReadonlyMap<string, unknown>): number[] {
  const populated = handoff.get('populated') as Populated | undefined;
  const ensemble = handoff.get(ENSEMBLE_HANDOFF) as BenchEnsemble | undefined;
  return [...(populated ? [populated.server.pid] : []), ...(ensemble?.pids() ?? [])];
}

/** Stops what a round's workloads left running: the server `memory` left for `restart`, the round's ensemble. */
export async function releaseHandoff(handoff: Map<string, unknown>): Promise<void> {
  const populated = handoff.get('populated') as Populated | undefined;
  handoff.delete('populated');
  if (populated) await populated.server.stop();
  const ensemble = handoff.get(ENSEMBLE_HANDOFF) as BenchEnsemble | undefined;
  handoff.delete(ENSEMBLE_HANDOFF);
  if (ensemble) await ensemble.stop();
}

export const WORKLOADS: readonly Workload[] = [
  create,
  setData,
  getData,
  exists,
  getChildren,
  deleteWorkload,
  mixed,
  ephemeralSequential,
  watchFanout,
  sessionChurn,
  memory,
  restart,
  ensembleWrite,
  failover,
];

export function findWorkload(id: string): Workload | undefined {
  const wanted = id.trim().toLowerCase();
  return WORKLOADS.find((w) => w.id.toLowerCase() === wanted);
}
