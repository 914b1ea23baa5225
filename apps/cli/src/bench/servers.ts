/**
 * Servers the benchmark starts itself (`--compare`): this repository's Paddock and a real Apache
 * ZooKeeper 3.8, each with a temp dataDir and the same zoo.cfg on a free loopback port, plus the
 * four-letter-word client and the process bookkeeping that guarantees nothing is left running.
 *
 * Orphan protection: every child runs in its own process group (killed as a group), is started
 * through `setpriv --pdeathsig KILL` on Linux (the kernel kills it if the benchmark dies), and is
 * SIGKILLed from an `exit` hook and on SIGINT/SIGTERM while the benchmark runs.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getFreePort, getFreePorts } from '@paddock/server';

export type ServerKind = 'paddock' | 'zookeeper';

export const LOOPBACK = '127.0.0.1';
const SETPRIV = '/usr/bin/setpriv';
export const ZK_HOME = process.env.ZOOKEEPER_HOME ?? '/usr/share/zookeeper';
const ZK_SERVER_SH = path.join(ZK_HOME, 'bin', 'zkServer.sh');
/** apps/cli/bin/paddock.js, from src/bench or dist/bench. */
export const PADDOCK_BIN =
  process.env.PADDOCK_BIN ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'paddock.js');

// ---------------------------------------------------------------------------------------------
// child processes

const liveChildren = new Set<ChildProcess>();
let hooksInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // gone
    }
  }
}

/** SIGKILLs every child the benchmark started that still runs (synchronous: usable from 'exit'). */
export function killAllChildren(): void {
  for (const child of liveChildren) killGroup(child, 'SIGKILL');
}

function installExitHook(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAllChildren);
}

/**
 * While `body` runs, SIGINT/SIGTERM kill every child and end the process (exit code 130/143).
 * The handlers are removed afterwards, so an embedding process (e.g. a test runner) keeps its own.
 */
export async function withSignalCleanup<T>(body: () => Promise<T>): Promise<T> {
  installExitHook();
  const handlers: Array<[NodeJS.Signals, () => void]> = (['SIGINT', 'SIGTERM'] as const).map((signal) => [
    signal,
    () => {
      process.stderr.write(`\npaddock bench: ${signal}, stopping the servers and load generators\n`);
      killAllChildren();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    },
  ]);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  try {
    return await body();
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
    killAllChildren();
  }
}

export interface SpawnedChild {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<void>;
  /** The last output (stdout+stderr) of the child, for error messages. */
  tail(): string;
  /** SIGTERM the group, SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  kill(): Promise<void>;
  readonly running: boolean;
}

/** Spawns a child in its own process group that dies with this process. */
export function spawnChild(
  command: string,
  args: readonly string[],
  options: { env?: Record<string, string | undefined>; cwd?: string; ipc?: boolean; logFile?: string } = {},
): SpawnedChild {
  installExitHook();
  let cmd = command;
  let argv = [...args];
  if (process.platform === 'linux' && existsSync(SETPRIV)) {
    argv = ['--pdeathsig', 'KILL', '--', cmd, ...argv];
    cmd = SETPRIV;
  }
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  const stdio: StdioOptions = options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'];
  const child = spawn(cmd, argv, { env, cwd: options.cwd, detached: true, stdio });
  liveChildren.add(child);
  let output = '';
  const append = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (output.length > 64 * 1024) output = output.slice(-32 * 1024);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  let running = true;
  const exited = new Promise<void>((resolve) => {
    const done = () => {
      running = false;
      liveChildren.delete(child);
      resolve();
    };
    child.once('exit', done);
    child.once('error', (error) => {
      output += `[spawn error] ${error.message}\n`;
      done();
    });
  });
  const handle: SpawnedChild = {
    child,
    pid: child.pid ?? -1,
    exited,
    tail: () => output.slice(-4000),
    get running() {
      return running;
    },
    async stop(graceMs = 5_000) {
      if (!running) return;
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      killGroup(child, 'SIGKILL');
    },
    async kill() {
      killGroup(child, 'SIGKILL');
      await exited;
    },
  };
  return handle;
}

// ---------------------------------------------------------------------------------------------
// four-letter words, ports

export function fourLetterWord(host: string, port: number, word: string, timeoutMs = 3_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect({ host, port }, () => socket.write(word));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`${word} to ${host}:${port}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

/** `key value` lines of mntr/envi-like answers (tab, space or '=' separated). */
export function parseKeyValues(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([\w.]+)[\t =]+(.*)$/.exec(line.trim());
    if (match) out.set(match[1]!, match[2]!.trim());
  }
  return out;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls until the server answers `srvr` with something other than "not currently serving"
 * (ZooKeeper answers ruok before it serves sessions). Resolves with the time it took.
 */
export async function waitUntilServing(
  host: string,
  port: number,
  owner: SpawnedChild,
  timeoutMs: number,
  intervalMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    if (!owner.running) throw new Error(`server exited before serving:\n${owner.tail()}`);
    try {
      last = await fourLetterWord(host, port, 'srvr', 1_000);
      if (last.length > 0 && !/not currently serving/i.test(last)) return;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) throw new Error(`${host}:${port} not serving after ${timeoutMs} ms (last: ${last})\n${owner.tail()}`);
    await sleep(intervalMs);
  }
}

// ---------------------------------------------------------------------------------------------
// servers

export interface BenchServer {
  readonly kind: ServerKind;
  readonly host: string;
  readonly port: number;
  readonly connectString: string;
  readonly dataDir: string;
  /** Pid of the server process itself (the JVM for ZooKeeper). */
  readonly pid: number;
  fourLetterWord(word: string): Promise<string>;
  /** Graceful stop; removes the temp directory. */
  stop(): Promise<void>;
  /** SIGKILL, keeping the data directory. */
  kill9(): Promise<void>;
  /** Starts the server again on the same port and dataDir (after kill9); resolves once it serves. */
  restart(): Promise<void>;
}

export interface ServerLaunchOptions {
  tickTime?: number;
  startTimeoutMs?: number;
}

/** The zoo.cfg both servers get: a stock standalone config with every 4lw enabled. */
export function benchZooCfg(dataDir: string, port: number, tickTime: number): string {
  const entries: Record<string, string | number> = {
    tickTime,
    initLimit: 10,
    syncLimit: 5,
    dataDir,
    clientPort: port,
    clientPortAddress: LOOPBACK,
    maxClientCnxns: 0,
    '4lw.commands.whitelist': '*',
    'admin.enableServer': 'false',
    'autopurge.purgeInterval': 0,
  };
  return `${Object.entries(entries)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n')}\n`;
}

export function zooKeeperInstalled(): boolean {
  return existsSync(ZK_SERVER_SH);
}

/**
 * Extra node flags for the Paddock servers the benchmark starts, from PADDOCK_BENCH_NODE_FLAGS
 * (space-separated), e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile them: the profile is
 * written when the server exits on SIGTERM at the end of the run (not for a member killed with -9).
 */
function paddockNodeFlags(): string[] {
  return (process.env.PADDOCK_BENCH_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
}

/**
 * The node flags the bin's shebang (`#!/usr/bin/env -S node <flags>`) gives a user's `paddock server`,
 * with `${VAR}` expanded from the environment as env -S does: the benchmark starts its servers as
 * `node <these flags> paddock.js` so that it measures what users run.
 */
export function binNodeFlags(binPath: string = PADDOCK_BIN, env: NodeJS.ProcessEnv = process.env): string[] {
  const shebang = readFileSync(binPath, 'utf8').split('\n', 1)[0] ?? '';
  const match = /^#!\s*\S*\benv\s+-S\s+node\s+(.*)$/.exec(shebang);
  if (match === null) return [];
  return match[1]!
    .split(/\s+/)
    .map((token) => token.replace(/\$\{(\w+)\}/g, (_, name: string) => env[name] ?? ''))
    .filter(Boolean);
}

function spawnServerProcess(kind: ServerKind, configFile: string, logDir: string): SpawnedChild {
  if (kind === 'paddock') {
    // --expose-gc: mntr then reports zk_heap_live_bytes (used heap after a full GC), the figure
    // compared with ZooKeeper's live heap; nothing else in the server calls gc()
    const nodeFlags = ['--expose-gc', ...binNodeFlags(), ...paddockNodeFlags()];
    return spawnChild(process.execPath, [...nodeFlags, PADDOCK_BIN, 'server', '--config', configFile], {
      env: { NODE_OPTIONS: undefined },
    });
  }
  // zkServer.sh start-foreground execs java, and setpriv execs too: the pid is the JVM's
  return spawnChild(ZK_SERVER_SH, ['start-foreground', configFile], {
    env: {
      SERVER_JVMFLAGS: [`-Dzookeeper.log.dir=${logDir}`, '-Dzookeeper.extendedTypesEnabled=true'].join(' '),
      ZOO_LOG_DIR: logDir,
      JMXDISABLE: 'true',
    },
  });
}

/** Starts Paddock or Apache ZooKeeper standalone on a free loopback port with a temp dataDir. */
export async function startServer(kind: ServerKind, options: ServerLaunchOptions = {}): Promise<BenchServer> {
  if (kind === 'paddock' && !existsSync(PADDOCK_BIN)) throw new Error(`${PADDOCK_BIN} not found: build first (npx tsc -b)`);
  if (kind === 'zookeeper' && !zooKeeperInstalled()) {
    throw new Error(`${ZK_SERVER_SH} not found: install Apache ZooKeeper 3.8 (Debian package zookeeper) or set ZOOKEEPER_HOME`);
  }
  const tickTime = options.tickTime ?? 2000;
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const baseDir = mkdtempSync(path.join(os.tmpdir(), `paddock-bench-${kind}-`));
    const dataDir = path.join(baseDir, 'data');
    const logDir = path.join(baseDir, 'logs');
    mkdirSync(dataDir, { recursive: true });
    mkdirSync(logDir, { recursive: true });
    const configFile = path.join(baseDir, 'zoo.cfg');
    const port = await getFreePort(LOOPBACK);
    writeFileSync(configFile, benchZooCfg(dataDir, port, tickTime));
    let proc = spawnServerProcess(kind, configFile, logDir);
    try {
      await waitUntilServing(LOOPBACK, port, proc, startTimeoutMs);
    } catch (error) {
      lastError = error;
      await proc.kill();
      rmSync(baseDir, { recursive: true, force: true });
      continue;
    }
    const server: BenchServer = {
      kind,
      host: LOOPBACK,
      port,
      connectString: `${LOOPBACK}:${port}`,
      dataDir,
      get pid() {
        return proc.pid;
      },
      fourLetterWord: (word) => fourLetterWord(LOOPBACK, port, word),
      async stop() {
        await proc.stop();
        rmSync(baseDir, { recursive: true, force: true });
      },
      async kill9() {
        await proc.kill();
      },
      async restart() {
        if (proc.running) await proc.kill();
        proc = spawnServerProcess(kind, configFile, logDir);
        await waitUntilServing(LOOPBACK, port, proc, 10 * startTimeoutMs, 10);
      },
    };
    return server;
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

/**
 * Live heap of a server in bytes, as far as it can be read from outside:
 * - ZooKeeper: `jcmd <pid> GC.run` then `GC.heap_info` (used after a full GC = live heap);
 * - Paddock: `mntr` zk_heap_live_bytes (V8 used heap after a full GC; reported when the server runs
 *   with --expose-gc, as the benchmark starts it), else zk_heap_used_bytes (garbage included);
 * - other servers: `envi` os.memory.total - os.memory.free (MB resolution, garbage included).
 */
export async function heapBytes(kind: ServerKind, pid: number, host: string, port: number): Promise<{ bytes: number; how: string } | undefined> {
  if (kind === 'zookeeper') {
    const viaJcmd = await jcmdLiveHeap(pid);
    if (viaJcmd !== undefined) return { bytes: viaJcmd, how: 'jcmd GC.run + GC.heap_info (live heap)' };
  }
  try {
    const mntr = parseKeyValues(await fourLetterWord(host, port, 'mntr', 60_000));
    const live = mntr.get('zk_heap_live_bytes');
    if (live !== undefined) return { bytes: Number(live), how: 'mntr zk_heap_live_bytes (V8 used heap after a full GC)' };
    const used = mntr.get('zk_heap_used_bytes');
    if (used !== undefined) return { bytes: Number(used), how: 'mntr zk_heap_used_bytes (V8 used heap incl. garbage)' };
  } catch {
    // fall back to envi
  }
  try {
    const envi = parseKeyValues(await fourLetterWord(host, port, 'envi'));
    const total = parseMb(envi.get('os.memory.total'));
    const free = parseMb(envi.get('os.memory.free'));
    if (total === undefined || free === undefined) return undefined;
    return { bytes: (total - free) * 1024 * 1024, how: 'envi os.memory.total - os.memory.free (used heap incl. garbage, MB resolution)' };
  } catch {
    return undefined;
  }
}

function parseMb(value: string | undefined): number | undefined {
  const match = value === undefined ? null : /^(\d+)MB$/.exec(value);
  return match ? Number(match[1]) : undefined;
}

async function jcmdLiveHeap(pid: number): Promise<number | undefined> {
  const run = (args: string[]) =>
    new Promise<string | undefined>((resolve) => {
      const child = spawn('jcmd', [String(pid), ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.once('error', () => resolve(undefined));
      child.once('close', (code) => {
        clearTimeout(timer);
        resolve(code === 0 ? out : undefined);
      });
    });
  if ((await run(['GC.run'])) === undefined) return undefined;
  const info = await run(['GC.heap_info']);
  // e.g. " garbage-first heap   total 258048K, used 23456K [0x..."
  const match = info === undefined ? null : /total\s+\d+K,\s+used\s+(\d+)K/.exec(info);
  return match ? Number(match[1]) * 1024 : undefined;
}

/** zk_znode_count from mntr, if the server reports it. */
export async function znodeCount(host: string, port: number): Promise<number | undefined> {
  try {
    const value = parseKeyValues(await fourLetterWord(host, port, 'mntr', 10_000)).get('zk_znode_count');
    return value === undefined ? undefined : Number(value);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// ensembles

/**
 * Quorum timing both ensembles get. These are the keys Paddock's zoo.cfg parser honours for a
 * quorum member (libs/server/src/config: tickTime, initLimit, syncLimit, cnxTimeout; it accepts and
 * ignores electionPortBindRetry), at ZooKeeper's stock values (zoo_sample.cfg, QuorumPeerConfig);
 * keys ZooKeeper alone reads are left at its defaults.
 */
export const ENSEMBLE_QUORUM_CONFIG = { tickTime: 2000, initLimit: 10, syncLimit: 5, cnxTimeout: 5000 } as const;

export interface EnsembleMemberSpec {
  readonly sid: number;
  readonly port: number;
  readonly quorumPort: number;
  readonly electionPort: number;
}

/** One member's zoo.cfg: the standalone bench config plus the quorum timing and the server.N lines. */
export function ensembleZooCfg(dataDir: string, self: EnsembleMemberSpec, members: readonly EnsembleMemberSpec[]): string {
  const { tickTime, initLimit, syncLimit, cnxTimeout } = ENSEMBLE_QUORUM_CONFIG;
  const base = benchZooCfg(dataDir, self.port, tickTime)
    .replace(/^initLimit=.*$/m, `initLimit=${initLimit}`)
    .replace(/^syncLimit=.*$/m, `syncLimit=${syncLimit}`);
  const servers = members.map((m) => `server.${m.sid}=${LOOPBACK}:${m.quorumPort}:${m.electionPort}`);
  return `${base}cnxTimeout=${cnxTimeout}\n${servers.join('\n')}\n`;
}

export interface EnsembleMember {
  readonly sid: number;
  readonly port: number;
  readonly connectString: string;
  /** The member's process id, or undefined while it is down. */
  readonly pid: number | undefined;
  readonly running: boolean;
  /** `Mode:` from srvr (leader/follower), or null when down or not serving. */
  mode(): Promise<string | null>;
  /** SIGKILL, keeping the data directory; resolves once the process is gone. */
  kill9(): Promise<void>;
  /** Starts the member again (same ports and data directory); resolves once it answers ruok. */
  start(): Promise<void>;
}

export interface BenchEnsemble {
  readonly kind: ServerKind;
  readonly members: readonly EnsembleMember[];
  /** Every member's host:port, comma-separated. */
  readonly connectString: string;
  /** Pids of the members that run. */
  pids(): number[];
  /** Waits until exactly one running member leads and every other running member follows. */
  waitForLeader(timeoutMs?: number): Promise<EnsembleMember>;
  /** Stops every member and removes the directories. */
  stop(): Promise<void>;
}

async function srvrMode(port: number): Promise<string | null> {
  try {
    const answer = await fourLetterWord(LOOPBACK, port, 'srvr', 1_000);
    return /^Mode: (\S+)/m.exec(answer)?.[1] ?? null;
  } catch {
    return null;
  }
}

async function waitForRuok(port: number, owner: SpawnedChild, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!owner.running) throw new Error(`member on port ${port} exited while starting:\n${owner.tail()}`);
    try {
      if ((await fourLetterWord(LOOPBACK, port, 'ruok', 1_000)).startsWith('imok')) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`member on port ${port} did not answer ruok within ${timeoutMs} ms\n${owner.tail()}`);
    await sleep(50);
  }
}

/**
 * Starts a 3-member (by default) Paddock or Apache ZooKeeper ensemble on free loopback ports, each
 * member with its own zoo.cfg, data directory (with myid) and log directory; resolves once a leader
 * is elected and every member serves.
 */
export async function startEnsemble(kind: ServerKind, size = 3, startTimeoutMs = 120_000): Promise<BenchEnsemble> {
  if (kind === 'paddock' && !existsSync(PADDOCK_BIN)) throw new Error(`${PADDOCK_BIN} not found: build first (npx tsc -b)`);
  if (kind === 'zookeeper' && !zooKeeperInstalled()) {
    throw new Error(`${ZK_SERVER_SH} not found: install Apache ZooKeeper 3.8 (Debian package zookeeper) or set ZOOKEEPER_HOME`);
  }
  const baseDir = mkdtempSync(path.join(os.tmpdir(), `paddock-bench-${kind}-ensemble-`));
  const ports = await getFreePorts(3 * size, LOOPBACK);
  const specs: EnsembleMemberSpec[] = Array.from({ length: size }, (_, i) => ({
    sid: i + 1,
    port: ports[3 * i]!,
    quorumPort: ports[3 * i + 1]!,
    electionPort: ports[3 * i + 2]!,
  }));
  const members = specs.map((spec) => {
    const memberDir = path.join(baseDir, `member${spec.sid}`);
    const dataDir = path.join(memberDir, 'data');
    const logDir = path.join(memberDir, 'logs');
    mkdirSync(dataDir, { recursive: true });
    mkdirSync(logDir, { recursive: true });
    writeFileSync(path.join(dataDir, 'myid'), `${spec.sid}\n`);
    const configFile = path.join(memberDir, 'zoo.cfg');
    writeFileSync(configFile, ensembleZooCfg(dataDir, spec, specs));
    let proc: SpawnedChild | undefined;
    const member: EnsembleMember & { stop(): Promise<void>; tail(): string } = {
      sid: spec.sid,
      port: spec.port,
      connectString: `${LOOPBACK}:${spec.port}`,
      get pid() {
        return proc?.running ? proc.pid : undefined;
      },
      get running() {
        return proc?.running === true;
      },
      mode: async () => (proc?.running ? srvrMode(spec.port) : null),
      async kill9() {
        await proc?.kill();
      },
      async start() {
        if (proc?.running) return;
        proc = spawnServerProcess(kind, configFile, logDir);
        await waitForRuok(spec.port, proc, startTimeoutMs);
      },
      async stop() {
        await proc?.stop();
      },
      tail: () => proc?.tail() ?? '(not started)',
    };
    return member;
  });

  const ensemble: BenchEnsemble = {
    kind,
    members,
    connectString: members.map((m) => m.connectString).join(','),
    pids: () => members.flatMap((m) => (m.pid === undefined ? [] : [m.pid])),
    async waitForLeader(timeoutMs = startTimeoutMs) {
      const deadline = Date.now() + timeoutMs;
      let last = '';
      for (;;) {
        const running = members.filter((m) => m.running);
        const modes = await Promise.all(running.map((m) => m.mode()));
        last = members.map((m) => `${m.sid}=${m.running ? (modes[running.indexOf(m)] ?? 'not serving') : 'down'}`).join(' ');
        const leaders = running.filter((_, i) => modes[i] === 'leader');
        if (leaders.length === 1 && modes.every((mode) => mode === 'leader' || mode === 'follower')) return leaders[0]!;
        if (Date.now() > deadline) {
          throw new Error(`${kind} ensemble: no leader with every member serving within ${timeoutMs} ms (${last})\n${members.map((m) => `member ${m.sid}: ${m.tail().slice(-1500)}`).join('\n')}`);
        }
        await sleep(50);
      }
    },
    async stop() {
      await Promise.all(members.map((m) => m.stop().catch(() => undefined)));
      rmSync(baseDir, { recursive: true, force: true });
    },
  };
  try {
    await Promise.all(members.map((m) => m.start()));
    await ensemble.waitForLeader();
  } catch (error) {
    await ensemble.stop();
    throw error;
  }
  return ensemble;
}
