/**
 * The four-letter words, formatted exactly as ZooKeeper 3.8 prints them (`server/command/*`,
 * `ServerStats.toString`, `ServerCnxn.dumpConnectionInfo`, `ExpiryQueue.dump`,
 * `DataTree.dumpEphemerals`, `WatchManager`, `ZooKeeperServer.dumpConf`, `Environment.list`).
 * `println` is "\n" (ZooKeeper on Linux).
 */
import { isFourLetterWord, type FourLetterWord } from './commands.js';
import {
  formatAvgLatency,
  javaDateToString,
  javaDoubleToString,
  javaLongHex,
  javaSocketAddress,
  roundHalfUp,
} from './java-format.js';
import type {
  ConfView,
  ConnectionStatsView,
  DumpConnectionView,
  DumpView,
  ExpiryBucketView,
  FourLetterView,
  MetricValue,
  MonitorView,
  ServerStatsView,
} from './views.js';
import type { QuorumServerSpec } from '../config/zoo-config.js';

export const ZK_NOT_SERVING = 'This ZooKeeper instance is not currently serving requests';

export interface FourLetterResult {
  /** Bytes to write before closing the connection. */
  readonly output: string;
  /**
   * A reset the caller must perform: `crst` resets every connection's stats
   * (`ServerCnxn.resetStats`), `srst` the server stats (latency, packet counts, client response
   * sizes, and on a leader the proposal sizes).
   */
  readonly reset?: 'connections' | 'server';
}

/** `NopCommand` text for a word that is not whitelisted. */
export function notInWhitelist(cmd: string): string {
  return `${cmd} is not executed because it is not in the whitelist.\n`;
}

/**
 * Runs one four-letter word against the view.
 *
 * @param whitelist enabled words (`ServerConfig.fourLetterWordWhitelist`)
 * @returns null if `cmd` is not a word Paddock knows: the 4 bytes are then a frame length
 */
export function runFourLetterWord(
  cmd: string,
  view: FourLetterView,
  whitelist: Iterable<string>,
): FourLetterResult | null {
  if (!isFourLetterWord(cmd)) return null;
  const enabled = whitelist instanceof Set ? (whitelist as ReadonlySet<string>) : new Set(whitelist);
  if (!enabled.has(cmd)) return { output: notInWhitelist(cmd) };
  return execute(cmd, view);
}

function execute(cmd: FourLetterWord, view: FourLetterView): FourLetterResult {
  switch (cmd) {
    case 'ruok':
      return { output: 'imok' };
    case 'envi':
      return { output: formatEnvi(view.environment()) };
    case 'isro':
      if (!view.isServing()) return { output: 'null' };
      return { output: view.stats().mode === 'read-only' ? 'ro' : 'rw' };
    default:
      break;
  }
  if (!view.isServing()) return { output: `${ZK_NOT_SERVING}\n` };
  switch (cmd) {
    case 'srvr':
      return { output: formatSrvr(view.stats()) };
    case 'stat':
      return { output: formatStat(view.stats(), view.connections()) };
    case 'cons':
      return { output: formatCons(view.connections()) };
    case 'crst':
      return { output: 'Connection stats reset.\n', reset: 'connections' };
    case 'srst':
      return { output: 'Server stats reset.\n', reset: 'server' };
    case 'dump':
      return { output: formatDump(view.dump()) };
    case 'conf':
      return { output: formatConf(view.conf()) };
    case 'wchs': {
      const s = view.watchSummary();
      return { output: `${s.connections} connections watching ${s.paths} paths\nTotal watches:${s.totalWatches}\n` };
    }
    case 'wchc': {
      let out = '';
      for (const w of view.watchesBySession()) {
        out += `0x${javaLongHex(w.sessionId)}\n`;
        for (const p of w.paths) out += `\t${p}\n`;
      }
      return { output: `${out}\n` };
    }
    case 'wchp': {
      let out = '';
      for (const w of view.watchesByPath()) {
        out += `${w.path}\n`;
        for (const id of w.sessionIds) out += `\t0x${javaLongHex(id)}\n`;
      }
      return { output: `${out}\n` };
    }
    case 'dirs': {
      const d = view.dirs();
      return { output: `datadir_size: ${d.dataDirSize}\nlogdir_size: ${d.logDirSize}\n` };
    }
    case 'mntr':
      return { output: formatMntr(view.stats(), view.monitor()) };
  }
}

// ---------------------------------------------------------------------------------------------

/** `srvr` (StatCommand without clients). */
export function formatSrvr(stats: ServerStatsView): string {
  return formatStatCommand(stats, null);
}

/** `stat`: version, then "Clients:" with one brief line per connection, then the server stats. */
export function formatStat(stats: ServerStatsView, connections: Iterable<ConnectionStatsView>): string {
  return formatStatCommand(stats, connections);
}

function formatStatCommand(stats: ServerStatsView, connections: Iterable<ConnectionStatsView> | null): string {
  let out = `Zookeeper version: ${stats.version}\n`;
  if (stats.mode === 'read-only') out += 'READ-ONLY mode; serving only read-only clients\n';
  if (connections !== null) {
    out += 'Clients:\n';
    for (const c of connections) out += `${formatConnection(c, true)}\n`;
    out += '\n';
  }
  out += formatServerStats(stats);
  out += `Node count: ${stats.nodeCount}\n`;
  if (stats.mode === 'leader' && stats.proposalSizes !== undefined) {
    const p = stats.proposalSizes;
    out += `Proposal sizes last/min/max: ${p.last}/${p.min}/${p.max}\n`;
  }
  return out;
}

/** `ServerStats.toString()`. */
export function formatServerStats(stats: ServerStatsView): string {
  return `Latency min/avg/max: ${stats.minLatency}/${formatAvgLatency(stats.avgLatency)}/${stats.maxLatency}\n`
    + `Received: ${stats.packetsReceived}\n`
    + `Sent: ${stats.packetsSent}\n`
    + `Connections: ${stats.numAliveConnections}\n`
    + `Outstanding: ${stats.outstandingRequests}\n`
    + `Zxid: 0x${javaLongHex(stats.lastProcessedZxid)}\n`
    + `Mode: ${stats.mode}\n`;
}

/** `ServerCnxn.dumpConnectionInfo(pw, brief)` (no trailing newline). */
export function formatConnection(c: ConnectionStatsView, brief: boolean): string {
  const ops = c.interestOps === 0 ? '0' : c.interestOps.toString(16);
  let out = ` ${javaSocketAddress(c.remoteAddress, c.remotePort)}[${ops}]`
    + `(queued=${c.outstandingRequests},recved=${c.packetsReceived},sent=${c.packetsSent}`;
  if (!brief && c.sessionId !== 0n) {
    out += `,sid=0x${javaLongHex(c.sessionId)},lop=${c.lastOperation},est=${c.established},to=${c.sessionTimeout}`;
    if (c.lastCxid >= 0) out += `,lcxid=0x${javaLongHex(c.lastCxid)}`;
    out += `,lzxid=0x${javaLongHex(c.lastZxid)},lresp=${c.lastResponseTime},llat=${c.lastLatency}`
      + `,minlat=${c.minLatency},avglat=${Math.trunc(c.avgLatency)},maxlat=${c.maxLatency}`;
  }
  return `${out})`;
}

/** `cons`: one full line per connection, then an empty line. */
export function formatCons(connections: Iterable<ConnectionStatsView>): string {
  let out = '';
  for (const c of connections) out += `${formatConnection(c, false)}\n`;
  return `${out}\n`;
}

/** `ExpiryQueue.dump` (after its "Session "/"Connections " prefix). */
function formatExpiryQueue<T>(
  buckets: readonly ExpiryBucketView<T>[],
  item: (t: T) => string,
  timeZone: string,
): string {
  const total = buckets.reduce((n, b) => n + b.items.length, 0);
  let out = `Sets (${buckets.length})/(${total}):\n`;
  for (const b of [...buckets].sort((x, y) => x.expiresAt - y.expiresAt)) {
    out += `${b.items.length} expire at ${javaDateToString(b.expiresAt, timeZone)}:\n`;
    for (const t of b.items) out += `\t${item(t)}\n`;
  }
  return out;
}

/** `dump`: session expiry, ephemerals by session, connection expiry. */
export function formatDump(dump: DumpView): string {
  const tz = dump.timeZone ?? 'UTC';
  let out = 'SessionTracker dump:\n';
  out += `Session ${formatExpiryQueue(dump.sessionExpiry, (id) => `0x${javaLongHex(id)}`, tz)}`;
  out += 'ephemeral nodes dump:\n';
  out += `Sessions with Ephemerals (${dump.ephemerals.length}):\n`;
  for (const e of dump.ephemerals) {
    out += `0x${javaLongHex(e.sessionId)}:\n`;
    for (const p of e.paths) out += `\t${p}\n`;
  }
  out += 'Connections dump:\n';
  if (dump.connectionExpiry !== undefined) {
    const cnxn = (c: DumpConnectionView): string =>
      `ip: ${javaSocketAddress(c.remoteAddress, c.remotePort)} sessionId: 0x${javaLongHex(c.sessionId)}`;
    out += `Connections ${formatExpiryQueue(dump.connectionExpiry, cnxn, tz)}`;
  }
  return out;
}

/** `QuorumServer.toString()` as used in `QuorumVerifier.toString()`. */
export function formatQuorumServer(s: QuorumServerSpec): string {
  const host = (h: string): string => (h.includes(':') ? `[${h}]` : h);
  let out = `${host(s.host)}:${s.quorumPort}:${s.electionPort}:${s.type}`;
  if (s.clientPort !== null) out += `;${host(s.clientAddress ?? '0.0.0.0')}:${s.clientPort}`;
  return out;
}

/** `QuorumMaj.toString()`: server lines then `version=<hex>` (no final newline). */
export function formatMembership(members: readonly QuorumServerSpec[], version: bigint): string {
  let out = '';
  for (const m of [...members].sort((a, b) => a.id - b.id)) out += `server.${m.id}=${formatQuorumServer(m)}\n`;
  return `${out}version=${javaLongHex(version)}`;
}

/** `conf`. A quorum member's output ends with `version=<hex>` and no newline, as in ZooKeeper. */
export function formatConf(c: ConfView): string {
  let out = `clientPort=${c.clientPort}\n`
    + `secureClientPort=${c.secureClientPort}\n`
    + `dataDir=${c.dataDir}\n`
    + `dataDirSize=${c.dataDirSize}\n`
    + `dataLogDir=${c.dataLogDir}\n`
    + `dataLogSize=${c.dataLogSize}\n`
    + `tickTime=${c.tickTime}\n`
    + `maxClientCnxns=${c.maxClientCnxns}\n`
    + `minSessionTimeout=${c.minSessionTimeout}\n`
    + `maxSessionTimeout=${c.maxSessionTimeout}\n`
    + `clientPortListenBacklog=${c.clientPortListenBacklog}\n`
    + `serverId=${c.serverId}\n`;
  const q = c.quorum;
  if (q !== undefined) {
    out += `initLimit=${q.initLimit}\n`
      + `syncLimit=${q.syncLimit}\n`
      + `electionAlg=${q.electionAlg}\n`
      + `electionPort=${q.electionPorts.join('|')}\n`
      + `quorumPort=${q.quorumPorts.join('|')}\n`
      + `peerType=${q.peerType === 'observer' ? 1 : 0}\n`
      + 'membership: \n'
      + formatMembership(q.members, q.configVersion);
  }
  return out;
}

/** `envi`. */
export function formatEnvi(entries: readonly (readonly [string, string])[]): string {
  let out = 'Environment:\n';
  for (const [k, v] of entries) out += `${k}=${v}\n`;
  return out;
}

/** MonitorCommand.print: Long/Integer as integers, other numbers as Java doubles. */
export function formatMetricValue(value: MetricValue): string {
  if (value === null) return 'null';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : javaDoubleToString(value);
  if (typeof value === 'string') return value;
  return javaDoubleToString(value.double);
}

/**
 * `mntr`: `zk_<key>\t<value>` lines. `zk_version` and `zk_server_state` come first, as in
 * ZooKeeper; ZooKeeper prints the remaining gauges in hash-map order, which we reproduce for a
 * standalone 3.8 server (parsers must not depend on the order anyway). Leader and quorum gauges
 * follow, then `extra`.
 */
export function formatMntr(stats: ServerStatsView, m: MonitorView): string {
  const lines: [string, MetricValue][] = [
    ['version', stats.version],
    ['server_state', stats.mode],
  ];
  if (m.peerState !== undefined) lines.push(['peer_state', m.peerState]);
  lines.push(
    ['ephemerals_count', m.ephemeralsCount],
    ['num_alive_connections', stats.numAliveConnections],
    ['avg_latency', { double: roundHalfUp(stats.avgLatency, 4) }],
    ['outstanding_requests', stats.outstandingRequests],
    ['znode_count', stats.nodeCount],
    ['global_sessions', m.globalSessions],
    ['non_mtls_remote_conn_count', m.nonMtlsRemoteConnCount],
    ['last_client_response_size', m.clientResponseSizes.last],
    ['packets_sent', stats.packetsSent],
    ['packets_received', stats.packetsReceived],
    ['max_client_response_size', m.clientResponseSizes.max],
    ['connection_drop_probability', { double: m.connectionDropProbability }],
    ['watch_count', m.watchCount],
    ['auth_failed_count', m.authFailedCount],
    ['min_latency', stats.minLatency],
  );
  if (m.maxFileDescriptorCount !== undefined) lines.push(['max_file_descriptor_count', m.maxFileDescriptorCount]);
  lines.push(['approximate_data_size', m.approximateDataSize]);
  if (m.openFileDescriptorCount !== undefined) lines.push(['open_file_descriptor_count', m.openFileDescriptorCount]);
  lines.push(
    ['local_sessions', m.localSessions],
    ['uptime', m.uptime],
    ['max_latency', stats.maxLatency],
    ['outstanding_tls_handshake', m.outstandingTlsHandshake],
    ['min_client_response_size', m.clientResponseSizes.min],
    ['non_mtls_local_conn_count', m.nonMtlsLocalConnCount],
  );
  if (m.quorumSize !== undefined) lines.push(['quorum_size', m.quorumSize]);
  const l = m.leader;
  if (l !== undefined) {
    lines.push(
      ['learners', l.learners],
      ['synced_followers', l.syncedFollowers],
      ['synced_non_voting_followers', l.syncedNonVotingFollowers],
      ['synced_observers', l.syncedObservers],
      ['pending_syncs', l.pendingSyncs],
      ['leader_uptime', l.leaderUptime],
      ['last_proposal_size', l.proposalSizes.last],
      ['max_proposal_size', l.proposalSizes.max],
      ['min_proposal_size', l.proposalSizes.min],
    );
  }
  for (const [k, v] of m.extra ?? []) lines.push([k, v]);
  return lines.map(([k, v]) => `zk_${k}\t${formatMetricValue(v)}\n`).join('');
}
