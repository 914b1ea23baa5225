/**
 * The built Paddock server (`apps/cli/bin/paddock.js server --config <zoo.cfg>`, executed through its
 * shebang so it runs with the node flags users get) on a free loopback port, and `startTarget()`,
 * which picks Paddock or Apache ZooKeeper from INTEROP_TARGET=paddock|zookeeper (default paddock)
 * so one suite validates against both.
 *
 * Paddock reads the same zoo.cfg keys as ZooKeeper. Build it first (`npm run build`).
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApacheZooKeeper } from './apache-zookeeper.js';
import { LOOPBACK, getFreePorts } from './ports.js';
import { TcpProxy } from './tcp-proxy.js';
import { fourLetterWord, spawnManaged, waitFor, waitForRuok, waitForServing, type ManagedProcess } from './processes.js';
import {
  baseZooCfg,
  handleFourLetterWord,
  launchOnFreePort,
  prepareServerDirs,
  writeConfig,
  type ServerHandle,
  type ServerKind,
  type ServerOptions,
} from './server-handle.js';

export type { ServerHandle, ServerKind, ServerOptions } from './server-handle.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PADDOCK_BIN = process.env.PADDOCK_BIN ?? path.join(REPO_ROOT, 'apps', 'cli', 'bin', 'paddock.js');

export async function startPaddock(options: ServerOptions = {}): Promise<ServerHandle> {
  if (!existsSync(PADDOCK_BIN)) throw new Error(`${PADDOCK_BIN} not found: run npm run build`);
  const tickTime = options.tickTime ?? 2000;
  const host = LOOPBACK;

  return launchOnFreePort(options.port, async (port) => {
    const dirs = prepareServerDirs('paddock-test', options.dataDir);
    writeConfig(dirs.configFile, {
      ...baseZooCfg({ tickTime, dataDir: dirs.dataDir, port, host }),
      ...options.extraConfig,
    });
    const server = spawnManaged({
      name: `paddock-${port}`,
      command: PADDOCK_BIN,
      args: ['server', '--config', dirs.configFile],
      cwd: REPO_ROOT,
      env: { NODE_OPTIONS: undefined },
    });
    const cleanup = () => {
      if (!options.keepDataDir) dirs.cleanup();
    };
    try {
      await waitForRuok(host, port, { timeoutMs: options.startTimeoutMs ?? 20_000, process: server });
      await waitForServing(host, port, { timeoutMs: options.startTimeoutMs ?? 20_000, process: server });
    } catch (error) {
      await server.kill();
      cleanup();
      throw error;
    }
    const handle: ServerHandle = {
      kind: 'paddock',
      host,
      port,
      connectString: `${host}:${port}`,
      dataDir: dirs.dataDir,
      configFile: dirs.configFile,
      tickTime,
      process: server,
      async stop() {
        await server.stop({ signal: 'SIGTERM', timeoutMs: 5_000 });
        cleanup();
      },
      async kill9() {
        await server.kill();
      },
      fourLetterWord: handleFourLetterWord(host, port),
    };
    return handle;
  });
}

export function targetKind(): ServerKind {
  const raw = (process.env.INTEROP_TARGET ?? 'paddock').trim().toLowerCase();
  if (raw === 'paddock') return 'paddock';
  if (raw === 'zookeeper' || raw === 'zk' || raw === 'apache') return 'zookeeper';
  throw new Error(`INTEROP_TARGET must be paddock or zookeeper, got ${JSON.stringify(process.env.INTEROP_TARGET)}`);
}

/** Starts the server the interop suites run against: INTEROP_TARGET=paddock (default) | zookeeper. */
export function startTarget(options: ServerOptions = {}): Promise<ServerHandle> {
  return targetKind() === 'zookeeper' ? startApacheZooKeeper(options) : startPaddock(options);
}

// ------------------------------------------------------------------------------------------ ensembles

export interface EnsembleMember {
  readonly sid: number;
  readonly observer: boolean;
  readonly host: string;
  readonly port: number;
  readonly quorumPort: number;
  readonly electionPort: number;
  readonly connectString: string;
  readonly dataDir: string;
  readonly configFile: string;
  /** The running process, or null while stopped/killed. */
  readonly process: ManagedProcess | null;
  readonly running: boolean;
  /** Starts (or restarts, on the same dataDir and ports) this member; waits for ruok only. */
  start(): Promise<void>;
  /** SIGKILL, keeping the dataDir. */
  kill9(): Promise<void>;
  /** Graceful stop, keeping the dataDir. */
  stop(): Promise<void>;
  fourLetterWord(word: string): Promise<string>;
  /** `Mode:` from srvr (leader/follower/observer), or null when not serving or down. */
  mode(): Promise<string | null>;
}

export interface EnsembleHandle {
  readonly members: readonly EnsembleMember[];
  readonly tickTime: number;
  /** Every member's host:port, comma-separated. */
  readonly connectString: string;
  member(sid: number): EnsembleMember;
  /** Waits until exactly one running member says Mode: leader and every other running member serves. */
  waitForLeader(timeoutMs?: number): Promise<EnsembleMember>;
  /**
   * Needs `proxied: true`: blocks every quorum and election link to and from `sid` (both directions; open
   * links are cut, new ones refused) until heal(). Client ports are not affected.
   */
  partition(sid: number): void;
  /** Unblocks the links of `sid`, or of every member. */
  heal(sid?: number): void;
  /** Stops every member and removes the directories. */
  stop(): Promise<void>;
}

export interface EnsembleOptions {
  participants?: number;
  observers?: number;
  /** Default 200 ms (elections and failure detection take a few ticks). */
  tickTime?: number;
  initLimit?: number;
  syncLimit?: number;
  extraConfig?: Record<string, string | number | boolean>;
  startTimeoutMs?: number;
  /**
   * Route every peer link through a TcpProxy: member i's zoo.cfg names, for each other member j, a proxy
   * (one per direction i->j and port kind) in front of j's real quorum/election port, so `partition(sid)`
   * can cut one member off while its client port stays reachable.
   */
  proxied?: boolean;
}

/**
 * A Paddock ensemble of real processes on loopback: `participants` (default 3) + `observers` members,
 * each with its own zoo.cfg, dataDir and myid, client/quorum/election ports from the free-port probe.
 * Resolves once a leader is elected and every member serves.
 */
export async function startPaddockEnsemble(options: EnsembleOptions = {}): Promise<EnsembleHandle> {
  if (!existsSync(PADDOCK_BIN)) throw new Error(`${PADDOCK_BIN} not found: run npm run build`);
  const participants = options.participants ?? 3;
  const observers = options.observers ?? 0;
  const n = participants + observers;
  const tickTime = options.tickTime ?? 200;
  const host = LOOPBACK;
  const ports = await getFreePorts(3 * n, host);
  const specs = Array.from({ length: n }, (_, i) => ({
    sid: i + 1,
    observer: i >= participants,
    port: ports[3 * i]!,
    quorumPort: ports[3 * i + 1]!,
    electionPort: ports[3 * i + 2]!,
  }));
  // proxies[`${from}>${to}`] = the quorum and election proxies `from` dials to reach `to`
  const proxies = new Map<string, { from: number; to: number; quorum: TcpProxy; election: TcpProxy }>();
  if (options.proxied) {
    for (const a of specs) {
      for (const b of specs) {
        if (a === b) continue;
        const quorum = await new TcpProxy(host, b.quorumPort, { record: false }).start();
        const election = await new TcpProxy(host, b.electionPort, { record: false }).start();
        proxies.set(`${a.sid}>${b.sid}`, { from: a.sid, to: b.sid, quorum, election });
      }
    }
  }
  const serverLinesFor = (self: number): Record<string, string> => {
    const lines: Record<string, string> = {};
    for (const s of specs) {
      const p = proxies.get(`${self}>${s.sid}`);
      const [q, e] = p ? [p.quorum.port, p.election.port] : [s.quorumPort, s.electionPort];
      lines[`server.${s.sid}`] = `${host}:${q}:${e}${s.observer ? ':observer' : ''}`;
    }
    return lines;
  };
  const stopProxies = () => Promise.all([...proxies.values()].flatMap((p) => [p.quorum.stop(), p.election.stop()]));

  const members: EnsembleMember[] = specs.map((s) => {
    const dirs = prepareServerDirs(`paddock-ens${s.sid}`, undefined);
    writeFileSync(path.join(dirs.dataDir, 'myid'), `${s.sid}\n`);
    writeConfig(dirs.configFile, {
      ...baseZooCfg({ tickTime, dataDir: dirs.dataDir, port: s.port, host }),
      initLimit: options.initLimit ?? 10,
      syncLimit: options.syncLimit ?? 5,
      ...(s.observer ? { peerType: 'observer' } : {}),
      ...serverLinesFor(s.sid),
      ...options.extraConfig,
    });
    let proc: ManagedProcess | null = null;
    const m: EnsembleMember & { cleanup(): void } = {
      ...s,
      host,
      connectString: `${host}:${s.port}`,
      dataDir: dirs.dataDir,
      configFile: dirs.configFile,
      get process() {
        return proc;
      },
      get running() {
        return proc !== null && proc.running;
      },
      async start() {
        if (proc !== null && proc.running) return;
        proc = spawnManaged({
          name: `paddock-ens${s.sid}-${s.port}`,
          command: PADDOCK_BIN,
          args: ['server', '--config', dirs.configFile],
          cwd: REPO_ROOT,
          env: { NODE_OPTIONS: undefined },
        });
        await waitForRuok(host, s.port, { timeoutMs: options.startTimeoutMs ?? 20_000, process: proc });
      },
      async kill9() {
        if (proc !== null) await proc.kill();
        proc = null;
      },
      async stop() {
        if (proc !== null) await proc.stop({ signal: 'SIGTERM', timeoutMs: 5_000 });
        proc = null;
      },
      fourLetterWord: handleFourLetterWord(host, s.port),
      async mode() {
        if (proc === null || !proc.running) return null;
        try {
          const out = await fourLetterWord(host, s.port, 'srvr', 1_000);
          return /^Mode: (\S+)/m.exec(out)?.[1] ?? null;
        } catch {
          return null;
        }
      },
      cleanup: () => dirs.cleanup(),
    };
    return m;
  });

  const handle: EnsembleHandle = {
    members,
    tickTime,
    connectString: members.map((m) => m.connectString).join(','),
    member(sid) {
      const m = members.find((x) => x.sid === sid);
      if (!m) throw new Error(`no member ${sid}`);
      return m;
    },
    async waitForLeader(timeoutMs = 30_000) {
      let last = '';
      return waitFor(
        'an ensemble leader',
        async () => {
          const running = members.filter((m) => m.running);
          const modes = await Promise.all(running.map((m) => m.mode()));
          last = running.map((m, i) => `${m.sid}=${modes[i]}`).join(' ');
          const leaders = running.filter((_, i) => modes[i] === 'leader');
          if (leaders.length !== 1 || modes.some((x) => x === null)) return undefined;
          return leaders[0];
        },
        { timeoutMs, intervalMs: 50 },
      ).catch((e: unknown) => {
        const err = e instanceof Error ? e : new Error(String(e));
        err.message += `\nlast modes: ${last}\n${members.map((m) => m.process?.describe(2000) ?? `${m.sid}: down`).join('\n')}`;
        throw err;
      });
    },
    partition(sid) {
      if (proxies.size === 0) throw new Error('partition() needs startPaddockEnsemble({ proxied: true })');
      for (const p of proxies.values()) {
        if (p.from !== sid && p.to !== sid) continue;
        p.quorum.block();
        p.election.block();
      }
    },
    heal(sid) {
      for (const p of proxies.values()) {
        if (sid !== undefined && p.from !== sid && p.to !== sid) continue;
        p.quorum.unblock();
        p.election.unblock();
      }
    },
    async stop() {
      await Promise.all(members.map((m) => m.stop().catch(() => {})));
      await stopProxies();
      for (const m of members) (m as EnsembleMember & { cleanup(): void }).cleanup();
    },
  };
  try {
    await Promise.all(members.map((m) => m.start()));
    await handle.waitForLeader(options.startTimeoutMs ?? 30_000);
  } catch (e) {
    await handle.stop();
    throw e;
  }
  return handle;
}
