import { statSync } from 'node:fs';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerConfig } from './config/index.js';
import type {
  ConfView,
  ConnectionStatsView,
  DirsView,
  DumpView,
  FourLetterView,
  MonitorView,
  PathWatchesView,
  ServerStatsView,
  SessionWatchesView,
  WatchSummaryView,
} from './four-letter/index.js';
import { heapFigures, nodeEnvironment, paddockFullVersion } from './four-letter/index.js';
import type { TxnLog } from './persistence/index.js';
import type { ZkServer } from './zk-server.js';
import type { QuorumPeer } from './quorum/quorum-peer.js';
import type { ServerMode } from './four-letter/views.js';

const PADDOCK_VERSION = '0.1.0';

/** Reads a live member's state for the four-letter words. */
export class ServerFourLetterView implements FourLetterView {
  private readonly version = paddockFullVersion(PADDOCK_VERSION);

  constructor(
    private readonly server: ZkServer,
    private readonly config: ServerConfig,
    private readonly log: TxnLog,
    private readonly startedAt: number,
    /** set on a quorum member */
    private readonly peer: QuorumPeer | null = null,
  ) {}

  isServing(): boolean {
    return this.server.serving;
  }

  private mode(): ServerMode {
    return this.peer === null ? 'standalone' : (this.peer.mode ?? 'follower');
  }

  stats(): ServerStatsView {
    const s = this.server;
    return {
      version: this.version,
      mode: this.mode(),
      minLatency: s.latencyCount === 0 ? 0 : s.minLatency,
      avgLatency: s.latencyCount === 0 ? 0 : s.totalLatency / s.latencyCount,
      maxLatency: s.maxLatency,
      packetsReceived: s.packetsReceived,
      packetsSent: s.packetsSent,
      numAliveConnections: s.connections.size,
      outstandingRequests: s.outstanding,
      lastProcessedZxid: BigInt(s.tree.lastProcessedZxid),
      nodeCount: s.tree.nodeCount,
      ...(this.peer?.mode === 'leader' ? { proposalSizes: { ...this.peer.proposalSizes } } : {}),
    };
  }

  *connections(): Iterable<ConnectionStatsView> {
    for (const c of this.server.connections) {
      yield {
        remoteAddress: c.remoteAddress,
        remotePort: c.remotePort,
        interestOps: 1,
        outstandingRequests: c.queue.length,
        packetsReceived: c.packetsReceived,
        packetsSent: c.out.framesSent,
        sessionId: c.sessionId,
        lastOperation: c.lastOp,
        established: c.establishedAt,
        sessionTimeout: c.sessionTimeout,
        lastCxid: c.lastCxid,
        lastZxid: BigInt(c.lastZxid),
        lastResponseTime: c.lastResponseAt,
        lastLatency: c.lastLatency,
        minLatency: c.latencyCount === 0 ? 0 : c.minLatency,
        avgLatency: c.latencyCount === 0 ? 0 : c.totalLatency / c.latencyCount,
        maxLatency: c.maxLatency,
      };
    }
  }

  watchSummary(): WatchSummaryView {
    const w = this.server.watches;
    return { connections: w.watcherCount, paths: w.watchedPathCount, totalWatches: w.dataWatchCount };
  }

  *watchesBySession(): Iterable<SessionWatchesView> {
    for (const [conn, paths] of this.server.watches.pathsByWatcher()) yield { sessionId: conn.sessionId, paths: [...paths] };
  }

  *watchesByPath(): Iterable<PathWatchesView> {
    for (const [path, conns] of this.server.watches.watchersByPath()) yield { path, sessionIds: [...conns].map((c) => c.sessionId) };
  }

  dump(): DumpView {
    const buckets = new Map<number, bigint[]>();
    for (const s of this.server.sessions.all()) {
      let b = buckets.get(s.expiresAt);
      if (!b) buckets.set(s.expiresAt, (b = []));
      b.push(s.id);
    }
    const sessionExpiry = [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([expiresAt, items]) => ({ expiresAt, items }));
    const ephemerals = [...this.server.sessions.all()]
      .map((s) => ({ sessionId: s.id, paths: this.server.tree.getEphemerals(s.id) }))
      .filter((e) => e.paths.length > 0);
    return { sessionExpiry, ephemerals };
  }

  conf(): ConfView {
    const c = this.config;
    const dirs = this.dirs();
    return {
      clientPort: c.clientPort,
      secureClientPort: -1,
      dataDir: join(c.dataDir, 'version-2'),
      dataDirSize: dirs.dataDirSize,
      dataLogDir: join(c.dataLogDir, 'version-2'),
      dataLogSize: dirs.logDirSize,
      tickTime: c.tickTime,
      maxClientCnxns: c.maxClientCnxns,
      minSessionTimeout: c.minSessionTimeout,
      maxSessionTimeout: c.maxSessionTimeout,
      clientPortListenBacklog: c.clientPortListenBacklog,
      serverId: c.serverId ?? 0,
      ...(this.peer !== null
        ? {
            quorum: {
              initLimit: c.initLimit,
              syncLimit: c.syncLimit,
              electionAlg: c.electionAlg,
              electionPorts: c.servers.filter((s) => s.id === c.serverId).map((s) => s.electionPort),
              quorumPorts: c.servers.filter((s) => s.id === c.serverId).map((s) => s.quorumPort),
              peerType: c.peerType,
              members: c.servers,
              configVersion: c.configVersion,
            },
          }
        : {}),
    };
  }

  environment(): readonly (readonly [string, string])[] {
    return nodeEnvironment(this.version);
  }

  dirs(): DirsView {
    return {
      dataDirSize: dirBytes(join(this.config.dataDir, 'version-2'), 'snapshot.'),
      logDirSize: dirBytes(join(this.config.dataLogDir, 'version-2'), 'log.'),
    };
  }

  monitor(): MonitorView {
    const s = this.server;
    const fsync = this.log.fsyncStats();
    const p = this.peer;
    let quorum: { -readonly [K in 'peerState' | 'quorumSize' | 'leader']?: MonitorView[K] } = {};
    if (p !== null) {
      const st = p.status();
      const phase = st.phase === 'active' ? 'broadcast' : st.phase === 'sync' ? 'synchronization' : 'discovery';
      quorum = {
        peerState: `${st.role} - ${phase}`,
        quorumSize: this.config.servers.filter((x) => x.type === 'participant').length,
      };
      if (p.mode === 'leader') {
        const observers = new Set(this.config.servers.filter((x) => x.type === 'observer').map((x) => x.id));
        quorum.leader = {
          learners: st.learners.length,
          syncedFollowers: st.syncedFollowers.filter((sid) => sid !== st.id).length,
          syncedNonVotingFollowers: 0,
          syncedObservers: st.learners.filter((sid) => observers.has(sid)).length,
          pendingSyncs: 0,
          leaderUptime: Date.now() - p.modeSince,
          proposalSizes: { ...p.proposalSizes },
        };
      }
    }
    return {
      ...quorum,
      uptime: Date.now() - this.startedAt,
      watchCount: s.watches.watchCount,
      ephemeralsCount: s.tree.ephemeralCount,
      approximateDataSize: s.tree.approximateDataSize,
      globalSessions: s.sessions.size,
      localSessions: 0,
      connectionDropProbability: 0,
      clientResponseSizes: { last: -1, min: -1, max: -1 },
      outstandingTlsHandshake: 0,
      authFailedCount: s.authFailedCount,
      nonMtlsRemoteConnCount: 0,
      nonMtlsLocalConnCount: 0,
      extra: [
        ['fsync_count', fsync.count],
        ['fsync_time_avg_ms', { double: fsync.avgMs }],
        ['fsync_time_max_ms', fsync.maxMs],
        ['fsync_threshold_exceed_count', fsync.thresholdExceeded],
        ...heapFigures(),
      ],
    };
  }
}

function dirBytes(dir: string, prefix: string): number {
  let total = 0;
  try {
    for (const name of readdirSync(dir)) {
      if (!name.startsWith(prefix)) continue;
      try {
        total += statSync(join(dir, name)).size;
      } catch {
        // removed by purge meanwhile
      }
    }
  } catch {
    return 0;
  }
  return total;
}
