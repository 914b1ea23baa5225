/**
 * Read-only views the server implements so the four-letter words can be formatted without touching
 * server internals. Methods (rather than fields) on {@link FourLetterView} let the server compute
 * only what the requested command needs.
 */
import type { LearnerType, QuorumServerSpec } from '../config/zoo-config.js';

/** What `Mode:` / `zk_server_state` print. */
export type ServerMode = 'standalone' | 'leader' | 'follower' | 'observer' | 'read-only';

/** `BufferStats` numbers; -1 until the first value. */
export interface BufferStatsView {
  readonly last: number;
  readonly min: number;
  readonly max: number;
}

/** `ServerStats` plus node count: what `srvr`/`stat` print and `mntr` starts from. */
export interface ServerStatsView {
  /**
   * `Version.getFullVersion()`, e.g. `3.8.4-paddock-0.1.0, built on 2025-01-01 00:00 UTC`; must
   * start with the ZooKeeper version number (kazoo and others parse it). See `paddockFullVersion`.
   */
  readonly version: string;
  readonly mode: ServerMode;
  /** Request latency in ms over all requests since the last `srst`; 0 when none. */
  readonly minLatency: number;
  /** Mean latency, unrounded or already rounded; printed HALF_UP to 4 places like ZooKeeper. */
  readonly avgLatency: number;
  readonly maxLatency: number;
  readonly packetsReceived: number;
  readonly packetsSent: number;
  /** Open client connections (including the one asking). */
  readonly numAliveConnections: number;
  /** Requests queued and not yet answered. */
  readonly outstandingRequests: number;
  /** Last applied zxid (`Zxid: 0x...`). */
  readonly lastProcessedZxid: bigint;
  /** Number of znodes (`Node count:`). */
  readonly nodeCount: number;
  /** Leader only: sizes of proposals in bytes (`Proposal sizes last/min/max:`). */
  readonly proposalSizes?: BufferStatsView;
}

/** One client connection (`ServerCnxn` stats) for `stat`, `cons` and `dump`. */
export interface ConnectionStatsView {
  /** Remote IP as Node reports it (`127.0.0.1`, `::1`, `::ffff:10.0.0.1`). */
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** NIO interest ops: 1 = reading, 5 = reading+writing, 0 = throttled/closing. */
  readonly interestOps: number;
  /** Requests submitted and not yet answered (`queued=`). */
  readonly outstandingRequests: number;
  readonly packetsReceived: number;
  readonly packetsSent: number;
  /** 0n until the session handshake completes (then only the brief form is printed). */
  readonly sessionId: bigint;
  /** Short op name of the last reply (`GETD`, `PING`, `SESS`...); `NA` after a reset. */
  readonly lastOperation: string;
  /** When the connection was established, ms since the epoch. */
  readonly established: number;
  /** Negotiated session timeout, ms. */
  readonly sessionTimeout: number;
  /** Last non-special cxid; -1 when none (then `lcxid` is omitted). */
  readonly lastCxid: number;
  /** zxid of the last reply; -1n after a reset. */
  readonly lastZxid: bigint;
  /** Time of the last reply (ZooKeeper prints its monotonic ms clock here). */
  readonly lastResponseTime: number;
  readonly lastLatency: number;
  /** 0 when no replies yet. */
  readonly minLatency: number;
  /** Integer mean (Java long division). */
  readonly avgLatency: number;
  readonly maxLatency: number;
}

/** `wchs`. ZooKeeper 3.8 counts data watches only (exists/getData), not child watches. */
export interface WatchSummaryView {
  /** Sessions/connections with at least one watch. */
  readonly connections: number;
  /** Watched paths. */
  readonly paths: number;
  /** Sum over connections of their watched paths. */
  readonly totalWatches: number;
}

/** `wchc`: a session and its watched paths. */
export interface SessionWatchesView {
  readonly sessionId: bigint;
  readonly paths: readonly string[];
}

/** `wchp`: a path and the sessions watching it. */
export interface PathWatchesView {
  readonly path: string;
  readonly sessionIds: readonly bigint[];
}

/** An `ExpiryQueue` bucket: things expiring at the same (tick-rounded) time. */
export interface ExpiryBucketView<T> {
  /** Wall-clock ms since the epoch. */
  readonly expiresAt: number;
  /** May be empty: ZooKeeper keeps (and prints) emptied buckets until they expire. */
  readonly items: readonly T[];
}

/** A connection as `NIOServerCnxn.toString()` prints it in `dump`. */
export interface DumpConnectionView {
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly sessionId: bigint;
}

export interface DumpView {
  /** Session expiry buckets (any order; printed by time). */
  readonly sessionExpiry: readonly ExpiryBucketView<bigint>[];
  /** Ephemeral znode paths by owner session. */
  readonly ephemerals: readonly { readonly sessionId: bigint; readonly paths: readonly string[] }[];
  /**
   * Connection expiry buckets (NIO factory). When absent the "Connections dump:" section is empty,
   * as with ZooKeeper's Netty factory.
   */
  readonly connectionExpiry?: readonly ExpiryBucketView<DumpConnectionView>[];
  /** IANA zone for the expiry dates (Java prints the JVM default zone). Default UTC. */
  readonly timeZone?: string;
}

/** Quorum part of `conf` (QuorumZooKeeperServer.dumpConf). */
export interface QuorumConfView {
  readonly initLimit: number;
  readonly syncLimit: number;
  readonly electionAlg: number;
  /** This server's election port(s). */
  readonly electionPorts: readonly number[];
  /** This server's quorum port(s). */
  readonly quorumPorts: readonly number[];
  /** Printed as the enum ordinal: participant = 0, observer = 1. */
  readonly peerType: LearnerType;
  /** Current membership (printed as `server.N=...` lines, ordered by id). */
  readonly members: readonly QuorumServerSpec[];
  /** Membership version (`version=<hex>`). */
  readonly configVersion: bigint;
}

/** `conf` (ZooKeeperServer.dumpConf). */
export interface ConfView {
  /** Bound client port; -1 when not listening. */
  readonly clientPort: number;
  /** -1: Paddock has no TLS port. */
  readonly secureClientPort: number;
  /** ZooKeeper prints the snapshot directory, i.e. `<dataDir>/version-2`. */
  readonly dataDir: string;
  readonly dataDirSize: number;
  /** ZooKeeper prints the txn-log directory, i.e. `<dataLogDir>/version-2`. */
  readonly dataLogDir: string;
  readonly dataLogSize: number;
  readonly tickTime: number;
  readonly maxClientCnxns: number;
  readonly minSessionTimeout: number;
  readonly maxSessionTimeout: number;
  readonly clientPortListenBacklog: number;
  /** 0 for a standalone server. */
  readonly serverId: number;
  readonly quorum?: QuorumConfView;
}

/** `dirs`: bytes in the snapshot and txn-log directories. */
export interface DirsView {
  readonly dataDirSize: number;
  readonly logDirSize: number;
}

/** A value `mntr` prints: integers as integers, `{ double }` in Java double form, strings as-is. */
export type MetricValue = number | bigint | string | null | { readonly double: number };

/** `mntr` values beyond {@link ServerStatsView}. */
export interface MonitorView {
  /** Quorum members only: `QuorumPeer.getDetailedPeerState()`, e.g. `following - broadcast`. */
  readonly peerState?: string;
  /** ms since the server started (or since it took its current role). */
  readonly uptime: number;
  /** All watches (data and child), unlike `wchs`. */
  readonly watchCount: number;
  readonly ephemeralsCount: number;
  /** Sum of path lengths and data sizes. */
  readonly approximateDataSize: number;
  readonly globalSessions: number;
  readonly localSessions: number;
  /** Unix only; omitted elsewhere. */
  readonly openFileDescriptorCount?: number;
  readonly maxFileDescriptorCount?: number;
  readonly connectionDropProbability: number;
  readonly clientResponseSizes: BufferStatsView;
  readonly outstandingTlsHandshake: number;
  readonly authFailedCount: number;
  readonly nonMtlsRemoteConnCount: number;
  readonly nonMtlsLocalConnCount: number;
  /** Quorum members only: number of voting members. */
  readonly quorumSize?: number;
  /** Leader only. */
  readonly leader?: {
    readonly learners: number;
    readonly syncedFollowers: number;
    readonly syncedNonVotingFollowers: number;
    readonly syncedObservers: number;
    readonly pendingSyncs: number;
    readonly leaderUptime: number;
    readonly proposalSizes: BufferStatsView;
  };
  /** More `zk_<key>` lines (counters, summaries) appended in this order. */
  readonly extra?: readonly (readonly [key: string, value: MetricValue])[];
}

/** Everything the four-letter words read. */
export interface FourLetterView {
  /**
   * False while the server is not running a ZooKeeperServer (starting, electing, shutting down):
   * most words then answer "This ZooKeeper instance is not currently serving requests".
   * `ruok` and `envi` answer regardless; `isro` answers `null`.
   */
  isServing(): boolean;
  stats(): ServerStatsView;
  /** All client connections, including the one sending the command. */
  connections(): Iterable<ConnectionStatsView>;
  watchSummary(): WatchSummaryView;
  watchesBySession(): Iterable<SessionWatchesView>;
  watchesByPath(): Iterable<PathWatchesView>;
  dump(): DumpView;
  conf(): ConfView;
  /** `envi` lines in order (see `nodeEnvironment`). */
  environment(): readonly (readonly [key: string, value: string])[];
  dirs(): DirsView;
  monitor(): MonitorView;
}
