/** Command line of `paddock bench`. */
import type { ClientLibrary } from './protocol.js';
import type { Scale } from './workloads.js';

export const BENCH_HELP = `Usage: paddock bench [--compare | --connect host:port [--server-pid PID]] [options]

Benchmarks a ZooKeeper-protocol server with load from third-party clients (the npm \`zookeeper\`
C-client binding by default) in several processes, each with C sessions x O outstanding requests.

Targets:
  --compare                 start Paddock (this build) and Apache ZooKeeper 3.8 on free loopback
                            ports with the same zoo.cfg and run every workload against both,
                            alternating (A B A B) for R rounds; print medians and Paddock/ZooKeeper
                            ratios against the targets (default when --connect is not given)
  --connect host:port       benchmark a running server instead
  --server-pid PID          with --connect: read the server's CPU time and RSS from /proc/PID

Load:
  --workloads a,b,...       default: all with --compare, but the ensemble ones not with
                            --quick; restart, ensemble-write and failover need --compare;
                            any of: WORKLOADS
  --processes P             load-generator processes (default 2)
  --sessions C              sessions per process (default 4)
  --outstanding O           outstanding requests per session (default 16)
  --ops N                   ops per load workload (default 50000)
  --duration S              cap on each measured phase in seconds (default 30)
  --rounds R                rounds (default 3; 1 with --quick)
  --no-warmup               skip the warm-up: before round 1, each load workload runs once
                            unmeasured on each server at a fifth of the ops (a quarter of the
                            sessions, 3 fan-outs), so that both JITs are warm for every round
                            (default on; off with --quick unless --warmup is given)
  --watchers N              sessions watching the znode in the fan-out workload (default 1000)
  --memory-steps a,b        znode counts at which memory is read (default 200000,1000000);
                            the restart workload restarts the member holding the last count;
                            heap is live heap after a full GC on both sides: ZooKeeper via
                            jcmd GC.run + GC.heap_info, Paddock via mntr zk_heap_live_bytes
                            (reported when the server runs with node --expose-gc, as the
                            benchmark starts it; otherwise mntr has zk_heap_used_bytes only)
  --failovers N             leader kills per failover run (default 5; 2 with --quick)
  --client c|nzc            c: npm zookeeper (C client, default); nzc: node-zookeeper-client
  --quick                   small counts everywhere: a smoke test of a minute or two

Ensembles (with --compare): ensemble-write and failover start a 3-member Paddock ensemble and a
3-member ZooKeeper ensemble on this machine (free loopback ports, own data directories, the same
zoo.cfg: tickTime=2000, initLimit=10, syncLimit=5, cnxTimeout=5000, server.1-3 lines).
  ensemble-write            --ops/2 creates then --ops/2 setData, the C x P sessions spread evenly
                            over the members (writes are acknowledged once durable on a quorum);
                            CPU/op and RSS summed over the three members' processes
  failover                  one outstanding setData per session on the full connect string,
                            kill -9 of the leader (found with srvr), time until the first write
                            issued after the kill succeeds; the member is restarted between
                            repetitions; median and max over --failovers repetitions

Profiling: PADDOCK_BENCH_NODE_FLAGS="--cpu-prof --cpu-prof-dir=DIR" gives every Paddock server the
benchmark starts these node flags; the profiles are written when the servers stop at the end.

Output:
  --json FILE               all raw results and the summary (default with --compare: paddock-bench.json)
  --chart FILE              SVG bar chart of the ratios (default with --compare: paddock-bench.svg)
  -h, --help                this help
`;

export interface BenchOptions {
  mode: 'compare' | 'connect';
  connect?: string;
  serverPid?: number;
  workloads?: string[];
  processes: number;
  sessions: number;
  outstanding: number;
  rounds: number;
  /** An unmeasured warm-up run of each load workload on each server before round 1. */
  warmup: boolean;
  client: ClientLibrary;
  quick: boolean;
  scale: Scale;
  json?: string;
  chart?: string;
  help: boolean;
}

export class BenchUsageError extends Error {}

export const FULL_SCALE: Scale = {
  ops: 50_000,
  durationMs: 30_000,
  valueSize: 100,
  keySpace: 1_000,
  children: 1_000,
  ephemeralSessions: 100,
  watchers: 1_000,
  watchRepetitions: 20,
  sessionChurn: 2_000,
  failoverRepetitions: 5,
  memorySteps: [200_000, 1_000_000],
};

export const QUICK_SCALE: Scale = {
  ops: 2_000,
  durationMs: 5_000,
  valueSize: 100,
  keySpace: 1_000,
  children: 1_000,
  ephemeralSessions: 100,
  watchers: 100,
  watchRepetitions: 5,
  sessionChurn: 100,
  failoverRepetitions: 2,
  memorySteps: [5_000, 20_000],
};

function positiveInt(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n <= 0) throw new BenchUsageError(`${flag} needs a positive integer, got ${value ?? 'nothing'}`);
  return n;
}

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  let mode: 'compare' | 'connect' | undefined;
  const out: Partial<BenchOptions> & { help: boolean; quick: boolean } = { help: false, quick: false };
  const overrides: Partial<Scale> = {};
  let rounds: number | undefined;
  let warmup: boolean | undefined;
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i] ?? '';
    const eq = raw.startsWith('--') ? raw.indexOf('=') : -1;
    const flag = eq > 0 ? raw.slice(0, eq) : raw;
    const value = (): string => {
      if (eq > 0) return raw.slice(eq + 1);
      const next = argv[++i];
      if (next === undefined) throw new BenchUsageError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case '-h':
      case '--help':
        out.help = true;
        break;
      case '--compare':
        if (mode === 'connect') throw new BenchUsageError('--compare and --connect exclude each other');
        mode = 'compare';
        break;
      case '--connect':
        if (mode === 'compare') throw new BenchUsageError('--compare and --connect exclude each other');
        mode = 'connect';
        out.connect = value();
        if (!/^[^:\s]+:\d+(,[^:\s]+:\d+)*$/.test(out.connect)) throw new BenchUsageError(`--connect needs host:port, got ${out.connect}`);
        break;
      case '--server-pid':
        out.serverPid = positiveInt(flag, value());
        break;
      case '--workloads':
        out.workloads = value()
          .split(',')
          .map((w) => w.trim())
          .filter(Boolean);
        break;
      case '--processes':
        out.processes = positiveInt(flag, value());
        break;
      case '--sessions':
        out.sessions = positiveInt(flag, value());
        break;
      case '--outstanding':
        out.outstanding = positiveInt(flag, value());
        break;
      case '--ops':
        overrides.ops = positiveInt(flag, value());
        break;
      case '--duration': {
        const seconds = Number(value());
        if (!(seconds > 0)) throw new BenchUsageError('--duration needs a positive number of seconds');
        overrides.durationMs = seconds * 1000;
        break;
      }
      case '--rounds':
        rounds = positiveInt(flag, value());
        break;
      case '--warmup':
        warmup = true;
        break;
      case '--no-warmup':
        warmup = false;
        break;
      case '--watchers':
        overrides.watchers = positiveInt(flag, value());
        break;
      case '--failovers':
        overrides.failoverRepetitions = positiveInt(flag, value());
        break;
      case '--memory-steps': {
        const steps = value()
          .split(',')
          .map((s) => positiveInt(flag, s.trim()));
        if (steps.some((s, k) => k > 0 && s <= (steps[k - 1] ?? 0))) throw new BenchUsageError('--memory-steps must increase');
        overrides.memorySteps = steps;
        break;
      }
      case '--client': {
        const client = value();
        if (client !== 'c' && client !== 'nzc') throw new BenchUsageError(`--client is c or nzc, got ${client}`);
        out.client = client;
        break;
      }
      case '--quick':
        out.quick = true;
        break;
      case '--json':
        out.json = value();
        break;
      case '--chart':
        out.chart = value();
        break;
      default:
        throw new BenchUsageError(`unknown option ${raw}`);
    }
  }
  if (out.serverPid !== undefined && mode !== 'connect') throw new BenchUsageError('--server-pid goes with --connect');
  const resolvedMode = mode ?? 'compare';
  const scale: Scale = { ...(out.quick ? QUICK_SCALE : FULL_SCALE), ...overrides };
  const options: BenchOptions = {
    mode: resolvedMode,
    processes: out.processes ?? 2,
    sessions: out.sessions ?? 4,
    outstanding: out.outstanding ?? 16,
    rounds: rounds ?? (out.quick ? 1 : 3),
    warmup: warmup ?? !out.quick,
    client: out.client ?? 'c',
    quick: out.quick,
    scale,
    help: out.help,
  };
  if (out.connect !== undefined) options.connect = out.connect;
  if (out.serverPid !== undefined) options.serverPid = out.serverPid;
  if (out.workloads !== undefined) options.workloads = out.workloads;
  const json = out.json ?? (resolvedMode === 'compare' ? 'paddock-bench.json' : undefined);
  const chart = out.chart ?? (resolvedMode === 'compare' ? 'paddock-bench.svg' : undefined);
  if (json !== undefined) options.json = json;
  if (chart !== undefined) options.chart = chart;
  return options;
}
